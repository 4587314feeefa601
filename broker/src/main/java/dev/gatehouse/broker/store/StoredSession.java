package dev.gatehouse.broker.store;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One session as loaded at start: its record, its queued messages in sequence order, the QoS 2 ones of
 * those that were in flight, and the inbound QoS 2 packet ids still awaiting the client's PUBREL.
 */
public record StoredSession(SessionRecord session, List<QueuedRecord> queued, List<InflightRecord> inflight,
                            Set<Integer> inboundQos2) {
    public StoredSession {
        Objects.requireNonNull(session, "session");
        queued = List.copyOf(queued);
        inflight = List.copyOf(inflight);
        inboundQos2 = Set.copyOf(inboundQos2);
    }
}

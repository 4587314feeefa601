package dev.gatehouse.broker.store;

import dev.gatehouse.broker.message.Message;

/** One write to the broker's state; a {@link Changes} batch holds them in order. */
public sealed interface Change {
    /** Create or replace a session's record. */
    record PutSession(SessionRecord session) implements Change { }

    /** Remove a session with everything stored for it (queue, in-flight, inbound QoS 2 ids). */
    record DeleteSession(String clientId) implements Change { }

    record Enqueue(String clientId, QueuedRecord message) implements Change { }

    /** The subscriber completed it (or it expired, or was dropped): remove it and any in-flight record of it. */
    record Dequeue(String clientId, long seq) implements Change { }

    record PutInflight(String clientId, InflightRecord inflight) implements Change { }

    record AddInboundQos2(String clientId, int packetId) implements Change { }

    record RemoveInboundQos2(String clientId, int packetId) implements Change { }

    /** Store a retained message (an empty payload never gets here: that is a {@link RemoveRetained}). */
    record PutRetained(Message message) implements Change { }

    record RemoveRetained(String topic) implements Change { }
}

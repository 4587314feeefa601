package dev.gatehouse.broker.store;

/**
 * A QoS 2 message sent to the subscriber under {@code packetId} and not yet completed: after a restart it
 * is sent again with the same packet id (DUP), or, once {@code released} (PUBREC received, PUBREL sent),
 * only its PUBREL is, so the subscriber receives it exactly once. QoS 1 deliveries need no record: they are
 * simply sent again.
 *
 * @param seq the {@link QueuedRecord} it refers to
 */
public record InflightRecord(int packetId, long seq, boolean released) {
}

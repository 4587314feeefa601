package dev.gatehouse.broker.store;

import dev.gatehouse.broker.message.Message;
import java.util.Objects;

/**
 * A QoS 1/2 message for a session, stored before the publisher's PUBACK/PUBREC leaves and removed when the
 * subscriber completed it. The message's expiry is an absolute instant, so it keeps counting across downtime.
 *
 * @param seq             the session's own increasing sequence number: the key, and the delivery order
 * @param qos             the QoS it is delivered with
 * @param retain          the retain flag it is delivered with
 * @param subscriptionIds the MQTT 5 subscription identifiers it carries
 */
public record QueuedRecord(long seq, Message message, int qos, boolean retain, int[] subscriptionIds) {
    public QueuedRecord {
        Objects.requireNonNull(message, "message");
        if (subscriptionIds == null) {
            subscriptionIds = new int[0];
        }
    }
}

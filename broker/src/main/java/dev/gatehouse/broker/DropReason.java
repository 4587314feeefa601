package dev.gatehouse.broker;

/**
 * Why the broker did not deliver or keep a message. Every drop is counted under one reason
 * ({@link Broker#drops()}) and logged as a rate-limited summary, never once per message.
 */
public enum DropReason {
    /** A QoS 1/2 delivery found the session's queue full (the subscriber is offline or far behind). */
    QUEUE_FULL("queue full"),
    /** A QoS 0 delivery found the session's queue full: QoS 0 to a slow consumer is dropped first. */
    QOS0_SLOW_CONSUMER("QoS 0 to a slow consumer"),
    /** The message's expiry interval passed before it could be sent. */
    EXPIRED("expired"),
    /** Larger than the subscriber's Maximum Packet Size (MQTT 5 says: treat as delivered). */
    TOO_LARGE_FOR_CLIENT("larger than the client's maximum packet size"),
    /** A retained message for a new topic while the retained store held its maximum. */
    RETAINED_STORE_FULL("retained store full");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** Words for logs. */
    public String label() {
        return label;
    }
}

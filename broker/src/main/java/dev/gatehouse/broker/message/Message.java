package dev.gatehouse.broker.message;

import java.util.Objects;

/**
 * An application message as the broker routes it: immutable, independent of Netty buffers, so
 * that one instance can sit in many session queues and in the retained store at once.
 *
 * @param topic      the topic name it was published to
 * @param payload    the payload bytes; never modified after construction
 * @param qos        the QoS it was published with (0, 1 or 2)
 * @param retain     the retain flag as published
 * @param properties MQTT 5 properties that travel with it
 * @param expiresAt  epoch millis after which it must not be delivered; {@link #NO_EXPIRY} when none
 * @param publisher  client id of the publisher ({@code ""} for messages published from inside the JVM)
 */
public record Message(String topic, byte[] payload, int qos, boolean retain, MessageProperties properties,
                      long expiresAt, String publisher) {
    /** {@link #expiresAt()} value for a message that never expires. */
    public static final long NO_EXPIRY = Long.MAX_VALUE;

    public Message {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(publisher, "publisher");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2, not " + qos);
        }
    }

    /** A message with no properties and no expiry. */
    public static Message of(String topic, byte[] payload, int qos, boolean retain) {
        return new Message(topic, payload, qos, retain, MessageProperties.NONE, NO_EXPIRY, "");
    }

    /** Whether it has expired at {@code nowMillis}. */
    public boolean expired(long nowMillis) {
        return nowMillis >= expiresAt;
    }

    /** Seconds left before expiry at {@code nowMillis} (at least 1), for the forwarded Message Expiry Interval. */
    public long remainingExpirySeconds(long nowMillis) {
        return Math.max(1, (expiresAt - nowMillis + 999) / 1000);
    }

    /** A copy with another retain flag (retain-as-published off clears it). */
    public Message withRetain(boolean flag) {
        return flag == retain ? this : new Message(topic, payload, qos, flag, properties, expiresAt, publisher);
    }
}

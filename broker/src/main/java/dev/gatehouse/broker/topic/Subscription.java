package dev.gatehouse.broker.topic;

import dev.gatehouse.authn.spi.acl.DeliveryFilter;
import java.util.Objects;

/**
 * One client's subscription to one topic filter, with its MQTT 5 options.
 *
 * @param clientId          the subscribing client's id (the session key)
 * @param filter            the topic filter as subscribed
 * @param qos               the maximum QoS granted
 * @param noLocal           MQTT 5 No Local: never deliver the client's own publications
 * @param retainAsPublished MQTT 5 Retain As Published: keep the retain flag on forwarded messages
 * @param retainHandling    MQTT 5 Retain Handling: 0 send retained, 1 only for a new subscription, 2 never
 * @param subscriptionId    MQTT 5 Subscription Identifier, 0 when none
 * @param deliveryFilter    the deny rules this subscription overlaps (see permissions), or {@code null}
 */
public record Subscription(String clientId, String filter, int qos, boolean noLocal, boolean retainAsPublished,
                           int retainHandling, int subscriptionId, DeliveryFilter deliveryFilter) {
    public Subscription {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(filter, "filter");
    }

    /** A plain subscription with no MQTT 5 options. */
    public static Subscription of(String clientId, String filter, int qos) {
        return new Subscription(clientId, filter, qos, false, false, 0, 0, null);
    }

    /** Whether the permissions let a message on {@code topic} through this subscription. */
    public boolean permits(String topic) {
        return deliveryFilter == null || deliveryFilter.permits(topic);
    }

    /** A copy with another delivery filter (after re-authentication changed the permissions). */
    public Subscription withDeliveryFilter(DeliveryFilter f) {
        return new Subscription(clientId, filter, qos, noLocal, retainAsPublished, retainHandling, subscriptionId, f);
    }
}

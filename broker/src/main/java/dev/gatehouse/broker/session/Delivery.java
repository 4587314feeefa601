package dev.gatehouse.broker.session;

import dev.gatehouse.broker.message.Message;

/**
 * One message on its way to one session: the QoS and retain flag it is sent with, and the MQTT 5
 * subscription identifiers of every subscription of that client it matched.
 */
public record Delivery(Message message, int qos, boolean retain, int[] subscriptionIds) {
    static final int[] NO_IDS = new int[0];

    public Delivery {
        if (subscriptionIds == null) {
            subscriptionIds = NO_IDS;
        }
    }
}

package dev.gatehouse.broker.session;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;

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

    /**
     * An upper bound of the encoded size of this delivery's PUBLISH (MQTT 5, every property it may
     * carry), to honour a client's Maximum Packet Size and to budget an outbound buffer without encoding.
     */
    public long encodedSizeBound() {
        MessageProperties mp = message.properties();
        long size = 1 + 4 + 2 + utf8Length(message.topic()) + 2 + 4 + message.payload().length;
        size += 2 + 5 + 3; // payload format, expiry, topic alias
        size += mp.contentType().map(s -> 3L + utf8Length(s)).orElse(0L);
        size += mp.responseTopic().map(s -> 3L + utf8Length(s)).orElse(0L);
        size += mp.correlationData().map(b -> 3L + b.length).orElse(0L);
        for (var u : mp.userProperties()) {
            size += 5 + utf8Length(u.name()) + utf8Length(u.value());
        }
        size += 5L * subscriptionIds.length;
        return size;
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }
}

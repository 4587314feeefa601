package dev.gatehouse.broker.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Topic aliases the broker assigns to the topics it sends one MQTT 5 client (MQTT 5 §3.3.2.3.4):
 * up to {@code max} topics get a number; when all are taken, the least recently sent topic's number
 * is reused. A PUBLISH to an aliased topic carries the number and an empty topic name.
 */
final class OutboundTopicAliases {
    private final int max;
    private final LinkedHashMap<String, Integer> byTopic;
    private int next = 1;

    OutboundTopicAliases(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive");
        }
        this.max = max;
        this.byTopic = new LinkedHashMap<>(Math.min(max, 16) * 2, 0.75f, true);
    }

    /**
     * The alias for {@code topic}: positive when the client already knows it (send an empty topic name),
     * negative when it is newly assigned (send the topic and the alias {@code -result}).
     */
    int aliasFor(String topic) {
        Integer known = byTopic.get(topic);
        if (known != null) {
            return known;
        }
        int alias;
        if (next <= max) {
            alias = next++;
        } else {
            Map.Entry<String, Integer> eldest = byTopic.entrySet().iterator().next();
            alias = eldest.getValue();
            byTopic.remove(eldest.getKey());
        }
        byTopic.put(topic, alias);
        return -alias;
    }
}

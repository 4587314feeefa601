package dev.gatehouse.broker.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.session.Delivery;
import dev.gatehouse.broker.topic.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTargetsTest {
    private final Message qos2 = Message.of("a/b", "x".getBytes(StandardCharsets.UTF_8), 2, true);

    private static Subscription sub(String client, int qos, int id, boolean rap) {
        return new Subscription(client, "a/#", qos, false, rap, 0, id, null);
    }

    @Test
    void mergesOneClientsSubscriptionsIntoOneDelivery() {
        RouteTargets t = new RouteTargets();
        t.add(sub("c1", 0, 7, false), qos2);
        t.add(sub("c1", 1, 0, true), qos2);
        t.add(sub("c1", 0, 9, false), qos2);

        assertThat(t.size()).isEqualTo(1);
        Delivery d = t.get(0).delivery(qos2);
        assertThat(d.qos()).isEqualTo(1);
        assertThat(d.retain()).isTrue();
        assertThat(d.subscriptionIds()).containsExactly(7, 9);
    }

    @Test
    void keepsMergingAcrossTheSwitchToAnIndexForWideFanOut() {
        RouteTargets t = new RouteTargets();
        int clients = 50;
        // Every client matches twice, the second time after the index exists for most of them.
        for (int round = 0; round < 2; round++) {
            for (int c = 0; c < clients; c++) {
                t.add(sub("c" + c, round, c * 10 + round + 1, false), qos2);
            }
        }

        assertThat(t.size()).isEqualTo(clients);
        Map<String, Delivery> byClient = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            byClient.put(t.get(i).clientId(), t.get(i).delivery(qos2));
        }
        assertThat(byClient).hasSize(clients);
        for (int c = 0; c < clients; c++) {
            Delivery d = byClient.get("c" + c);
            assertThat(d.qos()).isEqualTo(1);
            assertThat(d.retain()).isFalse();
            assertThat(d.subscriptionIds()).containsExactly(c * 10 + 1, c * 10 + 2);
        }
    }
}

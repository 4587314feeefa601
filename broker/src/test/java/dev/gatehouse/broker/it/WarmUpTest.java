package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.AuthTestSupport.HOST;
import static dev.gatehouse.broker.it.AuthTestSupport.deciding;
import static dev.gatehouse.broker.it.AuthTestSupport.eventually;
import static dev.gatehouse.broker.it.AuthTestSupport.hive3;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.ListenerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The start-up warm-up: runs before the listeners open, leaves nothing behind, never stops a start. */
class WarmUpTest {
    private static ListenerConfig listener() {
        return ListenerConfig.tcp("default", HOST, 0).withAnonymous(AnonymousAccess.LOOPBACK_ONLY)
                .withAnonymousPermissions(Permissions.allowAll());
    }

    @Test
    void warmsUpOverItsOwnListenerAndLeavesNoTrace() throws Exception {
        List<BrokerEvent> events = new CopyOnWriteArrayList<>();
        // A message cap keeps the test short whatever the machine; the time budget is only an upper bound.
        Broker broker = Broker.builder().listener(listener()).warmUp(Duration.ofSeconds(5), 500)
                .eventListener(events::add).build();
        broker.start().join();
        try {
            assertThat(broker.boundAddresses()).containsOnlyKeys("default");
            assertThat(events).anyMatch(e -> e instanceof BrokerEvent.ClientConnected c
                    && c.clientId().startsWith("gatehouse-warm-up-"));
            assertThat(eventually(() -> broker.connectionCount() == 0 && broker.sessionCount() == 0)).isTrue();
            assertThat(broker.retainedCount()).isZero();

            int port = broker.port("default");
            Mqtt3BlockingClient sub = hive3(port, "warm-sub");
            Mqtt3BlockingClient pub = hive3(port, "warm-pub");
            sub.connect();
            pub.connect();
            try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
                sub.subscribeWith().topicFilter("after/warm-up").qos(MqttQos.AT_LEAST_ONCE).send();
                pub.publishWith().topic("after/warm-up").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("hello".getBytes(StandardCharsets.UTF_8)).send();
                Mqtt3Publish got = in.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            } finally {
                sub.disconnect();
                pub.disconnect();
            }
        } finally {
            broker.stop().join();
        }
    }

    @Test
    void aChainThatRefusesTheWarmUpDoesNotStopTheStart() {
        Broker broker = Broker.builder().listener(listener()).warmUp(Duration.ofSeconds(5), 500)
                .authenticator(deciding("no", r -> AuthDecision.failure(FailureReason.NOT_AUTHORIZED, "no")))
                .build();
        broker.start().join();
        try {
            assertThat(broker.boundAddresses()).containsOnlyKeys("default");
        } finally {
            broker.stop().join();
        }
    }

    @Test
    void offByDefaultWhenEmbedded() {
        List<BrokerEvent> events = new CopyOnWriteArrayList<>();
        Broker broker = Broker.builder().listener(listener()).eventListener(events::add).build();
        broker.start().join();
        try {
            assertThat(events).noneMatch(e -> e instanceof BrokerEvent.ClientConnected);
        } finally {
            broker.stop().join();
        }
    }
}

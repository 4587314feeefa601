package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.testing.ManualClock;
import dev.gatehouse.broker.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code $SYS/broker/...} over real sockets: retained, Mosquitto's names, values after a known sequence with the
 * clock moved by hand (uptime and the load averages read the broker's clock), and only for a client allowed
 * {@code $SYS/#}: a client subscribed to {@code #} never sees them.
 */
class SysTopicsTest {

    /** User "ops" may subscribe to $SYS/#; everyone else may publish and subscribe anywhere but $SYS. */
    static final class Auth implements Authenticator {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public CompletionStage<AuthDecision> authenticate(AuthRequest r) {
            Permissions p = r.username().orElse("").equals("ops")
                    ? Permissions.builder().allow(Action.SUBSCRIBE, "$SYS/#").build()
                    : Permissions.builder().allow(Action.ALL, "#").build();
            return CompletableFuture.completedFuture(AuthDecision.success(r.clientId(), p));
        }
    }

    private static Mqtt5BlockingClient connect(TestBroker b, String id, String user) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(b.port())
                .buildBlocking();
        c.connectWith().simpleAuth().username(user).applySimpleAuth().send();
        return c;
    }

    @Test
    void publishedRetainedWithMosquittoNamesOnlyToClientsAllowedSys() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestBroker b = TestBroker.start(x -> x.clock(clock).authenticator(new Auth())
                .sysInterval(Duration.ofMillis(200)))) {
            Map<String, String> sys = new ConcurrentHashMap<>();
            Map<String, Boolean> retainedFlag = new ConcurrentHashMap<>();
            List<String> seenByWildcard = new CopyOnWriteArrayList<>();

            Mqtt5BlockingClient ops = connect(b, "ops-client", "ops");
            ops.toAsync().subscribeWith().topicFilter("$SYS/#").callback(p -> {
                String topic = p.getTopic().toString();
                retainedFlag.putIfAbsent(topic, p.isRetain());
                sys.put(topic, new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
            }).send().join();
            Mqtt5BlockingClient all = connect(b, "wildcard-client", "alice");
            all.toAsync().subscribeWith().topicFilter("#").callback(p -> seenByWildcard.add(p.getTopic().toString()))
                    .send().join();

            // Published at start: what a new subscriber gets at once is retained.
            await(() -> sys.containsKey("$SYS/broker/version"));
            assertThat(sys.get("$SYS/broker/version")).startsWith("gatehouse ");
            assertThat(retainedFlag.get("$SYS/broker/version")).isTrue();

            for (int i = 0; i < 4; i++) {
                all.publishWith().topic("t").qos(MqttQos.AT_MOST_ONCE).payload("abc".getBytes(StandardCharsets.UTF_8))
                        .send();
            }
            await(() -> seenByWildcard.size() == 4);
            clock.advance(Duration.ofSeconds(60));

            // The first publication after the clock moved: counted over exactly those 60 s.
            await(() -> "60 seconds".equals(sys.get("$SYS/broker/uptime"))
                    && "2.53".equals(sys.get("$SYS/broker/load/messages/received/1min")));
            assertThat(sys.get("$SYS/broker/load/messages/received/5min")).isEqualTo("0.73");
            assertThat(sys.get("$SYS/broker/load/messages/received/15min")).isEqualTo("0.26");
            assertThat(sys.get("$SYS/broker/load/bytes/received/1min")).isEqualTo("7.59");
            assertThat(sys.get("$SYS/broker/messages/received")).isEqualTo("4");
            assertThat(sys.get("$SYS/broker/publish/messages/received")).isEqualTo("4");
            assertThat(sys.get("$SYS/broker/publish/bytes/received")).isEqualTo("12");
            assertThat(sys.get("$SYS/broker/clients/connected")).isEqualTo("2");
            assertThat(sys.get("$SYS/broker/clients/total")).isEqualTo("2");
            assertThat(sys.get("$SYS/broker/clients/disconnected")).isEqualTo("0");
            assertThat(sys.get("$SYS/broker/subscriptions/count")).isEqualTo("2");
            assertThat(sys.get("$SYS/broker/publish/messages/dropped")).isEqualTo("0");
            assertThat(sys).containsKeys("$SYS/broker/retained messages/count", "$SYS/broker/store/messages/count",
                    "$SYS/broker/heap/current", "$SYS/broker/load/connections/15min");

            // "#" never matches a topic beginning with $: the wildcard subscriber saw only its own four.
            assertThat(seenByWildcard).containsOnly("t").hasSize(4);

            // A client whose permissions stop at "#" is refused $SYS/# (SUBACK 0x87) and gets nothing.
            List<String> refused = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient other = connect(b, "other", "bob");
            var subscribe = other.toAsync().subscribeWith().topicFilter("$SYS/#")
                    .callback(p -> refused.add(p.getTopic().toString())).send();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> subscribe.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException.class);
            Thread.sleep(500); // two more publications
            assertThat(refused).isEmpty();
            ops.disconnect();
            all.disconnect();
            other.disconnect();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not met in 10 s");
            }
            Thread.sleep(10);
        }
    }
}

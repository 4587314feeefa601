package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.store.MemoryStateStore;
import dev.gatehouse.broker.store.StateStore;
import dev.gatehouse.broker.testing.ManualClock;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * A broker restarted over the same {@link StateStore} gives back what it held: persistent sessions with
 * their subscriptions and queued messages, retained messages, delayed wills; expiry counts the downtime.
 * The store here is the in-memory one handed from the first broker to the second (the same code path as
 * the durable stores, whose own process-level tests live with them).
 */
class RestartTest {
    private final StateStore store = new MemoryStateStore();
    private final ManualClock clock = new ManualClock();

    private TestBroker start() {
        return TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                        .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll()),
                b -> b.stateStore(store).clock(clock).limits(Limits.defaults()));
    }

    @Test
    void aMqtt311PersistentSessionGetsEveryQos1MessagePublishedWhileItWasOfflineAndRetainedSurvive() throws Exception {
        try (TestBroker first = start()) {
            var sub = paho(first, "keeper");
            sub.connect(persistent());
            sub.subscribe("keep/#", 1);
            sub.disconnect();
            sub.close();
            Mqtt5BlockingClient pub = hivemq(first, "writer");
            pub.connect();
            for (int i = 0; i < 50; i++) {
                pub.publishWith().topic("keep/" + i).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8)).send();
            }
            for (int i = 0; i < 20; i++) {
                pub.publishWith().topic("status/" + i).qos(MqttQos.AT_MOST_ONCE).retain(true)
                        .payload(("r" + i).getBytes(StandardCharsets.UTF_8)).send();
            }
            pub.disconnect();
        }
        try (TestBroker second = start()) {
            assertThat(second.broker().retainedCount()).isEqualTo(20);
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            var sub = paho(second, "keeper");
            sub.setCallback(collect(got));
            var token = sub.connectWithResult(persistent());
            assertThat(token.getSessionPresent()).isTrue();
            Set<String> payloads = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                String p = got.poll(10, TimeUnit.SECONDS);
                assertThat(p).as("message %d of 50", i).isNotNull();
                payloads.add(p);
            }
            assertThat(payloads).hasSize(50);
            sub.disconnect();
            sub.close();

            Mqtt5BlockingClient reader = hivemq(second, "reader");
            reader.connect();
            try (var inbox = reader.publishes(MqttGlobalPublishFilter.ALL)) {
                reader.subscribeWith().topicFilter("status/#").send();
                for (int i = 0; i < 20; i++) {
                    assertThat(inbox.receive(10, TimeUnit.SECONDS)).isPresent();
                }
            }
            reader.disconnect();
        }
    }

    @Test
    void aMqtt5SessionGetsQos2MessagesExactlyOnceWithItsSubscriptionIdentifiers() throws Exception {
        try (TestBroker first = start()) {
            Mqtt5BlockingClient sub = hivemq(first, "exact");
            sub.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
            sub.subscribeWith().topicFilter("exact/#").qos(MqttQos.EXACTLY_ONCE).send();
            sub.disconnect();
            Mqtt5BlockingClient pub = hivemq(first, "exact-writer");
            pub.connect();
            for (int i = 0; i < 30; i++) {
                pub.publishWith().topic("exact/" + i).qos(MqttQos.EXACTLY_ONCE)
                        .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8)).send();
            }
            pub.disconnect();
        }
        try (TestBroker second = start()) {
            Mqtt5BlockingClient sub = hivemq(second, "exact");
            List<Mqtt5Publish> got = new ArrayList<>();
            try (var inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                assertThat(sub.connectWith().cleanStart(false).sessionExpiryInterval(300).send().isSessionPresent())
                        .isTrue();
                for (int i = 0; i < 30; i++) {
                    Optional<Mqtt5Publish> p = inbox.receive(10, TimeUnit.SECONDS);
                    assertThat(p).as("message %d", i).isPresent();
                    got.add(p.get());
                }
                assertThat(inbox.receive(300, TimeUnit.MILLISECONDS)).as("nothing twice").isEmpty();
            }
            assertThat(got).extracting(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .doesNotHaveDuplicates().hasSize(30);
            assertThat(got).allSatisfy(p -> assertThat(p.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE));
            sub.disconnect();
        }
    }

    @Test
    void queuedMessagesKeepTheirSubscriptionIdentifiersAcrossTheRestart() throws Exception {
        MqttProperties expiry = intProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL, 300);
        try (TestBroker first = start()) {
            try (RawMqttClient sub = new RawMqttClient(first.port(), MqttVersion.MQTT_5)) {
                sub.send(MqttMessageBuilders.connect().clientId("ids").protocolVersion(MqttVersion.MQTT_5)
                        .cleanSession(true).properties(expiry).build());
                RawMqttClient.release(sub.read(Duration.ofSeconds(10)));
                sub.send(MqttMessageBuilders.subscribe().messageId(1)
                        .properties(intProperty(MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 7))
                        .addSubscription(MqttQoS.AT_LEAST_ONCE, "ids/#").build());
                RawMqttClient.release(sub.read(Duration.ofSeconds(10)));
                sub.send(MqttMessageBuilders.disconnect().build());
            }
            awaitSessions(first, () -> first.broker().connectionCount() == 0);
            first.broker().publish("ids/a", "one".getBytes(StandardCharsets.UTF_8), 1, false).join();
        }
        try (TestBroker second = start();
             RawMqttClient sub = new RawMqttClient(second.port(), MqttVersion.MQTT_5)) {
            sub.send(MqttMessageBuilders.connect().clientId("ids").protocolVersion(MqttVersion.MQTT_5)
                    .cleanSession(false).properties(expiry).build());
            MqttMessage connAck = sub.read(Duration.ofSeconds(10));
            assertThat(((io.netty.handler.codec.mqtt.MqttConnAckMessage) connAck).variableHeader().isSessionPresent())
                    .isTrue();
            MqttMessage m = sub.read(Duration.ofSeconds(10));
            assertThat(m).isInstanceOf(io.netty.handler.codec.mqtt.MqttPublishMessage.class);
            var publish = (io.netty.handler.codec.mqtt.MqttPublishMessage) m;
            assertThat(publish.variableHeader().topicName()).isEqualTo("ids/a");
            assertThat(publish.variableHeader().properties()
                    .getProperties(MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value()))
                    .extracting(p -> (Integer) p.value()).containsExactly(7);
            RawMqttClient.release(m);
        }
    }

    private static MqttProperties intProperty(MqttProperties.MqttPropertyType type, int value) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(type.value(), value));
        return p;
    }

    @Test
    void sessionExpiryCountsTheDowntime() throws Exception {
        try (TestBroker first = start()) {
            Mqtt5BlockingClient sub = hivemq(first, "short-lived");
            sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
            sub.subscribeWith().topicFilter("x").send();
            sub.disconnect();
            Mqtt5BlockingClient longer = hivemq(first, "long-lived");
            longer.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
            longer.disconnect();
        }
        clock.advance(Duration.ofSeconds(120));
        try (TestBroker second = start()) {
            assertThat(second.broker().sessionCount()).isEqualTo(1);
            Mqtt5BlockingClient sub = hivemq(second, "short-lived");
            assertThat(sub.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isFalse();
            sub.disconnect();
            Mqtt5BlockingClient longer = hivemq(second, "long-lived");
            assertThat(longer.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
                    .isTrue();
            longer.disconnect();
        }
    }

    @Test
    void aDelayedWillWhoseDelayElapsedDuringTheDowntimeIsPublishedAtStart() throws Exception {
        try (TestBroker first = start()) {
            Mqtt5BlockingClient watcher = hivemq(first, "watcher");
            watcher.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
            watcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();
            watcher.disconnect();
            // A client with a 30 s will delay whose connection just breaks: the will waits in its session.
            RawMqttClient doomed = new RawMqttClient(first.port(), MqttVersion.MQTT_5);
            MqttProperties sessionExpiry = new MqttProperties();
            sessionExpiry.add(new MqttProperties.IntegerProperty(
                    MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 3600));
            MqttProperties willDelay = new MqttProperties();
            willDelay.add(new MqttProperties.IntegerProperty(
                    MqttProperties.MqttPropertyType.WILL_DELAY_INTERVAL.value(), 30));
            doomed.send(MqttMessageBuilders.connect().clientId("doomed").protocolVersion(MqttVersion.MQTT_5)
                    .cleanSession(true).properties(sessionExpiry).willFlag(true).willTopic("wills/doomed")
                    .willMessage("gone".getBytes(StandardCharsets.UTF_8)).willQoS(MqttQoS.AT_LEAST_ONCE)
                    .willProperties(willDelay).build());
            MqttMessage connAck = doomed.read(Duration.ofSeconds(10));
            assertThat(connAck.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
            RawMqttClient.release(connAck);
            doomed.close(); // no DISCONNECT: the will is due in 30 s
            awaitSessions(first, () -> first.broker().connectionCount() == 0);
        }
        clock.advance(Duration.ofSeconds(60));
        try (TestBroker second = start()) {
            Mqtt5BlockingClient watcher = hivemq(second, "watcher");
            try (var inbox = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
                watcher.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
                Optional<Mqtt5Publish> will = inbox.receive(10, TimeUnit.SECONDS);
                assertThat(will).isPresent();
                assertThat(will.get().getTopic().toString()).isEqualTo("wills/doomed");
            }
            watcher.disconnect();
        }
    }

    // ---- helpers ----

    private static void awaitSessions(TestBroker broker, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    private static MqttConnectOptions persistent() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setAutomaticReconnect(false);
        return o;
    }

    private static org.eclipse.paho.client.mqttv3.MqttClient paho(TestBroker broker, String id) throws Exception {
        return new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + broker.port(), id,
                new MemoryPersistence());
    }

    private static Mqtt5BlockingClient hivemq(TestBroker broker, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
    }

    private static MqttCallback collect(BlockingQueue<String> got) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                got.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }
}

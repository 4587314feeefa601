package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5SubscribeBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * Bounds that keep one client (or a flood of them) from growing the broker without limit:
 * subscriptions and queued messages per session, connections per broker and per listener, topic
 * length and depth, keep-alive.
 */
class LimitsTest {

    private static TestBroker start(Limits limits) {
        return TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll()),
                b -> b.limits(limits));
    }

    private static Mqtt5BlockingClient hivemq(TestBroker broker, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
    }

    @Test
    void subscriptionsBeyondTheQuotaAreRefusedWithQuotaExceededAndResubscribingStillWorks() {
        try (TestBroker broker = start(Limits.defaults().withMaxSubscriptionsPerSession(3))) {
            Mqtt5BlockingClient c = hivemq(broker, "greedy");
            c.connect();
            Mqtt5SubscribeBuilder.Start b = Mqtt5Subscribe.builder();
            for (int i = 0; i < 5; i++) {
                b.addSubscription().topicFilter("q/" + i).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
            }
            assertThat(suback(c, ((Mqtt5SubscribeBuilder.Complete) b).build()).getReasonCodes()).containsExactly(
                    Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.GRANTED_QOS_1,
                    Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.QUOTA_EXCEEDED,
                    Mqtt5SubAckReasonCode.QUOTA_EXCEEDED);
            Mqtt5SubAck again = suback(c, Mqtt5Subscribe.builder().topicFilter("q/0").qos(MqttQos.EXACTLY_ONCE).build());
            assertThat(again.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
            c.disconnect();
        }
    }

    @Test
    void mqtt311ClientsGetTheFailureCodeBeyondTheQuota() throws Exception {
        try (TestBroker broker = start(Limits.defaults().withMaxSubscriptionsPerSession(1))) {
            org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                    "tcp://127.0.0.1:" + broker.port(), "paho", new MemoryPersistence());
            MqttConnectOptions opts = new MqttConnectOptions();
            paho.connect(opts);
            int[] granted = paho.subscribeWithResponse(new String[] {"a", "b"}, new int[] {0, 0}, null).getGrantedQos();
            assertThat(granted).containsExactly(0, 0x80);
            paho.disconnect();
            paho.close();
        }
    }

    @Test
    void anOfflineSessionQueuesUpToItsBoundAndCountsWhatItDrops() throws Exception {
        try (TestBroker broker = start(Limits.defaults().withMaxQueuedMessages(5))) {
            Mqtt5BlockingClient sub = hivemq(broker, "sleeper");
            sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
            sub.subscribeWith().topicFilter("queue/#").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.disconnect();

            Mqtt5BlockingClient pub = hivemq(broker, "talker");
            pub.connect();
            for (int i = 0; i < 12; i++) {
                pub.publishWith().topic("queue/x").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
            }
            assertThat(broker.broker().droppedMessages()).isEqualTo(7);

            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            Mqtt5BlockingClient again = hivemq(broker, "sleeper");
            again.toAsync().publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL,
                    p -> got.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
            assertThat(again.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();
            List<String> received = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                received.add(got.poll(5, TimeUnit.SECONDS));
            }
            assertThat(received).containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(got.poll(200, TimeUnit.MILLISECONDS)).isNull();
            again.disconnect();
            pub.disconnect();
        }
    }

    @Test
    void connectionsBeyondTheBrokerLimitAreClosedAtAcceptAndPlacesAreGivenBack() throws Exception {
        try (TestBroker broker = start(Limits.defaults().withMaxConnections(2))) {
            Mqtt5BlockingClient a = hivemq(broker, "a");
            Mqtt5BlockingClient b = hivemq(broker, "b");
            a.connect();
            b.connect();
            try (RawMqttClient third = new RawMqttClient(broker.port(), MqttVersion.MQTT_5)) {
                assertThat(third.closedWithin(Duration.ofSeconds(5))).isTrue();
            }
            a.disconnect();
            Mqtt5BlockingClient c = hivemq(broker, "c");
            awaitConnect(c);
            c.disconnect();
            b.disconnect();
        }
    }

    @Test
    void aFullBrokerEndsTheSessionOfflineLongestAndRefusesWhenEverySessionIsConnected() throws Exception {
        try (TestBroker broker = start(Limits.defaults().withMaxSessions(2))) {
            Mqtt5BlockingClient a = hivemq(broker, "a");
            a.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            a.subscribeWith().topicFilter("a/inbox").qos(MqttQos.AT_LEAST_ONCE).send();
            a.disconnect();
            Mqtt5BlockingClient b = hivemq(broker, "b");
            b.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();

            // Two sessions held (a offline, b connected): c's new session pushes a's out.
            Mqtt5BlockingClient c = hivemq(broker, "c");
            awaitConnect(c);

            // b and c are connected, so there is nothing to end: d is refused with Quota exceeded...
            Mqtt5BlockingClient d = hivemq(broker, "d");
            assertThatThrownBy(d::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                    e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED));
            // ...and an MQTT 3.1.1 client with "server unavailable".
            org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                    "tcp://127.0.0.1:" + broker.port(), "e", new MemoryPersistence());
            assertThatThrownBy(() -> paho.connect(new MqttConnectOptions())).isInstanceOfSatisfying(
                    org.eclipse.paho.client.mqttv3.MqttException.class,
                    e -> assertThat(e.getReasonCode()).isEqualTo(3));
            paho.close();

            // A client that already holds a session takes it over without needing room.
            Mqtt5BlockingClient b2 = hivemq(broker, "b");
            assertThat(b2.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent()).isTrue();

            // a's session (and its subscription) was ended, not kept: it comes back to a fresh one once there is room.
            c.disconnect();
            Mqtt5BlockingClient a2 = hivemq(broker, "a");
            for (int i = 0; i < 50 && !a2.getState().isConnected(); i++) {
                try {
                    assertThat(a2.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
                            .isFalse();
                } catch (Mqtt5ConnAckException e) {
                    Thread.sleep(100); // c's close may trail its DISCONNECT
                }
            }
            assertThat(a2.getState().isConnected()).isTrue();
            a2.disconnect();
            b2.disconnect();
        }
    }

    @Test
    void aListenerLimitOnlyBoundsThatListener() throws Exception {
        ListenerConfig limited = ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll())
                .withMaxConnections(1);
        try (TestBroker broker = TestBroker.start(limited, b -> { })) {
            Mqtt5BlockingClient a = hivemq(broker, "a");
            a.connect();
            try (RawMqttClient second = new RawMqttClient(broker.port(), MqttVersion.MQTT_5)) {
                assertThat(second.closedWithin(Duration.ofSeconds(5))).isTrue();
            }
            a.disconnect();
        }
    }

    @Test
    void topicsDeeperThanTheLimitAreRefusedWithTopicNameOrFilterInvalid() {
        try (TestBroker broker = start(Limits.defaults().withMaxTopicLevels(3).withMaxTopicLength(20))) {
            Mqtt5BlockingClient c = hivemq(broker, "deep");
            c.connect();
            assertThat(pubAck(c, "a/b/c")).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
            assertThat(pubAck(c, "a/b/c/d")).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
            assertThat(pubAck(c, "a/very-long-topic-name")).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
            Mqtt5SubAck ack = suback(c, Mqtt5Subscribe.builder()
                    .addSubscription().topicFilter("a/b/#").qos(MqttQos.AT_MOST_ONCE).applySubscription()
                    .addSubscription().topicFilter("a/b/c/#").qos(MqttQos.AT_MOST_ONCE).applySubscription()
                    .build());
            assertThat(ack.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_0,
                    Mqtt5SubAckReasonCode.TOPIC_FILTER_INVALID);
            assertThat(c.getState().isConnected()).isTrue();
            c.disconnect();
        }
    }

    @Test
    void keepAliveBoundsTellMqtt5ClientsTheNearestBoundAndRefuseMqtt3ClientsOutsideThem() throws Exception {
        try (TestBroker broker = start(Limits.defaults().withKeepAliveBounds(10, 60))) {
            Mqtt5BlockingClient tooLong = hivemq(broker, "long");
            assertThat(tooLong.connectWith().keepAlive(600).send().getServerKeepAlive()).hasValue(60);
            tooLong.disconnect();
            Mqtt5BlockingClient never = hivemq(broker, "never");
            assertThat(never.connectWith().keepAlive(0).send().getServerKeepAlive()).hasValue(60);
            never.disconnect();
            Mqtt5BlockingClient tooShort = hivemq(broker, "short");
            assertThat(tooShort.connectWith().keepAlive(2).send().getServerKeepAlive()).hasValue(10);
            tooShort.disconnect();
            Mqtt5BlockingClient fine = hivemq(broker, "fine");
            assertThat(fine.connectWith().keepAlive(30).send().getServerKeepAlive()).isEmpty();
            fine.disconnect();

            org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                    "tcp://127.0.0.1:" + broker.port(), "paho-ka", new MemoryPersistence());
            MqttConnectOptions opts = new MqttConnectOptions();
            opts.setKeepAliveInterval(600);
            assertThatThrownBy(() -> paho.connect(opts)).isInstanceOfSatisfying(
                    org.eclipse.paho.client.mqttv3.MqttException.class,
                    e -> assertThat(e.getReasonCode()).isEqualTo(2));
            opts.setKeepAliveInterval(30);
            paho.connect(opts);
            paho.disconnect();
            paho.close();
        }
    }

    private static void awaitConnect(Mqtt5BlockingClient c) throws InterruptedException {
        // The broker gives the place back when it sees the close, which may trail the client's DISCONNECT.
        for (int i = 0; i < 50; i++) {
            try {
                c.connect();
                return;
            } catch (RuntimeException e) {
                Thread.sleep(100);
            }
        }
        c.connect();
    }

    private static Mqtt5PubAckReasonCode pubAck(Mqtt5BlockingClient c, String topic) {
        try {
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .send()).getPubAck().getReasonCode();
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    private static Mqtt5SubAck suback(Mqtt5BlockingClient c, Mqtt5Subscribe s) {
        try {
            return c.subscribe(s);
        } catch (Mqtt5SubAckException e) {
            return e.getMqttMessage();
        }
    }
}

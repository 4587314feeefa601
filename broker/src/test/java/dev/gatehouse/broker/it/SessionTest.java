package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Clean session / clean start, session expiry, the session present flag, and client id takeover. */
class SessionTest extends FlowTestSupport {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sessionPresentReflectsWhetherAPersistentSessionWasKept(Kind kind) throws Exception {
        TestClient c = client(kind);
        assertThat(c.connect(true)).as("first clean connect").isFalse();
        c.disconnect();
        assertThat(c.connect(false)).as("a clean session ends with its connection").isFalse();
        c.subscribe("s/" + c.id(), 1);
        c.disconnect();
        assertThat(c.connect(false)).as("persistent session resumed").isTrue();
        c.disconnect();
        assertThat(c.connect(true)).as("clean start never reports a session").isFalse();
        c.disconnect();
        assertThat(c.connect(false)).as("the clean connect discarded the old session").isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void persistentSessionKeepsSubscriptionsAndQueuesQos1And2WhileOffline(Kind kind) throws Exception {
        String topic = unique("queued");
        TestClient sub = client(kind);
        sub.connect(false);
        sub.subscribe(topic, 2);
        sub.disconnect();

        TestClient pub = client(Kind.HIVEMQ_5);
        pub.connect(true);
        pub.publish(topic, bytes("one"), 1, false);
        pub.publish(topic, bytes("two"), 2, false);

        assertThat(sub.connect(false)).isTrue();
        Received one = next(sub.inbox());
        Received two = next(sub.inbox());
        assertThat(one.text()).isEqualTo("one");
        assertThat(one.qos()).isEqualTo(1);
        assertThat(two.text()).isEqualTo("two");
        assertThat(two.qos()).isEqualTo(2);

        pub.publish(topic, bytes("three"), 1, false);
        assertThat(next(sub.inbox()).text()).as("the subscription survived the reconnect").isEqualTo("three");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cleanConnectDiscardsSubscriptionsAndQueuedMessages(Kind kind) throws Exception {
        String topic = unique("discard");
        TestClient sub = client(kind);
        sub.connect(false);
        sub.subscribe(topic, 1);
        sub.disconnect();

        TestClient pub = client(Kind.HIVEMQ_5);
        pub.connect(true);
        pub.publish(topic, bytes("while offline"), 1, false);

        assertThat(sub.connect(true)).isFalse();
        String marker = topic + "/marker";
        sub.subscribe(marker, 1);
        pub.publish(topic, bytes("old subscription"), 1, false);
        pub.publish(marker, bytes("marker"), 1, false);
        // Anything queued would have come right after CONNACK, and the old subscription would match first.
        assertThat(next(sub.inbox()).text()).isEqualTo("marker");
    }

    @Test
    void sessionExpiryZeroEndsThe5SessionAtDisconnect() throws Exception {
        String id = unique("expiry0");
        // clean start 0 but no Session Expiry Interval: the session lasts only as long as the connection
        RawMqttClient first = raw(MqttVersion.MQTT_5);
        connect(first, connectPacket(MqttVersion.MQTT_5, id, false, 0));
        subscribe(first, 1, MqttQoS.AT_LEAST_ONCE, "expiry0/t");
        first.send(disconnectPacket(0));
        assertThat(first.closedWithin(WAIT)).isTrue();
        RawMqttClient again = raw(MqttVersion.MQTT_5);
        assertThat(connect(again, connectPacket(MqttVersion.MQTT_5, id, false, 0)).variableHeader().isSessionPresent())
                .as("expiry 0 ends the session when the connection closes").isFalse();
    }

    @Test
    void sessionExpiryIntervalEndsTheSessionAfterDisconnect() throws Exception {
        String id = unique("expiry1");
        String topic = unique("expiring");
        Mqtt5BlockingClient c = track(hive5Builder(id, port()).buildBlocking());
        c.connectWith().cleanStart(true).sessionExpiryInterval(1).send();
        c.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        assertThat(broker.broker().sessionCount()).isEqualTo(1);

        await("the session to expire", () -> broker.broker().sessionCount() == 0);
        assertThat(c.connectWith().cleanStart(false).sessionExpiryInterval(1).send().isSessionPresent()).isFalse();
    }

    @Test
    void sessionExpiryZeroOnDisconnectEndsTheSession() throws Exception {
        String id = unique("expiry-on-disconnect");
        RawMqttClient c = rawConnected(MqttVersion.MQTT_5, id, false);
        c.send(MqttMessageBuilders.disconnect().properties(props(MqttPropertyType.SESSION_EXPIRY_INTERVAL, 0)).build());
        assertThat(c.closedWithin(WAIT)).isTrue();
        RawMqttClient again = raw(MqttVersion.MQTT_5);
        assertThat(connect(again, connectPacket(MqttVersion.MQTT_5, id, false, 60)).variableHeader().isSessionPresent())
                .as("DISCONNECT with session expiry 0 ended the session").isFalse();
    }

    @Test
    void sessionExpiryAboveTheMaximumIsCappedAndTheCapAnnounced() throws Exception {
        restartBroker(limits().withMaxSessionExpiry(Duration.ofSeconds(30)), b -> { });
        Mqtt5BlockingClient c = track(hive5Builder(unique("expiry-cap"), port()).buildBlocking());
        Mqtt5ConnAck ack = c.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        assertThat(ack.getSessionExpiryInterval()).hasValue(30);
    }

    @Test
    void persistent311SessionLastsAtMostTheMaximumSessionExpiry() throws Exception {
        restartBroker(limits().withMaxSessionExpiry(Duration.ofSeconds(1)), b -> { });
        TestClient c = client(Kind.PAHO_3);
        c.connect(false);
        c.subscribe(unique("bounded-311"), 1);
        c.disconnect();
        await("the 3.1.1 session to expire", () -> broker.broker().sessionCount() == 0);
        assertThat(c.connect(false)).isFalse();
    }

    @Test
    void takeoverSends5Disconnect0x8EToTheOldConnectionAndTheNewOneWorks() throws Exception {
        String id = unique("takeover5");
        RawMqttClient old = rawConnected(MqttVersion.MQTT_5, id, true);
        RawMqttClient fresh = rawConnected(MqttVersion.MQTT_5, id, true);

        MqttMessage disconnect = expect(old, MqttMessageType.DISCONNECT);
        assertThat(reasonCode(disconnect)).isEqualTo(0x8E);
        assertThat(old.closedWithin(WAIT)).isTrue();

        assertWorks(fresh, unique("takeover5/t"));
        assertThat(broker.broker().connectionCount()).isEqualTo(1);
    }

    @Test
    void takeoverCloses311OldConnectionAndTheNewOneWorks() throws Exception {
        String id = unique("takeover3");
        RawMqttClient old = rawConnected(MqttVersion.MQTT_3_1_1, id, true);
        RawMqttClient fresh = rawConnected(MqttVersion.MQTT_3_1_1, id, true);
        assertThat(old.closedWithin(WAIT)).isTrue();
        assertWorks(fresh, unique("takeover3/t"));
    }

    @Test
    void takeoverByARealClientKeepsThePersistentSession() throws Exception {
        String id = unique("takeover-hive");
        String topic = unique("takeover-topic");
        BlockingQueue<Throwable> oldCauses = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient old = track(hive5Builder(id, port())
                .addDisconnectedListener(ctx -> oldCauses.add(ctx.getCause())).buildBlocking());
        old.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        old.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();

        Mqtt5BlockingClient fresh = track(hive5Builder(id, port()).buildBlocking());
        BlockingQueue<Mqtt5Publish> inbox = inbox(fresh);
        assertThat(fresh.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();

        Throwable cause = next(oldCauses);
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);

        hive5Connected().publishWith().topic(topic).payload(bytes("to the new one")).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(text(next(inbox).getPayloadAsBytes())).isEqualTo("to the new one");
    }

    @Test
    void takeoverOfAPaho311ClientByAPaho311Client() throws Exception {
        String id = unique("takeover-paho");
        String topic = unique("takeover-paho-topic");
        TestClient old = client(Kind.PAHO_3, id);
        old.connect(false);
        old.subscribe(topic, 1);
        TestClient fresh = client(Kind.PAHO_3, id);
        assertThat(fresh.connect(false)).isTrue();
        await("the old client to notice", () -> !((Paho3) old).isConnected());
        TestClient pub = client(Kind.HIVEMQ_3);
        pub.connect(true);
        pub.publish(topic, bytes("hello"), 1, false);
        assertThat(next(fresh.inbox()).text()).isEqualTo("hello");
    }

    @Test
    void takeoverPublishesTheWillOfTheOldConnection() throws Exception {
        String id = unique("takeover-will");
        String willTopic = unique("takeover-will");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient old = raw(MqttVersion.MQTT_5);
        connect(old, connectPacket(MqttVersion.MQTT_5, id, true).willFlag(true).willTopic(willTopic)
                .willMessage(bytes("taken over")).willQoS(MqttQoS.AT_LEAST_ONCE).build());
        rawConnected(MqttVersion.MQTT_5, id, true);
        // MQTT 5 §3.1.4: "If the existing Client has a Will Message, that Will Message is published"
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("taken over");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void takeoverOfAPersistentSessionRedeliversWhatWasInFlight(MqttVersion v) throws Exception {
        String id = unique("takeover-inflight");
        String topic = unique("takeover-inflight");
        RawMqttClient old = rawConnected(v, id, false);
        subscribe(old, 1, MqttQoS.AT_LEAST_ONCE, topic);
        broker.broker().publish(topic, bytes("in flight"), 1, false).join();
        RawPublish first = expectPublish(old);

        RawMqttClient fresh = raw(v);
        assertThat(connect(fresh, connectPacket(v, id, false, 60)).variableHeader().isSessionPresent()).isTrue();
        RawPublish again = expectPublish(fresh);
        assertThat(again.dup()).isTrue();
        assertThat(again.packetId()).isEqualTo(first.packetId());
        assertThat(again.text()).isEqualTo("in flight");
        assertThat(old.closedWithin(WAIT)).isTrue();
    }

    @Test
    void raisingSessionExpiryFromZeroOnDisconnectIsAProtocolError() throws Exception {
        String willTopic = unique("expiry-raise");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        connect(c, connectPacket(MqttVersion.MQTT_5, unique("expiry-raise"), true).willFlag(true).willTopic(willTopic)
                .willMessage(bytes("protocol error")).willQoS(MqttQoS.AT_LEAST_ONCE).build());
        c.send(MqttMessageBuilders.disconnect().properties(props(MqttPropertyType.SESSION_EXPIRY_INTERVAL, 60)).build());
        // MQTT 5 §3.14.2.2.2; the server closes because of a protocol error, so the will goes out
        assertThat(reasonCode(expect(c, MqttMessageType.DISCONNECT))).isEqualTo(0x82);
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("protocol error");
    }

    @Test
    void sessionExpiryExtendedOnDisconnectKeepsTheSession() throws Exception {
        String id = unique("expiry-extend");
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        connect(c, connectPacket(MqttVersion.MQTT_5, id, false, 1));
        c.send(MqttMessageBuilders.disconnect().properties(props(MqttPropertyType.SESSION_EXPIRY_INTERVAL, 60)).build());
        assertThat(c.closedWithin(WAIT)).isTrue();
        Thread.sleep(2000); // past the 1 s asked for at CONNECT
        RawMqttClient again = raw(MqttVersion.MQTT_5);
        assertThat(connect(again, connectPacket(MqttVersion.MQTT_5, id, false, 60)).variableHeader().isSessionPresent())
                .isTrue();
    }

    @Test
    void offlineQueueIsBoundedAndTheOverflowIsCounted() throws Exception {
        restartBroker(limits().withMaxQueuedMessages(5), b -> { });
        String topic = unique("bounded");
        TestClient sub = client(Kind.HIVEMQ_5);
        sub.connect(false);
        sub.subscribe(topic, 1);
        sub.disconnect();
        await("the session to be offline", () -> broker.broker().connectionCount() == 0);
        for (int i = 0; i < 8; i++) {
            broker.broker().publish(topic, bytes("m" + i), 1, false).join();
        }
        assertThat(broker.broker().droppedMessages()).isEqualTo(3);
        assertThat(sub.connect(false)).isTrue();
        assertThat(next(sub.inbox(), 5)).extracting(Received::text).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertNothingArrives(sub.inbox());
    }

    /** The connection can subscribe and receive its own QoS 1 publish. */
    private static void assertWorks(RawMqttClient c, String topic) throws Exception {
        assertThat(subscribe(c, 1, MqttQoS.AT_LEAST_ONCE, topic)).containsExactly(1);
        c.send(publishPacket(topic, MqttQoS.AT_LEAST_ONCE, 2, bytes("self")));
        // PUBACK and the delivery may come in either order
        boolean acked = false;
        RawPublish delivered = null;
        while (!acked || delivered == null) {
            MqttMessage m = c.read(WAIT);
            assertThat(m).as("PUBACK and PUBLISH").isNotNull();
            if (m.fixedHeader().messageType() == MqttMessageType.PUBACK) {
                assertThat(packetIdOf(m)).isEqualTo(2);
                acked = true;
            } else {
                assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBLISH);
                delivered = copy((MqttPublishMessage) m);
            }
        }
        assertThat(delivered.text()).isEqualTo("self");
    }
}

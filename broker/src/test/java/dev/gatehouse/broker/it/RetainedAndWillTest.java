package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Retained messages (set, replace, clear, retain flags, Retain Handling) and wills (loss, DISCONNECT, delay, properties). */
class RetainedAndWillTest extends FlowTestSupport {

    // ---- retained ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void retainedMessageIsDeliveredOnSubscribeWithTheRetainFlag(Kind kind) throws Exception {
        String t = unique("retained");
        TestClient pub = client(Kind.HIVEMQ_5);
        pub.connect(true);
        pub.publish(t, bytes("kept"), 1, true);

        TestClient sub = client(kind);
        sub.connect(true);
        sub.subscribe(t, 1);
        Received r = next(sub.inbox());
        assertThat(r.text()).isEqualTo("kept");
        assertThat(r.retain()).isTrue();
        assertThat(r.qos()).isEqualTo(1);
    }

    @Test
    void retainedMessageIsReplacedAndClearedByAnEmptyPayload() throws Exception {
        String t = unique("replace");
        TestClient pub = client(Kind.PAHO_3);
        pub.connect(true);
        pub.publish(t, bytes("v1"), 1, true);
        pub.publish(t, bytes("v2"), 1, true);

        TestClient late = client(Kind.HIVEMQ_3);
        late.connect(true);
        late.subscribe(t, 1);
        pub.publish(t, bytes("live"), 1, false);
        assertThat(next(late.inbox(), 2)).extracting(Received::text).containsExactly("v2", "live");

        pub.publish(t, new byte[0], 1, true);
        Received clear = next(late.inbox());
        assertThat(clear.payload()).as("the clearing message is still forwarded to subscribers").isEmpty();
        await("the retained message to be cleared", () -> broker.broker().retainedCount() == 0);

        TestClient later = client(Kind.HIVEMQ_5);
        later.connect(true);
        later.subscribe(t, 1);
        pub.publish(t, bytes("live again"), 1, false);
        Received first = next(later.inbox());
        assertThat(first.text()).isEqualTo("live again");
        assertThat(first.retain()).isFalse();
    }

    @Test
    void wildcardSubscriptionGetsEveryMatchingRetainedMessage() throws Exception {
        String root = unique("wild-retained");
        TestClient pub = client(Kind.HIVEMQ_5);
        pub.connect(true);
        pub.publish(root + "/1", bytes("1"), 0, true);
        pub.publish(root + "/2", bytes("2"), 1, true);
        pub.publish(root + "/deep/3", bytes("3"), 2, true);
        broker.broker().publish(root + "/4", bytes("4"), 1, true).join();
        pub.publish(unique("elsewhere"), bytes("x"), 1, true);

        TestClient plus = client(Kind.PAHO_5);
        plus.connect(true);
        plus.subscribe(root + "/+", 2);
        TestClient hash = client(Kind.HIVEMQ_3);
        hash.connect(true);
        hash.subscribe(root + "/#", 2);
        pub.publish(root + "/live", bytes("marker"), 1, false);

        assertThat(next(plus.inbox(), 3)).extracting(Received::text).containsExactlyInAnyOrder("1", "2", "4");
        assertThat(next(plus.inbox()).text()).isEqualTo("marker");
        List<Received> all = next(hash.inbox(), 4);
        assertThat(all).extracting(Received::text).containsExactlyInAnyOrder("1", "2", "3", "4");
        assertThat(all).allMatch(Received::retain);
        assertThat(next(hash.inbox()).text()).isEqualTo("marker");
    }

    @Test
    void forwardedMessagesToAnExisting311SubscriptionHaveRetainClear() throws Exception {
        String t = unique("retain-flag3");
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_3_1_1, unique("rf3"), true);
        subscribe(sub, 1, MqttQoS.AT_MOST_ONCE, t);
        hive5Connected().publishWith().topic(t).payload(bytes("live")).retain(true).send();
        RawPublish p = expectPublish(sub);
        assertThat(p.text()).isEqualTo("live");
        assertThat(p.retain()).as("MQTT-3.3.1-9: retain 0 when sent to an established subscription").isFalse();

        RawMqttClient late = rawConnected(MqttVersion.MQTT_3_1_1, unique("rf3-late"), true);
        subscribe(late, 1, MqttQoS.AT_MOST_ONCE, t);
        assertThat(expectPublish(late).retain()).as("delivered because retained: retain 1").isTrue();
    }

    @Test
    void retainAsPublishedKeepsTheFlagOnForwarded5Messages() throws Exception {
        String t = unique("rap");
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_5, unique("rap"), true);
        subscribe(sub, 1, t + "/on", new MqttSubscriptionOption(MqttQoS.AT_MOST_ONCE, false, true,
                RetainedHandlingPolicy.SEND_AT_SUBSCRIBE), MqttProperties.NO_PROPERTIES);
        subscribe(sub, 2, t + "/off", new MqttSubscriptionOption(MqttQoS.AT_MOST_ONCE, false, false,
                RetainedHandlingPolicy.SEND_AT_SUBSCRIBE), MqttProperties.NO_PROPERTIES);
        Mqtt5BlockingClient pub = hive5Connected();
        pub.publishWith().topic(t + "/on").payload(bytes("on")).retain(true).send();
        pub.publishWith().topic(t + "/off").payload(bytes("off")).retain(true).send();
        pub.publishWith().topic(t + "/on").payload(bytes("plain")).retain(false).send();

        RawPublish on = expectPublish(sub);
        assertThat(on.text()).isEqualTo("on");
        assertThat(on.retain()).as("retain as published").isTrue();
        RawPublish off = expectPublish(sub);
        assertThat(off.text()).isEqualTo("off");
        assertThat(off.retain()).isFalse();
        RawPublish plain = expectPublish(sub);
        assertThat(plain.retain()).isFalse();
    }

    @Test
    void retainHandlingZeroSendsOnEverySubscribe() throws Exception {
        SubscriberWithMarker s = new SubscriberWithMarker(retainedTopic());
        s.subscribe(Mqtt5RetainHandling.SEND);
        s.subscribe(Mqtt5RetainHandling.SEND);
        assertThat(s.retainedCopies()).isEqualTo(2);
    }

    @Test
    void retainHandlingOneSendsOnlyForANewSubscription() throws Exception {
        SubscriberWithMarker s = new SubscriberWithMarker(retainedTopic());
        s.subscribe(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST);
        s.subscribe(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST);
        assertThat(s.retainedCopies()).isEqualTo(1);
    }

    @Test
    void retainHandlingTwoNeverSends() throws Exception {
        SubscriberWithMarker s = new SubscriberWithMarker(retainedTopic());
        s.subscribe(Mqtt5RetainHandling.DO_NOT_SEND);
        assertThat(s.retainedCopies()).isZero();
    }

    /**
     * A client that subscribes (SUBACK received) and only then sees a newer message published must get the
     * retained message first: otherwise it ends up holding the stale retained value as the latest state.
     */
    @Test
    void retainedMessageComesBeforeMessagesPublishedAfterTheSuback() throws Exception {
        String t = retainedTopic();
        for (int i = 0; i < 20; i++) {
            SubscriberWithMarker s = new SubscriberWithMarker(t);
            s.subscribe(Mqtt5RetainHandling.SEND);
            assertThat(s.receivedUpToLastMarker()).as("attempt %d", i).containsExactly("retained", "marker");
            s.close();
        }
    }

    private String retainedTopic() {
        String t = unique("rh");
        broker.broker().publish(t, bytes("retained"), 1, true).join();
        return t;
    }

    /** A HiveMQ 5 subscriber that publishes a live marker after each SUBSCRIBE so that absence is visible. */
    private final class SubscriberWithMarker {
        private final String topic;
        private final Mqtt5BlockingClient client;
        private final BlockingQueue<Mqtt5Publish> inbox;
        private int markers;

        SubscriberWithMarker(String topic) {
            this.topic = topic;
            this.client = track(hive5Builder(unique("rh"), port()).buildBlocking());
            this.inbox = inbox(client);
            client.connect();
        }

        void subscribe(Mqtt5RetainHandling handling) {
            client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).retainHandling(handling).send();
            broker.broker().publish(topic, bytes("marker"), 1, false).join();
            markers++;
        }

        /** Payloads received up to and including the last marker. */
        List<String> receivedUpToLastMarker() throws InterruptedException {
            List<String> out = new ArrayList<>();
            int seen = 0;
            while (seen < markers) {
                String s = text(next(inbox).getPayloadAsBytes());
                out.add(s);
                if (s.equals("marker")) {
                    seen++;
                }
            }
            return out;
        }

        /** How many retained copies arrived, in any order relative to the markers. */
        long retainedCopies() throws InterruptedException {
            List<String> all = new ArrayList<>(receivedUpToLastMarker());
            Mqtt5Publish straggler;
            while ((straggler = inbox.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                all.add(text(straggler.getPayloadAsBytes()));
            }
            assertThat(all).filteredOn("marker"::equals).hasSize(markers);
            return all.stream().filter("retained"::equals).count();
        }

        void close() {
            client.disconnect();
        }
    }

    // ---- wills ----

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void willIsPublishedWhenTheSocketClosesWithoutDisconnect(MqttVersion v) throws Exception {
        String willTopic = unique("will");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(v);
        connect(c, connectPacket(v, unique("will"), true).willFlag(true).willTopic(willTopic)
                .willMessage(bytes("gone")).willQoS(MqttQoS.AT_LEAST_ONCE).build());
        c.close();
        Mqtt5Publish will = next(watcher);
        assertThat(text(will.getPayloadAsBytes())).isEqualTo("gone");
        assertThat(will.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void willIsPublishedWhenTheServerClosesForAProtocolError(MqttVersion v) throws Exception {
        String willTopic = unique("will-protocol");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(v);
        MqttConnectMessage connect = connectPacket(v, unique("will-protocol"), true).willFlag(true).willTopic(willTopic)
                .willMessage(bytes("broke the protocol")).willQoS(MqttQoS.AT_LEAST_ONCE).build();
        connect(c, connect);
        c.send(connectPacket(v, unique("second"), true).build()); // a second CONNECT
        assertThat(c.closedWithin(WAIT)).isTrue();
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("broke the protocol");
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"PAHO_3", "PAHO_5"})
    void willOfARealClientIsPublishedOnAbnormalLoss(Kind kind) throws Exception {
        String willTopic = unique("will-real");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        TestClient c = client(kind);
        c.will(willTopic, bytes("lost " + kind), 1, false);
        c.connect(true);
        if (c instanceof Paho3 p) {
            p.drop();
        } else {
            ((Paho5) c).drop();
        }
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("lost " + kind);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void willIsNotPublishedOnANormalDisconnect(Kind kind) throws Exception {
        String willTopic = unique("no-will");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        TestClient c = client(kind);
        c.will(willTopic, bytes("should not appear"), 1, false);
        c.connect(true);
        c.disconnect();
        await("the disconnect to be processed", () -> broker.broker().connectionCount() == 1);
        broker.broker().publish(willTopic, bytes("marker"), 1, false).join();
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("marker");
    }

    @Test
    void disconnectWithReason0x04PublishesTheWill() throws Exception {
        String willTopic = unique("will-04");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        Mqtt5BlockingClient c = track(hive5Builder(unique("will-04"), port())
                .willPublish().topic(willTopic).payload(bytes("asked for")).qos(MqttQos.AT_LEAST_ONCE).applyWillPublish()
                .buildBlocking());
        c.connect();
        c.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("asked for");
    }

    @Test
    void delayedWillIsPublishedAfterItsDelay() throws Exception {
        String willTopic = unique("will-delay");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        connect(c, delayedWillConnect(unique("will-delay"), willTopic, 1, 60));
        c.close();
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("delayed");
    }

    @Test
    void reconnectWithinTheWillDelaySuppressesTheWill() throws Exception {
        String id = unique("will-resume");
        String willTopic = unique("will-resume");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        connect(c, delayedWillConnect(id, willTopic, 30, 60));
        c.close();

        RawMqttClient resumed = raw(MqttVersion.MQTT_5);
        assertThat(connect(resumed, connectPacket(MqttVersion.MQTT_5, id, false, 60)).variableHeader().isSessionPresent())
                .isTrue();
        resumed.send(disconnectPacket(0));
        assertThat(resumed.closedWithin(WAIT)).isTrue();
        broker.broker().publish(willTopic, bytes("marker"), 1, false).join();
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("marker");
    }

    @Test
    void cleanStartWithinTheWillDelayEndsTheOldSessionAndSendsItsWill() throws Exception {
        String id = unique("will-clean");
        String willTopic = unique("will-clean");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        connect(c, delayedWillConnect(id, willTopic, 30, 60));
        c.close();
        await("the first connection to be gone", () -> broker.broker().connectionCount() == 1);
        // a new connection, but not to this session: the old session ends and with it the will delay
        RawMqttClient fresh = raw(MqttVersion.MQTT_5);
        assertThat(connect(fresh, connectPacket(MqttVersion.MQTT_5, id, true, 0)).variableHeader().isSessionPresent())
                .isFalse();
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("delayed");
    }

    @Test
    void delayedWillIsPublishedWhenTheSessionEndsFirst() throws Exception {
        String willTopic = unique("will-session-end");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        // delay 60 s but the session lasts 1 s: the will goes out when the session ends (MQTT 5 §3.1.2.5)
        connect(c, delayedWillConnect(unique("will-session-end"), willTopic, 60, 1));
        c.close();
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("delayed");
    }

    @Test
    void delayedWillOfASessionWithoutExpiryIsPublishedAtOnce() throws Exception {
        String willTopic = unique("will-no-session");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 1);
        RawMqttClient c = raw(MqttVersion.MQTT_5);
        connect(c, delayedWillConnect(unique("will-no-session"), willTopic, 60, 0));
        c.close();
        assertThat(text(next(watcher).getPayloadAsBytes())).isEqualTo("delayed");
    }

    private static MqttConnectMessage delayedWillConnect(String id, String willTopic, int delaySeconds,
                                                         int sessionExpiry) {
        MqttMessageBuilders.ConnectBuilder b = connectPacket(MqttVersion.MQTT_5, id, false).willFlag(true)
                .willTopic(willTopic).willMessage(bytes("delayed")).willQoS(MqttQoS.AT_LEAST_ONCE)
                .willProperties(props(MqttPropertyType.WILL_DELAY_INTERVAL, delaySeconds));
        if (sessionExpiry > 0) {
            b.properties(props(MqttPropertyType.SESSION_EXPIRY_INTERVAL, sessionExpiry));
        }
        return b.build();
    }

    @Test
    void willPropertiesArePassedThrough() throws Exception {
        String willTopic = unique("will-props");
        BlockingQueue<Mqtt5Publish> watcher = hive5Subscriber(willTopic, 2);
        Mqtt5BlockingClient c = track(hive5Builder(unique("will-props"), port())
                .willPublish().topic(willTopic).payload(bytes("{\"state\":\"offline\"}")).qos(MqttQos.EXACTLY_ONCE)
                .contentType("application/json").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .responseTopic("replies/here").correlationData(bytes("corr-1"))
                .userProperties().add("device", "d-17").add("device", "twice").add("site", "north").applyUserProperties()
                .applyWillPublish()
                .buildBlocking());
        c.connect();
        c.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();

        Mqtt5Publish will = next(watcher);
        assertThat(will.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        assertThat(will.getContentType()).hasValueSatisfying(v -> assertThat(v.toString()).isEqualTo("application/json"));
        assertThat(will.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(will.getResponseTopic()).hasValueSatisfying(v -> assertThat(v.toString()).isEqualTo("replies/here"));
        assertThat(will.getCorrelationData()).hasValueSatisfying(b -> assertThat(copy(b)).isEqualTo(bytes("corr-1")));
        assertThat(will.getUserProperties().asList()).extracting(Mqtt5UserProperty::getName, Mqtt5UserProperty::getValue)
                .extracting(Object::toString)
                .containsExactly("(device, d-17)", "(device, twice)", "(site, north)");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void willWithRetainIsStoredAsRetained(MqttVersion v) throws Exception {
        String willTopic = unique("will-retain");
        RawMqttClient c = raw(v);
        connect(c, connectPacket(v, unique("will-retain"), true).willFlag(true).willTopic(willTopic)
                .willMessage(bytes("last words")).willQoS(MqttQoS.AT_LEAST_ONCE).willRetain(true).build());
        c.close();
        await("the will to be retained", () -> broker.broker().retainedCount() == 1);

        TestClient late = client(Kind.PAHO_3);
        late.connect(true);
        late.subscribe(willTopic, 1);
        Received r = next(late.inbox());
        assertThat(r.text()).isEqualTo("last words");
        assertThat(r.retain()).isTrue();
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}

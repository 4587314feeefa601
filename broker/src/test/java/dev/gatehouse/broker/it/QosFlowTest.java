package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * QoS 0/1/2 in both directions, payload integrity and order, downgrade, packet ids, redelivery with
 * DUP on reconnect, inbound QoS 2 duplicates, Receive Maximum both ways, and topic-tree routing seen
 * through real clients.
 */
class QosFlowTest extends FlowTestSupport {

    private static final int COUNT = 30;

    /** Every publisher client with every subscriber client, at each QoS (in both protocol directions). */
    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        Kind[][] pairs = {
                {Kind.HIVEMQ_5, Kind.HIVEMQ_5}, {Kind.HIVEMQ_3, Kind.HIVEMQ_3}, {Kind.PAHO_3, Kind.PAHO_3},
                {Kind.PAHO_5, Kind.PAHO_5}, {Kind.HIVEMQ_3, Kind.PAHO_5}, {Kind.PAHO_5, Kind.HIVEMQ_3},
                {Kind.PAHO_3, Kind.HIVEMQ_5}, {Kind.HIVEMQ_5, Kind.PAHO_3}};
        for (Kind[] p : pairs) {
            for (int qos = 0; qos <= 2; qos++) {
                out.add(Arguments.of(p[0], p[1], qos));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} -> {1} at QoS {2}")
    @MethodSource("pairs")
    void messagesArriveInOrderWithIntactPayloadsAtTheirQos(Kind publisher, Kind subscriber, int qos) throws Exception {
        String topic = unique("flow");
        TestClient sub = client(subscriber);
        sub.connect(true);
        sub.subscribe(topic, qos);
        TestClient pub = client(publisher);
        pub.connect(true);

        List<byte[]> sent = payloads(new Random(qos * 31L + publisher.ordinal()));
        for (byte[] p : sent) {
            pub.publish(topic, p, qos, false);
        }
        List<Received> got = next(sub.inbox(), sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(got.get(i).topic()).isEqualTo(topic);
            assertThat(got.get(i).qos()).as("QoS of message %d", i).isEqualTo(qos);
            assertThat(got.get(i).payload()).as("payload of message %d", i).isEqualTo(sent.get(i));
        }
        assertNothingArrives(sub.inbox());
    }

    /** Numbered payloads (so order is visible) of assorted sizes, including empty, binary and 100 KiB. */
    private static List<byte[]> payloads(Random random) {
        List<byte[]> out = new ArrayList<>();
        out.add(new byte[0]);
        byte[] big = new byte[100 * 1024];
        random.nextBytes(big);
        out.add(big);
        for (int i = 0; i < COUNT; i++) {
            byte[] b = new byte[4 + random.nextInt(300)];
            random.nextBytes(b);
            b[0] = (byte) i;
            out.add(b);
        }
        return out;
    }

    @Test
    void deliveryIsDowngradedToTheSubscriptionQosButNeverUpgraded() throws Exception {
        String t = unique("downgrade");
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_5, unique("down"), true);
        subscribe(sub, 1, MqttQoS.AT_MOST_ONCE, t + "/0");
        subscribe(sub, 2, MqttQoS.AT_LEAST_ONCE, t + "/1");
        subscribe(sub, 3, MqttQoS.EXACTLY_ONCE, t + "/2");
        Mqtt5BlockingClient pub = hive5Connected();

        pub.publishWith().topic(t + "/0").payload(bytes("a")).qos(MqttQos.EXACTLY_ONCE).send();
        RawPublish a = expectPublish(sub);
        assertThat(a.qos()).isEqualTo(0);

        pub.publishWith().topic(t + "/1").payload(bytes("b")).qos(MqttQos.EXACTLY_ONCE).send();
        RawPublish b = expectPublish(sub);
        assertThat(b.qos()).isEqualTo(1);
        sub.send(ack(MqttMessageType.PUBACK, b.packetId()));

        pub.publishWith().topic(t + "/2").payload(bytes("c")).qos(MqttQos.AT_LEAST_ONCE).send();
        RawPublish c = expectPublish(sub);
        assertThat(c.qos()).as("QoS 1 publish to a QoS 2 subscription stays QoS 1").isEqualTo(1);
        sub.send(ack(MqttMessageType.PUBACK, c.packetId()));

        pub.publishWith().topic(t + "/2").payload(bytes("d")).qos(MqttQos.AT_MOST_ONCE).send();
        assertThat(expectPublish(sub).qos()).isEqualTo(0);
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void inFlightMessagesHaveDistinctNonZeroPacketIds(MqttVersion v) throws Exception {
        String t = unique("ids");
        RawMqttClient sub = rawConnected(v, unique("ids"), true);
        subscribe(sub, 1, MqttQoS.EXACTLY_ONCE, t);
        for (int i = 0; i < 5; i++) {
            broker.broker().publish(t, bytes("m" + i), i % 2 == 0 ? 1 : 2, false).join();
        }
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            RawPublish p = expectPublish(sub);
            assertThat(p.text()).isEqualTo("m" + i);
            assertThat(p.packetId()).isBetween(1, 65535);
            ids.add(p.packetId());
        }
        assertThat(ids).as("ids of unacknowledged messages are unique").hasSize(5);
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void inboundQos1And2AreAcknowledgedWithTheirPacketIds(MqttVersion v) throws Exception {
        RawMqttClient pub = rawConnected(v, unique("inbound"), true);
        pub.send(publishPacket(unique("inbound"), MqttQoS.AT_LEAST_ONCE, 4711, bytes("q1")));
        assertThat(packetIdOf(expect(pub, MqttMessageType.PUBACK))).isEqualTo(4711);
        pub.send(publishPacket(unique("inbound"), MqttQoS.EXACTLY_ONCE, 65535, bytes("q2")));
        assertThat(packetIdOf(expect(pub, MqttMessageType.PUBREC))).isEqualTo(65535);
        pub.send(ack(MqttMessageType.PUBREL, 65535));
        assertThat(packetIdOf(expect(pub, MqttMessageType.PUBCOMP))).isEqualTo(65535);
    }

    static Stream<Arguments> versionsAndQos() {
        return Stream.of(Arguments.of(MqttVersion.MQTT_3_1_1, 1), Arguments.of(MqttVersion.MQTT_3_1_1, 2),
                Arguments.of(MqttVersion.MQTT_5, 1), Arguments.of(MqttVersion.MQTT_5, 2));
    }

    @ParameterizedTest(name = "{0} QoS {1}")
    @MethodSource("versionsAndQos")
    void unacknowledgedPublishIsRedeliveredWithDupAndTheSamePacketIdOnReconnect(MqttVersion v, int qos) throws Exception {
        String id = unique("redeliver");
        String t = unique("redeliver");
        RawMqttClient first = rawConnected(v, id, false);
        subscribe(first, 1, MqttQoS.valueOf(qos), t);
        broker.broker().publish(t, bytes("unacked"), qos, false).join();
        RawPublish original = expectPublish(first);
        assertThat(original.dup()).isFalse();
        first.close(); // no PUBACK / PUBREC

        RawMqttClient second = raw(v);
        assertThat(connect(second, connectPacket(v, id, false, 60)).variableHeader().isSessionPresent()).isTrue();
        RawPublish again = expectPublish(second);
        assertThat(again.dup()).as("DUP on redelivery").isTrue();
        assertThat(again.packetId()).isEqualTo(original.packetId());
        assertThat(again.qos()).isEqualTo(qos);
        assertThat(again.topic()).isEqualTo(t);
        assertThat(again.text()).isEqualTo("unacked");
        completeOutbound(second, again);
        second.send(disconnectPacket(0));
        assertThat(second.closedWithin(WAIT)).isTrue();

        // Acknowledged now: the next resume must not bring it back.
        RawMqttClient third = raw(v);
        assertThat(connect(third, connectPacket(v, id, false, 60)).variableHeader().isSessionPresent()).isTrue();
        broker.broker().publish(t, bytes("next"), qos, false).join();
        RawPublish next = expectPublish(third);
        assertThat(next.text()).isEqualTo("next");
        assertThat(next.dup()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void pubrelIsResentOnReconnectWhenPubcompWasMissing(MqttVersion v) throws Exception {
        String id = unique("pubrel");
        String t = unique("pubrel");
        RawMqttClient first = rawConnected(v, id, false);
        subscribe(first, 1, MqttQoS.EXACTLY_ONCE, t);
        broker.broker().publish(t, bytes("q2"), 2, false).join();
        RawPublish p = expectPublish(first);
        first.send(ack(MqttMessageType.PUBREC, p.packetId()));
        assertThat(packetIdOf(expect(first, MqttMessageType.PUBREL))).isEqualTo(p.packetId());
        first.close(); // no PUBCOMP

        RawMqttClient second = raw(v);
        assertThat(connect(second, connectPacket(v, id, false, 60)).variableHeader().isSessionPresent()).isTrue();
        MqttMessage pubrel = expect(second, MqttMessageType.PUBREL);
        assertThat(packetIdOf(pubrel)).as("PUBREL, not the PUBLISH again").isEqualTo(p.packetId());
        second.send(ack(MqttMessageType.PUBCOMP, p.packetId()));

        broker.broker().publish(t, bytes("after"), 2, false).join();
        RawPublish after = expectPublish(second);
        assertThat(after.text()).isEqualTo("after");
        assertThat(after.dup()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void inboundQos2DuplicateBeforePubrelIsDeliveredOnce(MqttVersion v) throws Exception {
        String t = unique("dup-in");
        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(t, 2);
        RawMqttClient pub = rawConnected(v, unique("dup-in"), true);

        pub.send(publishPacket(t, MqttQoS.EXACTLY_ONCE, 7, bytes("once")));
        assertThat(packetIdOf(expect(pub, MqttMessageType.PUBREC))).isEqualTo(7);
        pub.send(publishPacket(t, MqttQoS.EXACTLY_ONCE, true, false, 7, bytes("once"), MqttProperties.NO_PROPERTIES));
        assertThat(packetIdOf(expect(pub, MqttMessageType.PUBREC))).isEqualTo(7);
        pub.send(ack(MqttMessageType.PUBREL, 7));
        assertThat(packetIdOf(expect(pub, MqttMessageType.PUBCOMP))).isEqualTo(7);

        // After PUBCOMP the id is free again: reusing it is a new message.
        pub.send(publishPacket(t, MqttQoS.EXACTLY_ONCE, 7, bytes("new message, same id")));
        assertThat(packetIdOf(expect(pub, MqttMessageType.PUBREC))).isEqualTo(7);
        pub.send(ack(MqttMessageType.PUBREL, 7));
        expect(pub, MqttMessageType.PUBCOMP);

        assertThat(text(next(inbox).getPayloadAsBytes())).isEqualTo("once");
        assertThat(text(next(inbox).getPayloadAsBytes())).isEqualTo("new message, same id");
        assertNothingArrives(inbox);
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void inboundQos2StateSurvivesAReconnectOfAPersistentSession(MqttVersion v) throws Exception {
        String t = unique("qos2-resume");
        String id = unique("qos2-resume");
        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(t, 2);
        RawMqttClient first = rawConnected(v, id, false);
        first.send(publishPacket(t, MqttQoS.EXACTLY_ONCE, 11, bytes("exactly once")));
        expect(first, MqttMessageType.PUBREC);
        first.close(); // before PUBREL

        RawMqttClient second = raw(v);
        assertThat(connect(second, connectPacket(v, id, false, 60)).variableHeader().isSessionPresent()).isTrue();
        // the client did not see the PUBREC, so it resends the PUBLISH with DUP
        second.send(publishPacket(t, MqttQoS.EXACTLY_ONCE, true, false, 11, bytes("exactly once"),
                MqttProperties.NO_PROPERTIES));
        assertThat(packetIdOf(expect(second, MqttMessageType.PUBREC))).isEqualTo(11);
        second.send(ack(MqttMessageType.PUBREL, 11));
        MqttMessage comp = expect(second, MqttMessageType.PUBCOMP);
        assertThat(reasonCode(comp)).isZero();

        second.send(publishPacket(t, MqttQoS.AT_MOST_ONCE, 0, bytes("marker")));
        assertThat(next(inbox, 2)).extracting(p -> text(p.getPayloadAsBytes())).containsExactly("exactly once", "marker");
    }

    @Test
    void pubrelForAnUnknownPacketIdGetsPubcomp0x92() throws Exception {
        RawMqttClient c = rawConnected(MqttVersion.MQTT_5, unique("pubrel-unknown"), true);
        c.send(ack(MqttMessageType.PUBREL, 99));
        MqttMessage comp = expect(c, MqttMessageType.PUBCOMP);
        assertThat(packetIdOf(comp)).isEqualTo(99);
        assertThat(reasonCode(comp)).isEqualTo(0x92);
    }

    @Test
    void brokerSendsNoMoreUnacknowledgedQos1ThanTheClientsReceiveMaximum() throws Exception {
        String t = unique("recvmax");
        RawMqttClient sub = raw(MqttVersion.MQTT_5);
        connect(sub, connectPacket(MqttVersion.MQTT_5, unique("recvmax"), true)
                .properties(props(MqttPropertyType.RECEIVE_MAXIMUM, 2)).build());
        subscribe(sub, 1, MqttQoS.AT_LEAST_ONCE, t);
        for (int i = 0; i < 5; i++) {
            broker.broker().publish(t, bytes("m" + i), 1, false).join();
        }
        RawPublish m0 = expectPublish(sub);
        RawPublish m1 = expectPublish(sub);
        expectSilence(sub);

        sub.send(ack(MqttMessageType.PUBACK, m0.packetId()));
        RawPublish m2 = expectPublish(sub);
        expectSilence(sub);
        sub.send(ack(MqttMessageType.PUBACK, m1.packetId()));
        sub.send(ack(MqttMessageType.PUBACK, m2.packetId()));
        RawPublish m3 = expectPublish(sub);
        RawPublish m4 = expectPublish(sub);
        assertThat(List.of(m0, m1, m2, m3, m4)).extracting(RawPublish::text).containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    @Test
    void redeliveryOnResumeRespectsTheNewReceiveMaximum() throws Exception {
        String id = unique("recvmax-resume");
        String t = unique("recvmax-resume");
        RawMqttClient first = rawConnected(MqttVersion.MQTT_5, id, false);
        subscribe(first, 1, MqttQoS.AT_LEAST_ONCE, t);
        for (int i = 0; i < 3; i++) {
            broker.broker().publish(t, bytes("m" + i), 1, false).join();
        }
        List<RawPublish> unacked = List.of(expectPublish(first), expectPublish(first), expectPublish(first));
        first.close();

        RawMqttClient second = raw(MqttVersion.MQTT_5);
        MqttProperties connectProps = props(MqttPropertyType.SESSION_EXPIRY_INTERVAL, 60);
        connectProps.add(new MqttProperties.IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(), 1));
        connect(second, connectPacket(MqttVersion.MQTT_5, id, false).properties(connectProps).build());
        // MQTT-3.3.4-9: redeliveries count against the Receive Maximum the client announced now
        broker.broker().publish(t, bytes("new"), 1, false).join();
        RawPublish previous = null;
        for (int i = 0; i < 3; i++) {
            if (previous != null) {
                second.send(ack(MqttMessageType.PUBACK, previous.packetId()));
            }
            RawPublish r = expectPublish(second);
            assertThat(r.dup()).isTrue();
            assertThat(r.packetId()).isEqualTo(unacked.get(i).packetId());
            assertThat(r.text()).isEqualTo("m" + i);
            expectSilence(second);
            previous = r;
        }
        second.send(ack(MqttMessageType.PUBACK, previous.packetId()));
        RawPublish fresh = expectPublish(second);
        assertThat(fresh.text()).as("new messages wait behind the redeliveries").isEqualTo("new");
        assertThat(fresh.dup()).isFalse();
    }

    @Test
    void brokerInflightLimitCapsAClientThatAllowsMore() throws Exception {
        restartBroker(limits().withMaxInflight(2), b -> { });
        String t = unique("maxinflight");
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_5, unique("maxinflight"), true);
        subscribe(sub, 1, MqttQoS.EXACTLY_ONCE, t);
        for (int i = 0; i < 3; i++) {
            broker.broker().publish(t, bytes("m" + i), 2, false).join();
        }
        RawPublish m0 = expectPublish(sub);
        expectPublish(sub);
        expectSilence(sub);
        // PUBREC alone does not free the slot: the QoS 2 flow ends with PUBCOMP
        sub.send(ack(MqttMessageType.PUBREC, m0.packetId()));
        expect(sub, MqttMessageType.PUBREL);
        expectSilence(sub);
        sub.send(ack(MqttMessageType.PUBCOMP, m0.packetId()));
        assertThat(expectPublish(sub).text()).isEqualTo("m2");
    }

    @Test
    void aRealClientWithReceiveMaximumOneGetsEverything() throws Exception {
        String t = unique("recvmax-hive");
        Mqtt5BlockingClient sub = track(hive5Builder(unique("rm1"), port()).buildBlocking());
        BlockingQueue<Mqtt5Publish> inbox = inbox(sub);
        sub.connectWith().restrictions().receiveMaximum(1).applyRestrictions().send();
        sub.subscribeWith().topicFilter(t).qos(MqttQos.EXACTLY_ONCE).send();
        for (int i = 0; i < 20; i++) {
            broker.broker().publish(t, bytes("m" + i), 1 + i % 2, false).join();
        }
        for (int i = 0; i < 20; i++) {
            assertThat(text(next(inbox).getPayloadAsBytes())).isEqualTo("m" + i);
        }
    }

    @Test
    void connackAnnouncesReceiveMaximumAndExceedingItWithQos2GetsDisconnect0x93() throws Exception {
        restartBroker(limits().withReceiveMaximum(2), b -> { });
        RawMqttClient pub = raw(MqttVersion.MQTT_5);
        MqttConnAckMessage ack = connect(pub, connectPacket(MqttVersion.MQTT_5, unique("rm-in"), true, 0));
        assertThat(intProp(ack.variableHeader().properties(), MqttPropertyType.RECEIVE_MAXIMUM)).isEqualTo(2);

        String t = unique("rm-in");
        for (int id = 1; id <= 2; id++) {
            pub.send(publishPacket(t, MqttQoS.EXACTLY_ONCE, id, bytes("held")));
            expect(pub, MqttMessageType.PUBREC);
        }
        pub.send(publishPacket(t, MqttQoS.EXACTLY_ONCE, 3, bytes("one too many")));
        MqttMessage disconnect = expect(pub, MqttMessageType.DISCONNECT);
        assertThat(reasonCode(disconnect)).isEqualTo(0x93);
        assertThat(pub.closedWithin(WAIT)).isTrue();
    }

    @Test
    void aRealClientHonoursTheBrokersReceiveMaximum() throws Exception {
        restartBroker(limits().withReceiveMaximum(2), b -> { });
        String t = unique("rm-hive");
        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(t, 2);
        Mqtt5AsyncClient pub = track(hive5Builder(unique("rm-pub"), port()).buildBlocking()).toAsync();
        Mqtt5ConnAck ack = pub.connect().join();
        assertThat(ack.getRestrictions().getReceiveMaximum()).isEqualTo(2);

        List<CompletableFuture<Mqtt5PublishResult>> sends = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sends.add(pub.publishWith().topic(t).payload(bytes("m" + i)).qos(MqttQos.EXACTLY_ONCE).send());
        }
        for (CompletableFuture<Mqtt5PublishResult> f : sends) {
            assertThat(f.join().getError()).isEmpty();
        }
        for (int i = 0; i < 10; i++) {
            assertThat(text(next(inbox).getPayloadAsBytes())).isEqualTo("m" + i);
        }
    }

    // ---- routing through the topic tree ----

    @Test
    void singleAndMultiLevelWildcardsMatchAsSpecified() throws Exception {
        String root = unique("wild");
        TestClient plus = client(Kind.HIVEMQ_5);
        plus.connect(true);
        plus.subscribe(root + "/+/x", 1);
        TestClient hash = client(Kind.PAHO_3);
        hash.connect(true);
        hash.subscribe(root + "/#", 1);

        TestClient pub = client(Kind.HIVEMQ_3);
        pub.connect(true);
        List<String> topics = List.of(root + "/a/x", root + "/a/y", root, root + "/a/b/x", root + "/z/x", root + "/");
        for (String topic : topics) {
            pub.publish(topic, bytes(topic), 1, false);
        }
        assertThat(next(plus.inbox(), 2)).extracting(Received::topic).containsExactly(root + "/a/x", root + "/z/x");
        assertThat(next(hash.inbox(), topics.size())).extracting(Received::topic)
                .as("'#' also matches the parent level").containsExactlyElementsOf(topics);
        assertNothingArrives(plus.inbox());
    }

    @Test
    void resubscribingToTheSameFilterReplacesTheSubscription() throws Exception {
        String t = unique("resub");
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_5, unique("resub"), true);
        subscribe(sub, 1, MqttQoS.AT_LEAST_ONCE, t);
        broker.broker().publish(t, bytes("first"), 2, false).join();
        RawPublish first = expectPublish(sub);
        assertThat(first.qos()).isEqualTo(1);
        sub.send(ack(MqttMessageType.PUBACK, first.packetId()));

        subscribe(sub, 2, MqttQoS.AT_MOST_ONCE, t);
        broker.broker().publish(t, bytes("second"), 2, false).join();
        broker.broker().publish(t, bytes("third"), 2, false).join();
        RawPublish second = expectPublish(sub);
        assertThat(second.text()).isEqualTo("second");
        assertThat(second.qos()).as("the new subscription's QoS").isEqualTo(0);
        assertThat(expectPublish(sub).text()).as("one subscription, one copy").isEqualTo("third");
        expectSilence(sub);
    }

    @Test
    void overlappingSubscriptionsOfOneClientGiveOneDeliveryAtTheHighestQos() throws Exception {
        String root = unique("overlap");
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_5, unique("overlap"), true);
        subscribe(sub, 1, MqttQoS.AT_MOST_ONCE, root + "/#");
        subscribe(sub, 2, MqttQoS.EXACTLY_ONCE, root + "/+");
        subscribe(sub, 3, MqttQoS.AT_LEAST_ONCE, root + "/x");
        Mqtt5BlockingClient pub = hive5Connected();
        pub.publishWith().topic(root + "/x").payload(bytes("x")).qos(MqttQos.EXACTLY_ONCE).send();
        pub.publishWith().topic(root + "/y/z").payload(bytes("marker")).qos(MqttQos.AT_MOST_ONCE).send();

        RawPublish x = expectPublish(sub);
        assertThat(x.text()).isEqualTo("x");
        assertThat(x.qos()).isEqualTo(2);
        assertThat(expectPublish(sub).text()).as("no second copy of x").isEqualTo("marker");
        completeOutbound(sub, x);
    }

    @Test
    void overlappingSubscriptionsWithRealClientsDeliverOnce() throws Exception {
        String root = unique("overlap-real");
        TestClient sub = client(Kind.PAHO_5);
        sub.connect(true);
        sub.subscribe(root + "/#", 1);
        sub.subscribe(root + "/+", 1);
        TestClient pub = client(Kind.PAHO_3);
        pub.connect(true);
        pub.publish(root + "/a", bytes("a"), 1, false);
        pub.publish(root + "/b/c", bytes("marker"), 1, false);
        assertThat(next(sub.inbox(), 2)).extracting(Received::text).containsExactly("a", "marker");
    }

    @Test
    void unsubackSaysWhetherTheSubscriptionExisted() throws Exception {
        String t = unique("unsuback");
        RawMqttClient c = rawConnected(MqttVersion.MQTT_5, unique("unsuback"), true);
        subscribe(c, 1, MqttQoS.AT_LEAST_ONCE, t);
        c.send(MqttMessageBuilders.unsubscribe().messageId(2).addTopicFilter(t).addTopicFilter(t + "/never").build());
        MqttUnsubAckMessage ack = expect(c, MqttMessageType.UNSUBACK);
        assertThat(ack.variableHeader().messageId()).isEqualTo(2);
        assertThat(ack.payload().unsubscribeReasonCodes()).containsExactly((short) 0x00, (short) 0x11);
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
        String t = unique("unsub");
        TestClient sub = client(Kind.HIVEMQ_5);
        sub.connect(true);
        sub.subscribe(t, 1);
        sub.subscribe(t + "/marker", 1);
        ((Hive5) sub).raw().unsubscribeWith().topicFilter(t).send();
        broker.broker().publish(t, bytes("gone"), 1, false).join();
        broker.broker().publish(t + "/marker", bytes("marker"), 1, false).join();
        assertThat(next(sub.inbox()).text()).isEqualTo("marker");
    }

    @Test
    void brokerPublishFromInsideTheJvmReachesSubscribersOfBothVersions() throws Exception {
        String t = unique("embedded");
        TestClient v3 = client(Kind.HIVEMQ_3);
        v3.connect(true);
        v3.subscribe(t, 2);
        TestClient v5 = client(Kind.PAHO_5);
        v5.connect(true);
        v5.subscribe(t, 2);

        assertThat(broker.broker().publish(t, bytes("from the jvm"), 2, false).join()).isEqualTo(2);
        for (TestClient c : List.of(v3, v5)) {
            Received r = next(c.inbox());
            assertThat(r.text()).isEqualTo("from the jvm");
            assertThat(r.qos()).isEqualTo(2);
        }
        assertThat(broker.broker().publish(unique("nobody"), bytes("x"), 1, false).join()).isZero();
        assertThat(broker.broker().publish("not/+/a/topic/name", bytes("x"), 1, false))
                .failsWithin(WAIT).withThrowableThat().withCauseInstanceOf(IllegalArgumentException.class);
    }
}

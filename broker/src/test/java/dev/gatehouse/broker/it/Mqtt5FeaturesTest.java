package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import dev.gatehouse.authn.spi.UserProperty;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;
import dev.gatehouse.broker.testing.ManualClock;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 5 essentials end to end: properties passed through, message expiry, subscription identifiers,
 * no-local, topic aliases, reason codes on PUBACK, and the {@code $}-topic rule.
 */
class Mqtt5FeaturesTest extends FlowTestSupport {

    @Test
    void publishPropertiesArePassedThroughBetweenHiveMqClients() throws Exception {
        String t = unique("props");
        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(t, 1);
        hive5Connected().publishWith().topic(t).payload(bytes("{\"a\":1}")).qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).contentType("application/json")
                .responseTopic("reply/to/me").correlationData(bytes("c-42"))
                .userProperties().add("k", "v1").add("k", "v2").add("other", "x").applyUserProperties()
                .send();

        Mqtt5Publish p = next(inbox);
        assertThat(p.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(p.getContentType().map(Object::toString)).contains("application/json");
        assertThat(p.getResponseTopic().map(Object::toString)).contains("reply/to/me");
        assertThat(p.getCorrelationData().map(Mqtt5FeaturesTest::copy)).hasValueSatisfying(
                b -> assertThat(b).isEqualTo(bytes("c-42")));
        assertThat(pairs(p)).as("user properties in order, duplicates kept").containsExactly("k=v1", "k=v2", "other=x");
        assertThat(p.getMessageExpiryInterval()).as("no expiry was set").isEmpty();
    }

    @Test
    void publishPropertiesArePassedThroughBetweenPahoClients() throws Exception {
        String t = unique("props-paho");
        Paho5 sub = (Paho5) client(Kind.PAHO_5);
        sub.connect(true);
        sub.subscribe(t, 2);
        Paho5 pub = (Paho5) client(Kind.PAHO_5);
        pub.connect(true);

        org.eclipse.paho.mqttv5.common.packet.MqttProperties props = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        props.setPayloadFormat(true);
        props.setContentType("text/plain");
        props.setResponseTopic("answers");
        props.setCorrelationData(bytes("id-7"));
        props.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("trace", "abc")));
        pub.raw().publish(t, new org.eclipse.paho.mqttv5.common.MqttMessage(bytes("hi"), 2, false, props));

        Received r = next(sub.inbox());
        var got = ((org.eclipse.paho.mqttv5.common.MqttMessage) r.original()).getProperties();
        assertThat(r.text()).isEqualTo("hi");
        assertThat(got.getPayloadFormat()).isTrue();
        assertThat(got.getContentType()).isEqualTo("text/plain");
        assertThat(got.getResponseTopic()).isEqualTo("answers");
        assertThat(got.getCorrelationData()).isEqualTo(bytes("id-7"));
        assertThat(got.getUserProperties()).extracting(u -> u.getKey() + "=" + u.getValue()).containsExactly("trace=abc");
    }

    @Test
    void propertiesOfAMessagePublishedInsideTheJvmReachSubscribers() throws Exception {
        String t = unique("props-embedded");
        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(t, 1);
        MessageProperties mp = new MessageProperties(true, Optional.of("text/plain"), Optional.of("resp"),
                Optional.of(bytes("corr")), List.of(new UserProperty("from", "jvm")));
        broker.broker().publish(new Message(t, bytes("hello"), 1, false, mp, Message.NO_EXPIRY, "")).join();

        Mqtt5Publish p = next(inbox);
        assertThat(p.getContentType().map(Object::toString)).contains("text/plain");
        assertThat(p.getResponseTopic().map(Object::toString)).contains("resp");
        assertThat(p.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(pairs(p)).containsExactly("from=jvm");
    }

    // ---- message expiry (with a hand-moved clock: no sleeping) ----

    @Test
    void expiredQueuedMessageIsNotDeliveredAndTheForwardedIntervalIsReduced() throws Exception {
        ManualClock clock = new ManualClock();
        restartBroker(limits(), b -> b.clock(clock));
        String t = unique("expiry");
        Hive5 sub = (Hive5) client(Kind.HIVEMQ_5);
        sub.connect(false);
        sub.subscribe(t, 1);
        sub.disconnect();

        Mqtt5BlockingClient pub = hive5Connected();
        pub.publishWith().topic(t).payload(bytes("short")).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(10).send();
        pub.publishWith().topic(t).payload(bytes("long")).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(60).send();
        pub.publishWith().topic(t).payload(bytes("forever")).qos(MqttQos.AT_LEAST_ONCE).send();
        clock.advance(Duration.ofSeconds(20));

        assertThat(sub.connect(false)).isTrue();
        Mqtt5Publish first = (Mqtt5Publish) next(sub.inbox()).original();
        assertThat(text(first.getPayloadAsBytes())).as("the 10 s message expired while queued").isEqualTo("long");
        assertThat(first.getMessageExpiryInterval()).as("60 s minus the 20 s spent queued").hasValue(40);
        Mqtt5Publish second = (Mqtt5Publish) next(sub.inbox()).original();
        assertThat(text(second.getPayloadAsBytes())).isEqualTo("forever");
        assertThat(second.getMessageExpiryInterval()).isEmpty();
    }

    @Test
    void liveDeliveryCarriesTheMessageExpiryInterval() throws Exception {
        String t = unique("expiry-live");
        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(t, 1);
        hive5Connected().publishWith().topic(t).payload(bytes("x")).qos(MqttQos.AT_LEAST_ONCE)
                .messageExpiryInterval(120).send();
        assertThat(next(inbox).getMessageExpiryInterval().orElseThrow()).isBetween(1L, 120L);
    }

    @Test
    void expiredRetainedMessageIsNotDeliveredOnSubscribe() throws Exception {
        ManualClock clock = new ManualClock();
        restartBroker(limits(), b -> b.clock(clock));
        String t = unique("expiry-retained");
        Mqtt5BlockingClient pub = hive5Connected();
        pub.publishWith().topic(t + "/old").payload(bytes("old")).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .messageExpiryInterval(5).send();
        pub.publishWith().topic(t + "/fresh").payload(bytes("fresh")).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .messageExpiryInterval(60).send();
        clock.advance(Duration.ofSeconds(10));

        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(t + "/+", 1);
        Mqtt5Publish p = next(inbox);
        assertThat(text(p.getPayloadAsBytes())).isEqualTo("fresh");
        assertThat(p.getMessageExpiryInterval()).hasValue(50);
        assertNothingArrives(inbox);
    }

    // ---- subscription identifiers, no-local ----

    @Test
    void subscriptionIdentifiersOfEveryMatchingSubscriptionAreDelivered() throws Exception {
        String root = unique("subid");
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_5, unique("subid"), true);
        subscribe(sub, 1, root + "/#", MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE),
                props(MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 3));
        subscribe(sub, 2, root + "/+", MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE),
                props(MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 7));
        subscribe(sub, 3, root + "/+/+", MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE),
                MqttProperties.NO_PROPERTIES);

        broker.broker().publish(root + "/a", bytes("both"), 0, false).join();
        RawPublish both = expectPublish(sub);
        assertThat(both.text()).isEqualTo("both");
        assertThat(intProps(both.properties(), MqttPropertyType.SUBSCRIPTION_IDENTIFIER)).containsExactlyInAnyOrder(3, 7);

        broker.broker().publish(root + "/a/b", bytes("hash and an unnumbered one"), 0, false).join();
        RawPublish one = expectPublish(sub);
        assertThat(intProps(one.properties(), MqttPropertyType.SUBSCRIPTION_IDENTIFIER)).containsExactly(3);
    }

    @Test
    void subscriptionIdentifierZeroIsAProtocolError() throws Exception {
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_5, unique("subid0"), true);
        sub.send(MqttMessageBuilders.subscribe().messageId(1)
                .addSubscription(unique("subid0"), MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE))
                .properties(props(MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 0)).build());
        // MQTT 5 §3.8.2.1.2: "It is a Protocol Error if the Subscription Identifier has a value of 0"
        assertThat(reasonCode(expect(sub, MqttMessageType.DISCONNECT))).isEqualTo(0x82);
        assertThat(sub.closedWithin(WAIT)).isTrue();
    }

    @Test
    void retainedMessageCarriesTheSubscriptionIdentifier() throws Exception {
        String t = unique("subid-retained");
        broker.broker().publish(t, bytes("r"), 1, true).join();
        RawMqttClient sub = rawConnected(MqttVersion.MQTT_5, unique("subid-r"), true);
        subscribe(sub, 1, t, MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE),
                props(MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 268_435_455));
        RawPublish p = expectPublish(sub);
        assertThat(p.retain()).isTrue();
        assertThat(intProps(p.properties(), MqttPropertyType.SUBSCRIPTION_IDENTIFIER)).containsExactly(268_435_455);
    }

    @Test
    void noLocalSubscriptionDoesNotReceiveItsOwnPublishes() throws Exception {
        String t = unique("nolocal");
        Mqtt5BlockingClient self = track(hive5Builder(unique("nolocal"), port()).buildBlocking());
        BlockingQueue<Mqtt5Publish> inbox = inbox(self);
        self.connect();
        self.subscribeWith().topicFilter(t).qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
        self.publishWith().topic(t).payload(bytes("mine")).qos(MqttQos.AT_LEAST_ONCE).send();
        hive5Connected().publishWith().topic(t).payload(bytes("theirs")).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(text(next(inbox).getPayloadAsBytes())).isEqualTo("theirs");

        // without no-local a client does get its own messages
        String echo = unique("echo");
        self.subscribeWith().topicFilter(echo).qos(MqttQos.AT_LEAST_ONCE).send();
        self.publishWith().topic(echo).payload(bytes("echo")).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(text(next(inbox).getPayloadAsBytes())).isEqualTo("echo");
    }

    // ---- topic aliases ----

    @Test
    void inboundTopicAliasesAreResolvedAndMayBeRemapped() throws Exception {
        String root = unique("alias");
        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(root + "/#", 1);
        RawMqttClient pub = raw(MqttVersion.MQTT_5);
        MqttConnAckMessage ack = connect(pub, connectPacket(MqttVersion.MQTT_5, unique("alias"), true, 0));
        assertThat(intProp(ack.variableHeader().properties(), MqttPropertyType.TOPIC_ALIAS_MAXIMUM)).isEqualTo(16);

        pub.send(aliased(root + "/a", 1, "set"));
        pub.send(aliased("", 1, "use"));
        pub.send(aliased(root + "/b", 1, "remap"));
        pub.send(aliased("", 1, "use again"));
        pub.send(aliased(root + "/c", 16, "highest alias"));
        pub.send(aliased("", 16, "highest alias used"));

        assertThat(next(inbox, 6)).extracting(p -> p.getTopic() + " " + text(p.getPayloadAsBytes())).containsExactly(
                root + "/a set", root + "/a use", root + "/b remap", root + "/b use again", root + "/c highest alias",
                root + "/c highest alias used");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 17})
    void topicAliasZeroOrAboveTheMaximumGetsDisconnect0x94(int alias) throws Exception {
        RawMqttClient pub = rawConnected(MqttVersion.MQTT_5, unique("alias-max"), true);
        pub.send(aliased(unique("alias-max"), alias, "out of range"));
        assertThat(reasonCode(expect(pub, MqttMessageType.DISCONNECT))).isEqualTo(0x94);
        assertThat(pub.closedWithin(WAIT)).isTrue();
    }

    @Test
    void unknownTopicAliasIsAProtocolError() throws Exception {
        RawMqttClient pub = rawConnected(MqttVersion.MQTT_5, unique("alias-unknown"), true);
        pub.send(aliased("", 2, "never set"));
        assertThat(reasonCode(expect(pub, MqttMessageType.DISCONNECT))).isEqualTo(0x82);
        assertThat(pub.closedWithin(WAIT)).isTrue();
    }

    @Test
    void topicAliasesAreRefusedWhenDisabled() throws Exception {
        restartBroker(limits().withTopicAliasMaximum(0), b -> { });
        RawMqttClient pub = raw(MqttVersion.MQTT_5);
        MqttConnAckMessage ack = connect(pub, connectPacket(MqttVersion.MQTT_5, unique("alias-off"), true, 0));
        Integer max = intProp(ack.variableHeader().properties(), MqttPropertyType.TOPIC_ALIAS_MAXIMUM);
        assertThat(max == null || max == 0).as("Topic Alias Maximum absent or 0, was %s", max).isTrue();
        pub.send(aliased(unique("alias-off"), 1, "x"));
        assertThat(reasonCode(expect(pub, MqttMessageType.DISCONNECT))).isEqualTo(0x94);
    }

    @Test
    void aRealClientPublishingRepeatedlyToOneTopicArrivesIntact() throws Exception {
        String t = unique("alias-hive");
        BlockingQueue<Mqtt5Publish> inbox = hive5Subscriber(t, 1);
        Mqtt5BlockingClient pub = track(hive5Builder(unique("alias-hive"), port()).buildBlocking());
        Mqtt5ConnAck ack = pub.connect();
        assertThat(ack.getRestrictions().getTopicAliasMaximum()).isEqualTo(16);
        for (int i = 0; i < 10; i++) {
            pub.publishWith().topic(t).payload(bytes("m" + i)).qos(MqttQos.AT_LEAST_ONCE).send();
        }
        for (int i = 0; i < 10; i++) {
            Mqtt5Publish p = next(inbox);
            assertThat(p.getTopic().toString()).isEqualTo(t);
            assertThat(text(p.getPayloadAsBytes())).isEqualTo("m" + i);
        }
    }

    private static MqttMessage aliased(String topic, int alias, String payload) {
        return publishPacket(topic, MqttQoS.AT_MOST_ONCE, false, false, 0, bytes(payload),
                props(MqttPropertyType.TOPIC_ALIAS, alias));
    }

    // ---- reason codes on acks ----

    @Test
    void pubackSaysWhetherAnySubscriberMatched() throws Exception {
        String t = unique("nomatch");
        Mqtt5BlockingClient pub = hive5Connected();
        Mqtt5PublishResult none = pub.publishWith().topic(t).payload(bytes("x")).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) none).getPubAck().getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);

        hive5Subscriber(t, 1);
        Mqtt5PublishResult some = pub.publishWith().topic(t).payload(bytes("x")).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) some).getPubAck().getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    }

    @Test
    void pubrecOfAQos2PublishWithoutSubscribersSays0x10() throws Exception {
        RawMqttClient pub = rawConnected(MqttVersion.MQTT_5, unique("nomatch2"), true);
        pub.send(publishPacket(unique("nomatch2"), MqttQoS.EXACTLY_ONCE, 5, bytes("x")));
        MqttMessage rec = expect(pub, MqttMessageType.PUBREC);
        assertThat(reasonCode(rec)).isEqualTo(0x10);
        pub.send(ack(MqttMessageType.PUBREL, 5));
        assertThat(reasonCode(expect(pub, MqttMessageType.PUBCOMP))).isZero();
    }

    // ---- the client's Maximum Packet Size ----

    @Test
    void messagesLargerThanTheClientsMaximumPacketSizeAreNotSent() throws Exception {
        String t = unique("maxpacket");
        RawMqttClient sub = raw(MqttVersion.MQTT_5);
        connect(sub, connectPacket(MqttVersion.MQTT_5, unique("maxpacket"), true)
                .properties(props(MqttPropertyType.MAXIMUM_PACKET_SIZE, 200)).build());
        subscribe(sub, 1, MqttQoS.AT_LEAST_ONCE, t);
        broker.broker().publish(t, new byte[1000], 1, false).join();
        broker.broker().publish(t, bytes("small"), 1, false).join();
        // MQTT 5 §3.1.2.11.4: the oversized one is discarded as if delivered
        RawPublish p = expectPublish(sub);
        assertThat(p.text()).isEqualTo("small");
    }

    // ---- the $-topic rule ----

    @Test
    void wildcardSubscriptionsDoNotMatchDollarTopics() throws Exception {
        BlockingQueue<Mqtt5Publish> everything = hive5Subscriber("#", 1);
        BlockingQueue<Mqtt5Publish> plus = hive5Subscriber("+/x", 1);
        BlockingQueue<Mqtt5Publish> sys = hive5Subscriber("$SYS/#", 1);
        BlockingQueue<Mqtt5Publish> sysPlus = hive5Subscriber("$SYS/+", 1);

        broker.broker().publish("$SYS/x", bytes("system"), 1, false).join();
        broker.broker().publish("normal/x", bytes("normal"), 1, false).join();

        assertThat(text(next(everything).getPayloadAsBytes())).as("'#' skips $SYS").isEqualTo("normal");
        assertThat(text(next(plus).getPayloadAsBytes())).as("'+/x' skips $SYS/x").isEqualTo("normal");
        assertThat(text(next(sys).getPayloadAsBytes())).isEqualTo("system");
        assertThat(text(next(sysPlus).getPayloadAsBytes())).isEqualTo("system");
        assertNothingArrives(sys);
    }

    // ---- helpers ----

    private static List<String> pairs(Mqtt5Publish p) {
        return p.getUserProperties().asList().stream().map(u -> u.getName() + "=" + u.getValue()).toList();
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}

package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * Topic aliases the broker assigns to the topics it sends (MQTT 5 §3.3.2.3.4): a topic goes out once with
 * its name and an alias, then as the alias with an empty name; when the client's (or the broker's) maximum
 * is reached the least recently used alias is reassigned by sending the new topic with it. The raw tests see
 * the exact PUBLISHes; the HiveMQ test shows a real client resolving them.
 *
 * <p>Eclipse Paho MQTT 5 (1.2.5, with {@code MqttConnectionOptions.setTopicAliasMaximum(3)}) is not
 * tested here because it does not resolve inbound aliases: {@code ClientState.notifyReceivedMsg} stores
 * a mapping whenever the decoded topic name is non-null, and an empty name decodes to "", so the second
 * PUBLISH to a topic overwrites the mapping with "" and reaches {@code messageArrived} with topic ""
 * (tried against this broker: a/1, "", b). Its lookup branch is broken as well ({@code Hashtable.contains(alias)}
 * searches the values, not the keys). A Paho 5 subscriber must not advertise a Topic Alias Maximum
 * (the default is none), and then the broker sends no alias (see
 * {@link #aClientThatAdvertisesNoTopicAliasMaximumGetsNoTopicAlias()}).
 */
class OutboundTopicAliasTest extends FlowTestSupport {

    /** A raw MQTT 5 subscriber to {@code filter} at QoS 0 that accepts up to {@code clientMaximum} aliases (null: none advertised). */
    private RawMqttClient subscriber(String filter, Integer clientMaximum) throws Exception {
        RawMqttClient sub = raw(MqttVersion.MQTT_5);
        var connect = connectPacket(MqttVersion.MQTT_5, unique("alias-sub"), true);
        if (clientMaximum != null) {
            connect.properties(props(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, clientMaximum));
        }
        connect(sub, connect.build());
        assertThat(subscribe(sub, 1, MqttQoS.AT_MOST_ONCE, filter)).containsExactly(0);
        return sub;
    }

    /** Publishes each topic in order from another (real) client, the topic name as the payload. */
    private void publishAll(List<String> topics) {
        Mqtt5BlockingClient pub = hive5Connected();
        for (String t : topics) {
            pub.publishWith().topic(t).payload(bytes(t)).qos(MqttQos.AT_LEAST_ONCE).send();
        }
    }

    /** What one received PUBLISH carried: its topic name field and Topic Alias (0 when absent). */
    private record Sent(String topic, int alias) {
        @Override
        public String toString() {
            return "'" + topic + "'+" + alias;
        }
    }

    private static Sent sent(RawPublish p) {
        Integer alias = intProp(p.properties(), MqttPropertyType.TOPIC_ALIAS);
        return new Sent(p.topic(), alias == null ? 0 : alias);
    }

    /**
     * Reads {@code n} PUBLISHes and resolves them as the client must (a topic with an alias sets it, an empty
     * topic uses it), checking each resolves to the topic it was published to (its payload).
     */
    private static List<Sent> receiveAndResolve(RawMqttClient sub, int n, int maxAlias) throws Exception {
        Map<Integer, String> table = new HashMap<>();
        List<Sent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawPublish p = expectPublish(sub);
            Sent s = sent(p);
            out.add(s);
            String resolved;
            if (s.alias() == 0) {
                resolved = s.topic();
            } else {
                assertThat(s.alias()).as("alias of message %d", i).isBetween(1, maxAlias);
                if (s.topic().isEmpty()) {
                    resolved = table.get(s.alias());
                    assertThat(resolved).as("alias %d used before it was set (message %d)", s.alias(), i).isNotNull();
                } else {
                    table.put(s.alias(), s.topic());
                    resolved = s.topic();
                }
            }
            assertThat(resolved).as("message %d", i).isEqualTo(p.text());
        }
        return out;
    }

    @Test
    void topicsGetAliasesAndTheLeastRecentlyUsedOneIsReassigned() throws Exception {
        String r = unique("lru");
        RawMqttClient sub = subscriber(r + "/#", 2);
        String a1 = r + "/1";
        String a2 = r + "/2";
        String a3 = r + "/3";
        publishAll(List.of(a1, a1, a2, a3, a1, a3, a2, a2));

        assertThat(receiveAndResolve(sub, 8, 2)).containsExactly(
                new Sent(a1, 1),  // new topic: name and alias 1
                new Sent("", 1),  // known: alias only
                new Sent(a2, 2),  // new topic: alias 2, both aliases taken now
                new Sent(a3, 1),  // new topic: a1 (used before a2) is least recently used, its alias 1 goes to a3
                new Sent(a1, 2),  // a1 is no longer known: it takes a2's alias (a3 was used since)
                new Sent("", 1),  // a3 still has alias 1
                new Sent(a2, 2),  // a2 lost its alias: it replaces a1 (a3 was used after a1)
                new Sent("", 2)); // and is known from now on
        expectSilence(sub);
    }

    @Test
    void aClientThatAdvertisesNoTopicAliasMaximumGetsNoTopicAlias() throws Exception {
        String r = unique("none");
        RawMqttClient sub = subscriber(r + "/#", null);
        RawMqttClient zero = subscriber(r + "/#", 0);
        publishAll(List.of(r + "/x", r + "/x", r + "/y", r + "/x"));
        for (RawMqttClient c : List.of(sub, zero)) {
            assertThat(receiveAndResolve(c, 4, 0)).extracting(Sent::alias).containsOnly(0);
        }
    }

    @Test
    void outboundTopicAliasesZeroDisablesThem() throws Exception {
        restartBroker(limits().withOutboundTopicAliases(0), b -> { });
        String r = unique("off");
        RawMqttClient sub = subscriber(r + "/#", 10);
        publishAll(List.of(r + "/x", r + "/x", r + "/x"));
        assertThat(receiveAndResolve(sub, 3, 0)).containsOnly(new Sent(r + "/x", 0));
    }

    @Test
    void theBrokerNeverUsesMoreAliasesThanTheSmallerOfTheClientsMaximumAndItsLimit() throws Exception {
        restartBroker(limits().withOutboundTopicAliases(3), b -> { });
        String r = unique("bound");
        RawMqttClient generous = subscriber(r + "/#", 10); // the broker's limit of 3 applies
        RawMqttClient frugal = subscriber(r + "/#", 2);    // the client's maximum of 2 applies
        List<String> topics = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (int t = 0; t < 6; t++) {
                topics.add(r + "/" + (round % 2 == 0 ? t : 5 - t));
            }
        }
        publishAll(topics);
        List<Sent> toGenerous = receiveAndResolve(generous, topics.size(), 3);
        List<Sent> toFrugal = receiveAndResolve(frugal, topics.size(), 2);
        assertThat(aliasesUsed(toGenerous)).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(aliasesUsed(toFrugal)).containsExactlyInAnyOrder(1, 2);
        // Every PUBLISH carries an alias once the client accepts them.
        assertThat(toGenerous).allSatisfy(s -> assertThat(s.alias()).isPositive());
        assertThat(toFrugal).allSatisfy(s -> assertThat(s.alias()).isPositive());
    }

    @Test
    void qos1And2DeliveriesAndRetainedMessagesAreAliasedToo() throws Exception {
        String r = unique("qos");
        broker.broker().publish(r + "/kept", bytes(r + "/kept"), 1, true).join();
        RawMqttClient sub = raw(MqttVersion.MQTT_5);
        connect(sub, connectPacket(MqttVersion.MQTT_5, unique("alias-qos"), true)
                .properties(props(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, 4)).build());
        assertThat(subscribe(sub, 1, MqttQoS.EXACTLY_ONCE, r + "/#")).containsExactly(2);
        RawPublish retained = expectPublish(sub);
        assertThat(retained.retain()).isTrue();
        assertThat(sent(retained)).isEqualTo(new Sent(r + "/kept", 1));
        completeOutbound(sub, retained);

        for (int qos = 1; qos <= 2; qos++) {
            broker.broker().publish(r + "/kept", bytes(r + "/kept"), qos, false).join();
            RawPublish p = expectPublish(sub);
            assertThat(p.qos()).isEqualTo(qos);
            assertThat(sent(p)).isEqualTo(new Sent("", 1));
            assertThat(p.text()).isEqualTo(r + "/kept");
            completeOutbound(sub, p);
        }
    }

    @Test
    void aHiveMqClientReceivesEveryMessageUnderItsTopicThroughTheAliases() throws Exception {
        String r = unique("hive");
        Mqtt5BlockingClient sub = track(hive5Builder(unique("hive-alias"), port()).buildBlocking());
        BlockingQueue<Mqtt5Publish> inbox = inbox(sub);
        sub.connectWith().restrictions().topicAliasMaximum(3).applyRestrictions().send();
        sub.subscribeWith().topicFilter(r + "/#").qos(MqttQos.AT_LEAST_ONCE).send();

        // 10 topics through 3 aliases: reassigned over and over, in an order that defeats a pure round robin.
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            topics.add(r + "/t" + ((i * 7 + i / 10) % 10));
        }
        Mqtt5BlockingClient pub = hive5Connected();
        for (int i = 0; i < topics.size(); i++) {
            pub.publishWith().topic(topics.get(i)).payload(bytes(i + " " + topics.get(i))).qos(MqttQos.AT_LEAST_ONCE)
                    .send();
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < topics.size(); i++) {
            Mqtt5Publish p = next(inbox);
            assertThat(p.getTopic().toString()).as("message %d", i).isEqualTo(topics.get(i));
            assertThat(text(p.getPayloadAsBytes())).isEqualTo(i + " " + topics.get(i));
            seen.add(p.getTopic().toString());
        }
        assertThat(seen).hasSize(10);
        assertNothingArrives(inbox);
        assertThat(sub.getState().isConnected()).isTrue();
    }

    private static Set<Integer> aliasesUsed(List<Sent> sent) {
        Set<Integer> out = new HashSet<>();
        for (Sent s : sent) {
            out.add(s.alias());
        }
        return out;
    }
}

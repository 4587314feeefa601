package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise with real clients against the packaged jar as a child process, stopped with SIGTERM
 * and started again on the same data directory (docs/embedding.md, "Sessions and durable state"): a 3.1.1
 * persistent session (Paho, clean session false), a 5.0 session with expiry and subscription identifiers
 * (Paho MQTT 5, which shows the identifiers of each received message) and a 5.0 session of the HiveMQ client
 * get every QoS 1/2 message published while they were offline, QoS 2 exactly once, with their session present;
 * every retained message is there; what they acknowledged is not sent again after a second restart.
 * The same scenarios in one JVM: the broker's {@code RestartTest}.
 */
class PersistenceRestartJarIT {
    private static final int N = 100; // QoS 1 messages, and as many QoS 2 messages
    private static final int RETAINED = 25;
    private static final int ID_ONE = 11;
    private static final int ID_TWO = 268_435_455; // the largest Subscription Identifier (a 4-byte varint)
    private static final long EXPIRY = 600;

    /** Paho MQTT 5 logs every PUBCOMP at INFO through java.util.logging; held here so the level sticks. */
    private static final java.util.logging.Logger PAHO5_LOG = java.util.logging.Logger.getLogger("org.eclipse.paho.mqttv5");

    static {
        PAHO5_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @TempDir
    Path dir;

    private JarProcess broker;
    private final List<AutoCloseable> clients = new ArrayList<>();

    /** One received PUBLISH, as any of the clients saw it. */
    record Got(String topic, String payload, int qos, List<Integer> subscriptionIds) {
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the broker may be gone already
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard, not a measurement
    void offlineSessionsGetEveryQos1And2MessageAndRetainedMessagesSurviveSigterm() throws Exception {
        broker = JarProcess.start(dir, "");

        // The three persistent sessions subscribe and go offline.
        Paho3 v3 = new Paho3("keeper-311");
        assertThat(v3.connect(false)).isFalse();
        v3.client.subscribe("rt/q/#", 2);
        v3.disconnect();
        Paho5 v5 = new Paho5("keeper-5-paho");
        assertThat(v5.connect(true)).isFalse();
        v5.subscribe("rt/q/one/#", ID_ONE);
        v5.subscribe("rt/q/two/#", ID_TWO);
        v5.disconnect();
        Hive5 hive = new Hive5("keeper-5-hivemq");
        assertThat(hive.connect(true)).isFalse();
        hive.client.subscribeWith().topicFilter("rt/q/#").qos(MqttQos.EXACTLY_ONCE).send();
        hive.disconnect();

        // While they are offline: N QoS 1, N QoS 2 and the retained messages (one replaced, one cleared).
        Mqtt5BlockingClient pub = hivemq("rt-writer");
        pub.connect();
        for (int i = 0; i < N; i++) {
            pub.publishWith().topic("rt/q/one/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("one-" + i)).send();
            pub.publishWith().topic("rt/q/two/" + i).qos(MqttQos.EXACTLY_ONCE).payload(bytes("two-" + i)).send();
        }
        for (int i = 0; i < RETAINED; i++) {
            pub.publishWith().topic("rt/r/" + i).qos(i % 2 == 0 ? MqttQos.AT_LEAST_ONCE : MqttQos.EXACTLY_ONCE)
                    .retain(true).payload(bytes("r-" + i)).send();
        }
        pub.publishWith().topic("rt/r/3").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(bytes("r-3-v2")).send();
        pub.publishWith().topic("rt/r/4").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(new byte[0]).send();
        pub.disconnect();

        restartWithSigterm();

        // Every session is back with every message: QoS 2 exactly once, each at the QoS it was sent with.
        for (Subscriber s : List.of(v3, v5, hive)) {
            assertThat(s.connect(false)).as("%s: session present after the restart", s.name()).isTrue();
            List<Got> got = s.collect(2 * N);
            assertDelivered(s.name(), got);
        }
        // Paho MQTT 5 shows the Subscription Identifier each message was queued with.
        for (Got g : v5.collected()) {
            assertThat(g.subscriptionIds()).as("subscription ids of %s", g.topic())
                    .containsExactly(g.topic().startsWith("rt/q/one/") ? ID_ONE : ID_TWO);
        }
        // The subscriptions themselves came back: a message published now reaches them all.
        pub = hivemq("rt-writer-2");
        pub.connect();
        pub.publishWith().topic("rt/q/two/live").qos(MqttQos.EXACTLY_ONCE).payload(bytes("live")).send();
        pub.disconnect();
        for (Subscriber s : List.of(v3, v5, hive)) {
            List<Got> live = s.collect(1);
            assertThat(live).as("%s: the live message", s.name()).extracting(Got::payload).containsExactly("live");
            if (s == v5) {
                assertThat(live.get(0).subscriptionIds()).containsExactly(ID_TWO);
            }
        }
        for (Subscriber s : List.of(v3, v5, hive)) {
            s.disconnect();
        }

        // Every retained message, with its last value; the cleared one gone.
        Map<String, Got> retained = retainedNow();
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < RETAINED; i++) {
            if (i != 4) {
                expected.put("rt/r/" + i, i == 3 ? "r-3-v2" : "r-" + i);
            }
        }
        assertThat(payloads(retained)).isEqualTo(expected);
        assertThat(retained.get("rt/r/1").qos()).isEqualTo(2);
        assertThat(retained.get("rt/r/2").qos()).isEqualTo(1);

        // What they acknowledged stays acknowledged: after another SIGTERM restart nothing comes again.
        restartWithSigterm();
        for (Subscriber s : List.of(v3, v5, hive)) {
            assertThat(s.connect(false)).as("%s: session present after the second restart", s.name()).isTrue();
            assertThat(s.quiet()).as("%s: nothing sent again", s.name()).isEmpty();
            s.disconnect();
        }
        assertThat(payloads(retainedNow())).isEqualTo(expected);
    }

    /**
     * QoS 2 flows cut in the middle by SIGTERM finish after the restart without a second delivery: the outbound
     * ones resume where they were (PUBREL again for a message the subscriber had answered with PUBREC, the PUBLISH
     * again with DUP and the same packet id and subscription id for the others), and the inbound packet ids still
     * awaiting PUBREL are remembered, so a publisher sending such a PUBLISH again gets a PUBREC and nothing is
     * routed twice. Packet-level, with the broker's RawMqttClient.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard, not a measurement
    void qos2FlowsInFlightAtSigtermFinishExactlyOnceAfterTheRestart() throws Exception {
        broker = JarProcess.start(dir, "");
        RawMqttClient sub = raw("inflight-sub", true, false);
        sub.send(MqttMessageBuilders.subscribe().messageId(1).properties(intProps(MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 9))
                .addSubscription(MqttQoS.EXACTLY_ONCE, "if/#").build());
        release(expect(sub, MqttMessageType.SUBACK));
        RawMqttClient pub = raw("inflight-pub", true, false);
        // a: the whole inbound flow; b and c: PUBREC received, PUBREL not sent yet
        pub.send(qos2("if/a", 1, "a", false));
        assertThat(packetId(expect(pub, MqttMessageType.PUBREC))).isEqualTo(1);
        pub.send(ack(MqttMessageType.PUBREL, 1));
        assertThat(packetId(expect(pub, MqttMessageType.PUBCOMP))).isEqualTo(1);
        pub.send(qos2("if/b", 2, "b", false));
        assertThat(packetId(expect(pub, MqttMessageType.PUBREC))).isEqualTo(2);
        pub.send(qos2("if/c", 3, "c", false));
        assertThat(packetId(expect(pub, MqttMessageType.PUBREC))).isEqualTo(3);
        // The broker routes a QoS 2 PUBLISH when it arrives: the subscriber has all three. It answers a with
        // PUBREC (and gets the PUBREL, which it leaves unanswered) and leaves b and c unanswered.
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            MqttPublishMessage p = expectPublish(sub);
            assertThat(p.fixedHeader().isDup()).isFalse();
            ids.put(p.content().toString(StandardCharsets.UTF_8), p.variableHeader().packetId());
            release(p);
        }
        assertThat(ids).containsOnlyKeys("a", "b", "c");
        sub.send(ack(MqttMessageType.PUBREC, ids.get("a")));
        assertThat(packetId(expect(sub, MqttMessageType.PUBREL))).isEqualTo(ids.get("a"));
        sub.send(MqttMessageBuilders.disconnect().build());
        pub.send(MqttMessageBuilders.disconnect().build());

        restartWithSigterm();

        sub = raw("inflight-sub", false, true);
        // MQTT 5 §4.4: unacknowledged PUBLISH and PUBREL packets again, in their original order
        assertThat(packetId(expect(sub, MqttMessageType.PUBREL))).isEqualTo(ids.get("a"));
        for (String payload : List.of("b", "c")) {
            MqttPublishMessage p = expectPublish(sub);
            try {
                assertThat(p.content().toString(StandardCharsets.UTF_8)).isEqualTo(payload);
                assertThat(p.fixedHeader().isDup()).as("DUP on the resent %s", payload).isTrue();
                assertThat(p.fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
                assertThat(p.variableHeader().packetId()).as("packet id of %s", payload).isEqualTo(ids.get(payload));
                assertThat(p.variableHeader().properties().getProperties(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value()))
                        .extracting(x -> (Integer) x.value()).containsExactly(9);
            } finally {
                release(p);
            }
        }
        sub.send(ack(MqttMessageType.PUBCOMP, ids.get("a")));
        for (String payload : List.of("b", "c")) {
            sub.send(ack(MqttMessageType.PUBREC, ids.get(payload)));
            assertThat(packetId(expect(sub, MqttMessageType.PUBREL))).isEqualTo(ids.get(payload));
            sub.send(ack(MqttMessageType.PUBCOMP, ids.get(payload)));
        }

        pub = raw("inflight-pub", false, true);
        // a publisher that never saw the PUBREC of c sends it again: acknowledged, not routed a second time
        pub.send(qos2("if/c", 3, "c", true));
        assertThat(packetId(expect(pub, MqttMessageType.PUBREC))).isEqualTo(3);
        for (int id : new int[] {2, 3}) {
            pub.send(ack(MqttMessageType.PUBREL, id));
            MqttMessage comp = expect(pub, MqttMessageType.PUBCOMP);
            assertThat(packetId(comp)).isEqualTo(id);
            assertThat(reasonCode(comp)).as("PUBCOMP %d: the packet id was known", id).isZero();
        }
        // packet id 2 is free again: a new message under it is routed, once
        pub.send(qos2("if/d", 2, "d", false));
        assertThat(packetId(expect(pub, MqttMessageType.PUBREC))).isEqualTo(2);
        pub.send(ack(MqttMessageType.PUBREL, 2));
        release(expect(pub, MqttMessageType.PUBCOMP));
        MqttPublishMessage d = expectPublish(sub);
        assertThat(d.content().toString(StandardCharsets.UTF_8)).as("nothing routed twice").isEqualTo("d");
        assertThat(d.fixedHeader().isDup()).isFalse();
        int dId = d.variableHeader().packetId();
        release(d);
        sub.send(ack(MqttMessageType.PUBREC, dId));
        assertThat(packetId(expect(sub, MqttMessageType.PUBREL))).isEqualTo(dId);
        sub.send(ack(MqttMessageType.PUBCOMP, dId));
        assertThat(sub.read(Duration.ofSeconds(1))).as("nothing more").isNull();
        sub.send(MqttMessageBuilders.disconnect().build());
        pub.send(MqttMessageBuilders.disconnect().build());

        // Completed flows stay completed.
        restartWithSigterm();
        sub = raw("inflight-sub", false, true);
        assertThat(sub.read(Duration.ofSeconds(1))).as("nothing resent to the subscriber").isNull();
        pub = raw("inflight-pub", false, true);
        pub.send(ack(MqttMessageType.PUBREL, 3)); // no longer pending: MQTT 5 answers 0x92
        MqttMessage comp = expect(pub, MqttMessageType.PUBCOMP);
        assertThat(reasonCode(comp)).isEqualTo(0x92);
    }

    /** MQTT 5 raw connection with session expiry 600; asserts the session-present flag. */
    private RawMqttClient raw(String id, boolean cleanStart, boolean sessionPresent) throws Exception {
        RawMqttClient c = new RawMqttClient(broker.port(), MqttVersion.MQTT_5);
        clients.add(c);
        c.send(MqttMessageBuilders.connect().clientId(id).protocolVersion(MqttVersion.MQTT_5).cleanSession(cleanStart)
                .properties(intProps(MqttPropertyType.SESSION_EXPIRY_INTERVAL, (int) EXPIRY)).build());
        MqttConnAckMessage ack = (MqttConnAckMessage) expect(c, MqttMessageType.CONNACK);
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(ack.variableHeader().isSessionPresent()).as("%s: session present", id).isEqualTo(sessionPresent);
        return c;
    }

    private static MqttMessage expect(RawMqttClient c, MqttMessageType type) throws Exception {
        MqttMessage m = c.read(Duration.ofSeconds(10));
        assertThat(m).as("a %s", type).isNotNull();
        if (m.fixedHeader().messageType() != type) {
            String seen = m.toString();
            release(m);
            throw new AssertionError("expected " + type + " but got " + seen);
        }
        return m;
    }

    private static MqttPublishMessage expectPublish(RawMqttClient c) throws Exception {
        return (MqttPublishMessage) expect(c, MqttMessageType.PUBLISH);
    }

    private static MqttPublishMessage qos2(String topic, int packetId, String payload, boolean dup) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.EXACTLY_ONCE, false, 0),
                new MqttPublishVariableHeader(topic, packetId, MqttProperties.NO_PROPERTIES),
                Unpooled.wrappedBuffer(bytes(payload)));
    }

    private static MqttMessage ack(MqttMessageType type, int packetId) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0), MqttMessageIdVariableHeader.from(packetId));
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private static int reasonCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader r ? r.reasonCode() & 0xFF : 0;
    }

    private static MqttProperties intProps(MqttPropertyType type, int value) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(type.value(), value));
        return p;
    }

    private static void release(Object m) {
        RawMqttClient.release(m);
    }

    private void restartWithSigterm() throws Exception {
        int code = broker.terminate();
        String log = broker.stderr();
        // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran
        assertThat(code).as("exit status; stderr:\n%s", log).isIn(0, 143);
        assertThat(log).contains("broker stopped").doesNotContain("ERROR");
        broker.startAgain();
    }

    private static void assertDelivered(String who, List<Got> got) {
        Map<String, Integer> count = new HashMap<>();
        for (Got g : got) {
            count.merge(g.payload(), 1, Integer::sum);
        }
        List<String> missing = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        int qos1Duplicates = 0;
        for (int i = 0; i < N; i++) {
            int one = count.getOrDefault("one-" + i, 0);
            int two = count.getOrDefault("two-" + i, 0);
            if (one == 0) {
                missing.add("one-" + i);
            }
            qos1Duplicates += Math.max(0, one - 1);
            if (two == 0) {
                missing.add("two-" + i);
            } else if (two > 1) {
                twice.add("two-" + i + " x" + two);
            }
        }
        System.out.printf("%s: %d received, %d QoS 1 duplicates%n", who, got.size(), qos1Duplicates);
        assertThat(missing).as("%s: messages missing", who).isEmpty();
        assertThat(twice).as("%s: QoS 2 messages delivered more than once", who).isEmpty();
        assertThat(got).as("%s: each at the QoS it was published with", who)
                .allSatisfy(g -> assertThat(g.qos()).isEqualTo(g.topic().startsWith("rt/q/one/") ? 1 : 2));
        // one publisher, one session queue: each QoS's messages come in the order they were published
        assertThat(order(got, "one-")).as("%s: QoS 1 order", who).isSorted();
        assertThat(order(got, "two-")).as("%s: QoS 2 order", who).isSorted();
    }

    private static List<Integer> order(List<Got> got, String prefix) {
        List<Integer> seen = new ArrayList<>();
        java.util.Set<Integer> first = new java.util.HashSet<>();
        for (Got g : got) {
            if (g.payload().startsWith(prefix)) {
                int i = Integer.parseInt(g.payload().substring(prefix.length()));
                if (first.add(i)) {
                    seen.add(i);
                }
            }
        }
        return seen;
    }

    /** A fresh clean client's view of the retained messages under rt/r/#. */
    private Map<String, Got> retainedNow() throws Exception {
        Hive5 reader = new Hive5("rt-reader-" + System.nanoTime());
        reader.connectClean();
        reader.client.subscribeWith().topicFilter("rt/r/#").qos(MqttQos.EXACTLY_ONCE).send();
        List<Got> got = reader.collect(RETAINED - 1);
        got.addAll(reader.quiet());
        reader.disconnect();
        Map<String, Got> byTopic = new TreeMap<>();
        for (Got g : got) {
            assertThat(byTopic.put(g.topic(), g)).as("retained %s once", g.topic()).isNull();
        }
        return byTopic;
    }

    private static Map<String, String> payloads(Map<String, Got> byTopic) {
        Map<String, String> m = new TreeMap<>();
        byTopic.forEach((t, g) -> m.put(t, g.payload()));
        return m;
    }

    private Mqtt5BlockingClient hivemq(String id) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        clients.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- the subscribers: a new client object per connection, received messages on one queue ----

    private abstract class Subscriber {
        final String id;
        final BlockingQueue<Got> inbox = new LinkedBlockingQueue<>();
        final List<Got> collected = new ArrayList<>();

        Subscriber(String id) {
            this.id = id;
        }

        abstract String name();

        /** Connects a new client object; returns the session-present flag. */
        abstract boolean connect(boolean cleanStart) throws Exception;

        abstract void disconnect() throws Exception;

        /** Waits (bounded) for {@code n} messages; returns those that came. */
        List<Got> collect(int n) throws InterruptedException {
            List<Got> got = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got.size() < n && System.nanoTime() < until) {
                Got g = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (g != null) {
                    got.add(g);
                }
            }
            // anything sent twice arrives right behind the rest
            got.addAll(quiet());
            collected.addAll(got);
            return got;
        }

        /** Whatever arrives within a second. */
        List<Got> quiet() throws InterruptedException {
            List<Got> got = new ArrayList<>();
            Got g;
            while ((g = inbox.poll(1, TimeUnit.SECONDS)) != null) {
                got.add(g);
            }
            return got;
        }

        List<Got> collected() {
            return collected;
        }
    }

    /** MQTT 3.1.1, clean session false. */
    private final class Paho3 extends Subscriber {
        org.eclipse.paho.client.mqttv3.MqttClient client;

        Paho3(String id) {
            super(id);
        }

        @Override
        String name() {
            return "Paho 3.1.1 " + id;
        }

        @Override
        boolean connect(boolean cleanStart) throws Exception {
            org.eclipse.paho.client.mqttv3.MqttClient c = new org.eclipse.paho.client.mqttv3.MqttClient(
                    "tcp://127.0.0.1:" + broker.port(), id, new MemoryPersistence());
            client = c;
            clients.add(() -> {
                if (c.isConnected()) {
                    c.disconnectForcibly(1000, 1000);
                }
                c.close(true);
            });
            c.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                    inbox.add(new Got(topic, text(message.getPayload()), message.getQos(), List.of()));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(cleanStart);
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setAutomaticReconnect(false);
            o.setConnectionTimeout(10);
            return c.connectWithResult(o).getSessionPresent();
        }

        @Override
        void disconnect() throws Exception {
            client.disconnect(5000);
            client.close();
        }
    }

    /** MQTT 5 (Paho), session expiry 600 s; the subscription identifiers of each message are recorded. */
    private final class Paho5 extends Subscriber {
        MqttAsyncClient client;

        Paho5(String id) {
            super(id);
        }

        @Override
        String name() {
            return "Paho 5 " + id;
        }

        @Override
        boolean connect(boolean cleanStart) throws Exception {
            MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + broker.port(), id,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            client = c;
            clients.add(() -> {
                if (c.isConnected()) {
                    c.disconnectForcibly(1000, 1000, false);
                }
                c.close(true);
            });
            c.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void disconnected(MqttDisconnectResponse r) {
                }

                @Override
                public void mqttErrorOccurred(MqttException e) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
                    List<Integer> ids = m.getProperties() == null ? List.of()
                            : List.copyOf(m.getProperties().getSubscriptionIdentifiers());
                    inbox.add(new Got(topic, text(m.getPayload()), m.getQos(), ids));
                }

                @Override
                public void deliveryComplete(IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverUri) {
                }

                @Override
                public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
                }
            });
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(cleanStart);
            o.setSessionExpiryInterval(EXPIRY);
            o.setAutomaticReconnect(false);
            o.setConnectionTimeout(10);
            IMqttToken t = c.connect(o);
            t.waitForCompletion(10_000);
            return t.getSessionPresent();
        }

        void subscribe(String filter, int subscriptionId) throws Exception {
            var p = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
            p.setSubscriptionIdentifier(subscriptionId);
            IMqttToken t = client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 2)}, null, null, p);
            t.waitForCompletion(10_000);
            assertThat(t.getReasonCodes()).containsExactly(2);
        }

        @Override
        void disconnect() throws Exception {
            client.disconnect(5000).waitForCompletion(10_000);
            client.close();
        }
    }

    /** MQTT 5 (HiveMQ client), session expiry 600 s. */
    private final class Hive5 extends Subscriber {
        Mqtt5BlockingClient client;

        Hive5(String id) {
            super(id);
        }

        @Override
        String name() {
            return "HiveMQ 5 " + id;
        }

        private Mqtt5BlockingClient newClient() {
            Mqtt5BlockingClient c = hivemq(id);
            c.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> inbox.add(new Got(p.getTopic().toString(),
                    text(p.getPayloadAsBytes()), p.getQos().getCode(), List.of())));
            client = c;
            return c;
        }

        @Override
        boolean connect(boolean cleanStart) {
            return newClient().connectWith().cleanStart(cleanStart).sessionExpiryInterval(EXPIRY).send()
                    .isSessionPresent();
        }

        void connectClean() {
            newClient().connectWith().cleanStart(true).send();
        }

        @Override
        void disconnect() {
            client.disconnect();
        }
    }
}

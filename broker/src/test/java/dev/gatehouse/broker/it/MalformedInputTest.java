package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.PermissionTestSupport.WAIT;
import static dev.gatehouse.broker.it.PermissionTestSupport.disconnectCode;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawConnect;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawPublishNoAck;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawSubscribe;
import static dev.gatehouse.broker.it.PermissionTestSupport.readType;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.it.PermissionTestSupport.ClientKind;
import dev.gatehouse.broker.it.PermissionTestSupport.TestClient;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed, oversized and truncated input closes the offending connection (with the MQTT 5 reason
 * code where one is sent) and never disturbs the broker's other clients.
 */
class MalformedInputTest {
    private static final int MAX_PACKET = 1024;
    private static final int MALFORMED = 0x81;
    private static final int PROTOCOL_ERROR = 0x82;
    private static final int TOPIC_FILTER_INVALID = 0x8F;
    private static final int TOPIC_NAME_INVALID = 0x90;
    private static final int PACKET_TOO_LARGE = 0x95;
    private static final AtomicInteger IDS = new AtomicInteger();

    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(
                ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                        .withAnonymous(AnonymousAccess.ALLOW)
                        .withAnonymousPermissions(Permissions.allowAll()),
                b -> b.limits(Limits.defaults().withMaxPacketSize(MAX_PACKET).withConnectTimeout(Duration.ofSeconds(1))));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static String id(String base) {
        return base + IDS.incrementAndGet();
    }

    private static RawMqttClient raw(MqttVersion v) throws Exception {
        return new RawMqttClient(broker.port(), v);
    }

    private static RawMqttClient connected(MqttVersion v) throws Exception {
        return rawConnect(broker.port(), v, id("raw"), null);
    }

    // ---- before CONNECT ----

    @ParameterizedTest
    @ValueSource(strings = {"http", "zeros", "ones", "tls", "random"})
    void garbageBeforeConnectClosesTheConnection(String kind) throws Exception {
        byte[] garbage = switch (kind) {
            case "http" -> "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            case "zeros" -> new byte[16];
            case "ones" -> filled(16, (byte) 0xFF);
            case "tls" -> new byte[] {0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03};
            default -> randomBytes(64, 42);
        };
        try (RawMqttClient raw = raw(MqttVersion.MQTT_3_1_1)) {
            raw.sendBytes(garbage);
            assertClosedWithout(raw, MqttMessageType.CONNACK);
        }
        assertBrokerStillServes();
    }

    @Test
    void packetOtherThanConnectFirstClosesTheConnection() throws Exception {
        try (RawMqttClient raw = raw(MqttVersion.MQTT_3_1_1)) {
            rawPublishNoAck(raw, "early/x", 0, false, 0);
            assertThat(raw.closedWithin(WAIT)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void oversizedConnectIsRefused(MqttVersion version) throws Exception {
        try (RawMqttClient raw = raw(version)) {
            raw.send(MqttMessageBuilders.connect().protocolVersion(version).clientId(id("big")).cleanSession(true)
                    .username("u").password(new byte[MAX_PACKET * 2]).build());
            MqttMessage m = raw.read(WAIT);
            if (m != null) {
                assertRefusal(m, version, PACKET_TOO_LARGE);
            }
            assertThat(raw.closedWithin(WAIT)).isTrue();
        }
        assertBrokerStillServes();
    }

    @Test
    void remainingLengthOfFiveBytesBeforeConnectClosesTheConnection() throws Exception {
        try (RawMqttClient raw = raw(MqttVersion.MQTT_3_1_1)) {
            raw.sendBytes(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x00});
            assertClosedWithout(raw, MqttMessageType.CONNACK);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void reservedConnectFlagClosesTheConnection(MqttVersion version) throws Exception {
        try (RawMqttClient raw = raw(version)) {
            raw.sendBytes(connectBytes(version, 0x03));
            MqttMessage m = raw.read(WAIT);
            if (m != null) {
                // MQTT 3.1.1 §3.1.2.3: disconnect; MQTT 5 §3.1.2.3: Malformed Packet
                assertRefusal(m, version, MALFORMED);
            }
            assertThat(raw.closedWithin(WAIT)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void handMadeConnectWithoutTheReservedFlagIsAccepted(MqttVersion version) throws Exception {
        // guards the reserved-flag test: the same bytes with flags 0x02 are a valid CONNECT
        try (RawMqttClient raw = raw(version)) {
            raw.sendBytes(connectBytes(version, 0x02));
            MqttMessage m = readType(raw, MqttMessageType.CONNACK);
            assertThat(m).isNotNull();
            assertThat(connAckCode(m)).isZero();
        }
    }

    @Test
    void truncatedConnectIsClosedByTheConnectTimeout() throws Exception {
        try (RawMqttClient raw = raw(MqttVersion.MQTT_5)) {
            byte[] connect = connectBytes(MqttVersion.MQTT_5, 0x02);
            raw.sendBytes(Arrays.copyOf(connect, 7));
            assertClosedWithout(raw, MqttMessageType.CONNACK);
        }
    }

    // ---- after CONNECT ----

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void oversizedPublishClosesTheConnectionAndIsNotDelivered(MqttVersion version) throws Exception {
        String topic = "big/" + version;
        try (TestClient sub = subscriber("big/#"); RawMqttClient raw = connected(version)) {
            raw.send(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).messageId(1)
                    .payload(Unpooled.wrappedBuffer(new byte[MAX_PACKET * 4])).build());
            expectDisconnectThenClose(raw, version, PACKET_TOO_LARGE);
            publishSentinel("big/sentinel");
            assertThat(sub.inbox().topicsUpTo("big/sentinel")).doesNotContain(topic);
        }
        assertBrokerStillServes();
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void remainingLengthOfFiveBytesAfterConnectClosesTheConnection(MqttVersion version) throws Exception {
        try (RawMqttClient raw = connected(version)) {
            raw.sendBytes(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x00});
            expectDisconnectThenClose(raw, version, MALFORMED);
        }
        assertBrokerStillServes();
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void wildcardInPublishTopicClosesTheConnection(MqttVersion version) throws Exception {
        try (TestClient sub = subscriber("wild/#"); RawMqttClient raw = connected(version)) {
            raw.sendBytes(packet(0x32, publishBody("wild/+", version, true, 1)));
            // MQTT 5 §3.3.2.1 forbids wildcards in a Topic Name; 0x90 or 0x81 both name the fault
            expectDisconnectThenClose(raw, version, TOPIC_NAME_INVALID, MALFORMED);
            publishSentinel("wild/sentinel");
            assertThat(sub.inbox().topicsUpTo("wild/sentinel")).containsExactly("wild/sentinel");
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void publishWithQos3ClosesTheConnection(MqttVersion version) throws Exception {
        try (RawMqttClient raw = connected(version)) {
            raw.sendBytes(packet(0x36, publishBody("q", version, true, 1)));
            expectDisconnectThenClose(raw, version, MALFORMED);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void nulInTopicNameClosesTheConnection(MqttVersion version) throws Exception {
        try (TestClient sub = subscriber("nul/#"); RawMqttClient raw = connected(version)) {
            // MQTT 3.1.1 §4.7.3 / MQTT 5 §4.7.3: topic names MUST NOT include U+0000
            raw.sendBytes(packet(0x30, publishBody("nul/a\u0000b", version, false, 1)));
            expectDisconnectThenClose(raw, version, MALFORMED, TOPIC_NAME_INVALID, PROTOCOL_ERROR);
            publishSentinel("nul/sentinel");
            assertThat(sub.inbox().topicsUpTo("nul/sentinel")).containsExactly("nul/sentinel");
        }
    }

    @Test
    void emptyTopicNameClosesAnMqtt3Connection() throws Exception {
        try (RawMqttClient raw = connected(MqttVersion.MQTT_3_1_1)) {
            raw.sendBytes(packet(0x30, publishBody("", MqttVersion.MQTT_3_1_1, false, 1)));
            assertThat(raw.closedWithin(WAIT)).as("MQTT 3.1.1 §4.7.3: at least one character").isTrue();
        }
    }

    @Test
    void emptyTopicNameWithoutAliasClosesAnMqtt5Connection() throws Exception {
        try (RawMqttClient raw = connected(MqttVersion.MQTT_5)) {
            raw.sendBytes(packet(0x30, publishBody("", MqttVersion.MQTT_5, false, 1)));
            // MQTT 5 §3.3.2.1: an empty topic without a Topic Alias is a Protocol Error
            expectDisconnectThenClose(raw, MqttVersion.MQTT_5, PROTOCOL_ERROR, TOPIC_NAME_INVALID, MALFORMED);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void qos0PublishWithDupSetClosesTheConnection(MqttVersion version) throws Exception {
        try (TestClient sub = subscriber("dup/#"); RawMqttClient raw = connected(version)) {
            // MQTT 3.1.1 [MQTT-3.3.1-2] / MQTT 5 §3.3.1.1: DUP MUST be 0 for QoS 0 (MQTT 5: Malformed Packet)
            raw.sendBytes(packet(0x38, publishBody("dup/x", version, false, 1)));
            expectDisconnectThenClose(raw, version, MALFORMED, PROTOCOL_ERROR);
            publishSentinel("dup/sentinel");
            assertThat(sub.inbox().topicsUpTo("dup/sentinel")).doesNotContain("dup/x");
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void qos1PublishWithPacketIdZeroClosesTheConnection(MqttVersion version) throws Exception {
        try (RawMqttClient raw = connected(version)) {
            // MQTT 3.1.1 §2.3.1 / MQTT 5 §2.2.1: QoS > 0 PUBLISH MUST carry a non-zero Packet Identifier
            byte[] body = publishBody("zero/x", version, true, 1);
            int idAt = 2 + "zero/x".length();
            body[idAt] = 0;
            body[idAt + 1] = 0;
            raw.sendBytes(packet(0x32, body));
            expectDisconnectThenClose(raw, version, MALFORMED, PROTOCOL_ERROR);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void subscribeWithoutFiltersClosesTheConnection(MqttVersion version) throws Exception {
        try (RawMqttClient raw = connected(version)) {
            // MQTT 3.1.1 [MQTT-3.8.3-3] / MQTT 5 §3.8.3: at least one Topic Filter
            raw.sendBytes(version == MqttVersion.MQTT_5 ? new byte[] {(byte) 0x82, 0x03, 0x00, 0x01, 0x00}
                    : new byte[] {(byte) 0x82, 0x02, 0x00, 0x01});
            expectDisconnectThenClose(raw, version, MALFORMED, PROTOCOL_ERROR);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void invalidSubscribeFiltersAreRefusedPerFilterAndTheConnectionStays(MqttVersion version) throws Exception {
        int invalid = version == MqttVersion.MQTT_5 ? TOPIC_FILTER_INVALID : 0x80;
        try (RawMqttClient raw = connected(version)) {
            assertThat(rawSubscribe(raw, 1, 1, "a/#/b", "ok/+", "a+/b", "x/#y"))
                    .containsExactly(invalid, 1, invalid, invalid);
            raw.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            assertThat(readType(raw, MqttMessageType.PINGRESP)).isNotNull();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void truncatedPublishThenCloseLeavesNothingBehind(MqttVersion version) throws Exception {
        int before = broker.broker().connectionCount();
        String topic = "cut/" + version;
        try (TestClient sub = subscriber("cut/#")) {
            try (RawMqttClient raw = connected(version)) {
                byte[] full = publishBytes(topic, version);
                raw.sendBytes(Arrays.copyOf(full, full.length / 2));
            }
            awaitConnectionCount(before + 1);
            publishSentinel("cut/sentinel");
            assertThat(sub.inbox().topicsUpTo("cut/sentinel")).doesNotContain(topic);
        }
        awaitConnectionCount(before);
    }

    @Test
    void truncatedPublishOnAnOpenSocketIsEndedByTheKeepAlive() throws Exception {
        try (RawMqttClient raw = new RawMqttClient(broker.port(), MqttVersion.MQTT_3_1_1)) {
            raw.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(id("ka"))
                    .cleanSession(true).keepAlive(1).build());
            assertThat(readType(raw, MqttMessageType.CONNACK)).isNotNull();
            byte[] full = publishBytes("ka/x", MqttVersion.MQTT_3_1_1);
            raw.sendBytes(Arrays.copyOf(full, 4));
            assertThat(raw.closedWithin(WAIT)).as("closed after 1.5 x keep-alive, not left hanging").isTrue();
        }
    }

    // ---- volume ----

    @Test
    void manyBadConnectionsInARowDoNotHurtTheBroker() throws Exception {
        int before = broker.broker().connectionCount();
        for (int i = 0; i < 50; i++) {
            MqttVersion v = i % 2 == 0 ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1;
            try (RawMqttClient raw = raw(v)) {
                switch (i % 5) {
                    case 0 -> raw.sendBytes(new byte[] {0x00, 0x00, 0x00});
                    case 1 -> raw.sendBytes(connectBytes(v, 0x03));
                    case 2 -> raw.sendBytes(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
                    case 3 -> raw.send(MqttMessageBuilders.connect().protocolVersion(v).clientId(id("many"))
                            .username("u").password(new byte[MAX_PACKET * 2]).build());
                    default -> {
                        raw.sendBytes(connectBytes(v, 0x02));
                        assertThat(readType(raw, MqttMessageType.CONNACK)).isNotNull();
                        raw.sendBytes(new byte[] {0x36, 0x01, 0x00});
                    }
                }
                assertThat(raw.closedWithin(WAIT)).as("bad connection %d closed", i).isTrue();
            }
        }
        awaitConnectionCount(before);
        assertBrokerStillServes();
    }

    // ---- helpers ----

    /** A HiveMQ 5 round trip through the broker on a fresh pair of connections. */
    private static void assertBrokerStillServes() throws Exception {
        String topic = "alive/" + IDS.incrementAndGet();
        try (TestClient sub = subscriber(topic); TestClient pub = ClientKind.HIVEMQ_5.connect(broker.port(), id("p"), null)) {
            pub.publish(topic, 1, false, "still here");
            assertThat(sub.inbox().awaitTopic(topic)).extracting(PermissionTestSupport.Received::payload)
                    .contains("still here");
        }
    }

    private static TestClient subscriber(String filter) throws Exception {
        TestClient c = ClientKind.HIVEMQ_5.connect(broker.port(), id("s"), null);
        assertThat(c.subscribe(1, filter)).containsExactly(1);
        return c;
    }

    /** Published on a new connection, after the offending one is gone: anything leaked would come first. */
    private static void publishSentinel(String topic) throws Exception {
        try (TestClient c = ClientKind.HIVEMQ_5.connect(broker.port(), id("sentinel"), null)) {
            c.publish(topic, 1, false, "s");
        }
    }

    /** MQTT 5 may get a DISCONNECT with one of {@code codes} first; MQTT 3 gets no DISCONNECT. Then closed. */
    private static void expectDisconnectThenClose(RawMqttClient raw, MqttVersion version, Integer... codes)
            throws Exception {
        MqttMessage m = raw.read(WAIT);
        if (m != null) {
            assertThat(version).as("a server never sends DISCONNECT to MQTT 3.1.1").isEqualTo(MqttVersion.MQTT_5);
            assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
            assertThat(disconnectCode(m)).isIn((Object[]) codes);
        }
        // a null read has already waited WAIT; a DISCONNECT must be followed by the close at once
        assertThat(raw.closedWithin(m == null ? Duration.ofMillis(200) : WAIT)).as("connection closed").isTrue();
    }

    private static void assertClosedWithout(RawMqttClient raw, MqttMessageType unwanted) throws Exception {
        MqttMessage m = raw.read(WAIT);
        if (m != null) {
            assertThat(m.fixedHeader().messageType()).isNotEqualTo(unwanted);
        }
        assertThat(raw.closedWithin(WAIT)).isTrue();
    }

    /** A CONNACK that refuses: with {@code v5Code} for MQTT 5, any refusal for 3.1.1 (it has no such code). */
    private static void assertRefusal(MqttMessage m, MqttVersion version, int v5Code) {
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        if (version == MqttVersion.MQTT_5) {
            assertThat(connAckCode(m)).isEqualTo(v5Code);
        } else {
            assertThat(connAckCode(m)).isNotZero();
        }
    }

    private static int connAckCode(MqttMessage m) {
        return ((MqttConnAckMessage) m).variableHeader().connectReturnCode().byteValue() & 0xFF;
    }

    private static void awaitConnectionCount(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (broker.broker().connectionCount() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(broker.broker().connectionCount()).isEqualTo(expected);
    }

    /** A CONNECT by hand (client id "hand"), so that its flags byte can be anything. */
    private static byte[] connectBytes(MqttVersion version, int flags) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x00, 0x04, 'M', 'Q', 'T', 'T', version.protocolLevel(), (byte) flags, 0x00, 0x3C});
        if (version == MqttVersion.MQTT_5) {
            b.write(0x00);
        }
        b.writeBytes(new byte[] {0x00, 0x04, 'h', 'a', 'n', 'd'});
        return packet(0x10, b.toByteArray());
    }

    /** A complete QoS 0 PUBLISH with a 64-byte payload. */
    private static byte[] publishBytes(String topic, MqttVersion version) {
        return packet(0x30, publishBody(topic, version, false, 64));
    }

    /** The variable header and payload of a PUBLISH, by hand, so that Netty's encoder cannot refuse them. */
    private static byte[] publishBody(String topic, MqttVersion version, boolean packetId, int payloadLength) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        b.write(t.length >> 8);
        b.write(t.length);
        b.writeBytes(t);
        if (packetId) {
            b.writeBytes(new byte[] {0x00, 0x01});
        }
        if (version == MqttVersion.MQTT_5) {
            b.write(0x00); // no properties
        }
        b.writeBytes(filled(payloadLength, (byte) 'p'));
        return b.toByteArray();
    }

    /** Fixed header (type/flags byte, remaining length < 128) + body. */
    private static byte[] packet(int firstByte, byte[] body) {
        assertThat(body.length).isLessThan(128);
        byte[] out = new byte[body.length + 2];
        out[0] = (byte) firstByte;
        out[1] = (byte) body.length;
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }

    private static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        Arrays.fill(b, v);
        return b;
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}

package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.PermissionTestSupport.WAIT;
import static dev.gatehouse.broker.it.PermissionTestSupport.disconnectCode;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawConnect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One row per decoder rule, sent as raw bytes over a socket to a running broker: an MQTT 5 client
 * gets the reason code the spec gives (CONNACK for a bad CONNECT, DISCONNECT afterwards) and is
 * closed; an MQTT 3.1.1 client is closed without a DISCONNECT (and without a successful CONNACK).
 * Section numbers are MQTT 5.0's unless marked.
 */
class DecoderRulesTest {
    private static final int MAX_PACKET = 1024;
    private static final int MALFORMED = 0x81;
    private static final int PROTOCOL_ERROR = 0x82;
    private static final int TOO_LARGE = 0x95;
    private static final MqttVersion V3 = MqttVersion.MQTT_3_1_1;
    private static final MqttVersion V5 = MqttVersion.MQTT_5;
    private static final AtomicInteger IDS = new AtomicInteger();

    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, "127.0.0.1", 0)
                        .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll()),
                b -> b.limits(Limits.defaults().withMaxPacketSize(MAX_PACKET)));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** A rule broken by {@code bytes}, sent as the first packet ({@code connect}) or after a good CONNECT. */
    record Row(String rule, MqttVersion version, boolean connect, byte[] bytes, int v5Code) {
        @Override
        public String toString() {
            return (version == V5 ? "5.0 " : "3.1.1 ") + rule;
        }
    }

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        // ---- fixed header (§2.1.3, §1.5.5) ----
        both(r, "PUBACK reserved flags 0010 (§2.1.3)", v -> pkt(0x42, "0001"), MALFORMED);
        both(r, "PUBREL flags 0000 [MQTT-3.6.1-1]", v -> pkt(0x60, "0001"), MALFORMED);
        both(r, "SUBSCRIBE flags 0000 [MQTT-3.8.1-1]", v -> pkt(0x80, "0001" + props(v, "") + "000161" + "00"), MALFORMED);
        both(r, "UNSUBSCRIBE flags 0000 [MQTT-3.10.1-1]", v -> pkt(0xA0, "0001" + props(v, "") + "000161"), MALFORMED);
        both(r, "PINGREQ flags 0001 (§2.1.3)", v -> pkt(0xC1, ""), MALFORMED);
        both(r, "PUBLISH QoS 3 [MQTT-3.3.1-4]", v -> pkt(0x36, "000161" + "0001" + props(v, "")), MALFORMED);
        both(r, "PUBLISH QoS 0 with DUP [MQTT-3.3.1-2]", v -> pkt(0x38, "000161" + props(v, "")), MALFORMED);
        both(r, "Remaining Length of 5 bytes (§1.5.5)", v -> hex("30ffffffff01"), MALFORMED);
        both(r, "Remaining Length not minimal [MQTT-1.5.5-1]", v -> hex("c08000"), MALFORMED);
        both(r, "packet over the maximum size, refused before its body", v -> hex("30" + "ff0f"), TOO_LARGE);
        both(r, "variable header past the Remaining Length, then a PINGREQ (§2.1.4)",
                v -> hex("3004" + "0010" + "6162" + "c000"), MALFORMED);
        both(r, "PINGREQ with a body", v -> pkt(0xC0, "00"), MALFORMED);
        both(r, "CONNACK from a client (§3.2)", v -> pkt(0x20, "0000" + props(v, "")), PROTOCOL_ERROR);
        both(r, "reserved packet type 0 (§2.1.2)", v -> pkt(0x00, ""), MALFORMED);
        // ---- packet identifiers [MQTT-2.2.1-3] ----
        both(r, "PUBLISH QoS 1 with Packet Identifier 0", v -> pkt(0x32, "000161" + "0000" + props(v, "")), PROTOCOL_ERROR);
        both(r, "SUBSCRIBE with Packet Identifier 0", v -> pkt(0x82, "0000" + props(v, "") + "000161" + "00"), PROTOCOL_ERROR);
        both(r, "UNSUBSCRIBE with Packet Identifier 0", v -> pkt(0xA2, "0000" + props(v, "") + "000161"), PROTOCOL_ERROR);
        // ---- UTF-8 (§1.5.4) ----
        both(r, "topic with a lone continuation byte [MQTT-1.5.4-1]", v -> pkt(0x30, "0003" + "61" + "8062" + props(v, "")), MALFORMED);
        both(r, "topic with U+0000 [MQTT-1.5.4-2]", v -> pkt(0x30, "0003" + "610062" + props(v, "")), MALFORMED);
        both(r, "topic with surrogate U+D800 [MQTT-1.5.4-1]", v -> pkt(0x30, "0003" + "eda080" + props(v, "")), MALFORMED);
        both(r, "topic with overlong '/' (C0 AF)", v -> pkt(0x30, "0002" + "c0af" + props(v, "")), MALFORMED);
        both(r, "topic filter with invalid UTF-8", v -> pkt(0x82, "0001" + props(v, "") + "0002" + "ff61" + "00"), MALFORMED);
        both(r, "user property with invalid UTF-8", v -> v == V5 ? pkt(0x30, "000161" + "08" + "260001ff000161") : null, MALFORMED);
        // ---- properties (§2.2.2) ----
        five(r, "unknown property 0x7F (§2.2.2.2)", pkt(0x30, "000161" + "02" + "7f00"), MALFORMED);
        five(r, "Topic Alias twice (§3.3.2.3.4)", pkt(0x30, "000161" + "06" + "230001" + "230001"), PROTOCOL_ERROR);
        five(r, "Session Expiry Interval in PUBLISH (§2.2.2.2)", pkt(0x30, "000161" + "05" + "1100000001"), MALFORMED);
        five(r, "Subscription Identifier in a client's PUBLISH [MQTT-3.3.4-6]", pkt(0x30, "000161" + "02" + "0b01"), PROTOCOL_ERROR);
        five(r, "Maximum QoS (server only) in PUBLISH (§2.2.2.2)", pkt(0x30, "000161" + "02" + "2401"), MALFORMED);
        five(r, "Retain Available (server only) in PUBACK (§2.2.2.2)", pkt(0x40, "0001" + "00" + "02" + "2501"), MALFORMED);
        five(r, "property length past the frame (§2.2.2.1)", pkt(0x30, "000161" + "09" + "2300"), MALFORMED);
        five(r, "property value past the property length", pkt(0x30, "000161" + "02" + "2300" + "01"), MALFORMED);
        five(r, "Payload Format Indicator 2 (§3.3.2.3.2)", pkt(0x30, "000161" + "02" + "0102"), PROTOCOL_ERROR);
        five(r, "Subscription Identifier 0 (§3.8.2.1.2)", pkt(0x82, "0001" + "02" + "0b00" + "000161" + "00"), PROTOCOL_ERROR);
        five(r, "Response Topic with + [MQTT-3.3.2-14]", pkt(0x30, "000161" + "06" + "080003612f2b"), PROTOCOL_ERROR);
        five(r, "Response Topic with # [MQTT-3.3.2-14]", pkt(0x30, "000161" + "04" + "08000123"), PROTOCOL_ERROR);
        five(r, "PUBACK reason code not defined (§3.4.2.1)", pkt(0x40, "0001" + "01"), MALFORMED);
        five(r, "PUBREL reason code 0x10 (§3.6.2.1)", pkt(0x62, "0001" + "10"), MALFORMED);
        // ---- PUBLISH topic (§3.3.2.1) ----
        r.add(new Row("empty topic without Topic Alias (§3.3.2.1)", V5, false, pkt(0x30, "0000" + "00"), PROTOCOL_ERROR));
        r.add(new Row("empty topic (3.1.1 [MQTT-4.7.3-1])", V3, false, pkt(0x30, "0000" + "6161"), MALFORMED));
        // ---- SUBSCRIBE / UNSUBSCRIBE ----
        both(r, "SUBSCRIBE without a topic filter [MQTT-3.8.3-2]", v -> pkt(0x82, "0001" + props(v, "")), PROTOCOL_ERROR);
        both(r, "UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]", v -> pkt(0xA2, "0001" + props(v, "")), PROTOCOL_ERROR);
        five(r, "subscription options bits 6-7 set [MQTT-3.8.3-5]", pkt(0x82, "0001" + "00" + "000161" + "41"), MALFORMED);
        five(r, "subscription Retain Handling 3 (§3.8.3.1)", pkt(0x82, "0001" + "00" + "000161" + "30"), PROTOCOL_ERROR);
        five(r, "subscription Maximum QoS 3 (§3.8.3.1)", pkt(0x82, "0001" + "00" + "000161" + "03"), PROTOCOL_ERROR);
        r.add(new Row("requested QoS upper bits set (3.1.1 [MQTT-3-8.3-4])", V3, false, pkt(0x82, "0001" + "000161" + "81"), MALFORMED));
        r.add(new Row("requested QoS 3 (3.1.1 [MQTT-3-8.3-4])", V3, false, pkt(0x82, "0001" + "000161" + "03"), MALFORMED));
        // ---- CONNECT (§3.1) ----
        both(r, "CONNECT reserved flag [MQTT-3.1.2-3]", v -> connect(v, 0x03, "", "0004" + "68616e64"), MALFORMED);
        both(r, "CONNECT will QoS without will flag [MQTT-3.1.2-11]", v -> connect(v, 0x0A, "", "000168"), MALFORMED);
        both(r, "CONNECT will retain without will flag [MQTT-3.1.2-13]", v -> connect(v, 0x22, "", "000168"), MALFORMED);
        both(r, "CONNECT will QoS 3 (§3.1.2.6)", v -> connect(v, 0x1E, "", "000168" + props(v, "") + "000174" + "0000"), MALFORMED);
        both(r, "CONNECT client id with U+0000", v -> connect(v, 0x02, "", "0003" + "610062"), MALFORMED);
        both(r, "CONNECT user name flag without a user name [MQTT-3.1.2-17]", v -> connect(v, 0x82, "", "000168"), MALFORMED);
        both(r, "CONNECT user name without its flag [MQTT-3.1.2-16]", v -> connect(v, 0x02, "", "000168" + "000175"), MALFORMED);
        r.add(new Row("CONNECT password without user name (3.1.1 [MQTT-3.1.2-22])", V3, true,
                connect(V3, 0x42, "", "000168" + "000170"), MALFORMED));
        five(r, "CONNECT Receive Maximum 0 (§3.1.2.11.3)", connect(V5, 0x02, "210000", "000168"), PROTOCOL_ERROR);
        five(r, "CONNECT Maximum Packet Size 0 (§3.1.2.11.4)", connect(V5, 0x02, "2700000000", "000168"), PROTOCOL_ERROR);
        five(r, "CONNECT Request Problem Information 2 (§3.1.2.11.7)", connect(V5, 0x02, "1702", "000168"), PROTOCOL_ERROR);
        five(r, "CONNECT Request Response Information 2 (§3.1.2.11.6)", connect(V5, 0x02, "1902", "000168"), PROTOCOL_ERROR);
        five(r, "CONNECT Session Expiry Interval twice (§3.1.2.11.2)", connect(V5, 0x02, "1100000001" + "1100000002", "000168"), PROTOCOL_ERROR);
        five(r, "CONNECT Maximum QoS (server only, §2.2.2.2)", connect(V5, 0x02, "2401", "000168"), MALFORMED);
        five(r, "CONNECT Topic Alias (§2.2.2.2)", connect(V5, 0x02, "230001", "000168"), MALFORMED);
        five(r, "CONNECT unknown property", connect(V5, 0x02, "3000", "000168"), MALFORMED);
        five(r, "CONNECT Authentication Data without Method (§3.1.2.11.10)", connect(V5, 0x02, "16000101", "000168"), PROTOCOL_ERROR);
        five(r, "CONNECT property length past the frame", pkt(0x10, "00044d515454" + "05" + "02" + "003c" + "20" + "000168"), MALFORMED);
        five(r, "will Response Topic with # [MQTT-3.3.2-14]", connect(V5, 0x06, "", "000168" + "04" + "08000123" + "000174" + "0000"), PROTOCOL_ERROR);
        five(r, "will Payload Format Indicator 7", connect(V5, 0x06, "", "000168" + "02" + "0107" + "000174" + "0000"), PROTOCOL_ERROR);
        five(r, "will Session Expiry Interval (§2.2.2.2)", connect(V5, 0x06, "", "000168" + "05" + "1100000001" + "000174" + "0000"), MALFORMED);
        r.removeIf(row -> row.bytes() == null);
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void brokenRuleIsAnsweredWithItsReasonCodeAndTheConnectionCloses(Row row) throws Exception {
        RawMqttClient raw = row.connect() ? new RawMqttClient(broker.port(), row.version())
                : rawConnect(broker.port(), row.version(), "rules" + IDS.incrementAndGet(), null);
        try (raw) {
            raw.sendBytes(row.bytes());
            MqttMessage m = raw.read(WAIT);
            if (row.version() == V5) {
                assertThat(m).as("an MQTT 5 client is told why").isNotNull();
                MqttMessageType expected = row.connect() ? MqttMessageType.CONNACK : MqttMessageType.DISCONNECT;
                assertThat(m.fixedHeader().messageType()).isEqualTo(expected);
                int code = row.connect() ? connAckCode(m) : disconnectCode(m);
                assertThat(code).as("reason code 0x%s", Integer.toHexString(code)).isEqualTo(row.v5Code());
            } else if (m != null) {
                // MQTT 3.1.1 has no DISCONNECT from the server; a refused CONNECT may still get a CONNACK error.
                assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
                assertThat(row.connect()).isTrue();
                assertThat(connAckCode(m)).isNotZero();
            }
            assertThat(raw.closedWithin(m == null ? Duration.ofMillis(200) : WAIT)).as("connection closed").isTrue();
        }
    }

    // ---- building bytes ----

    private interface PerVersion {
        byte[] bytes(MqttVersion v);
    }

    private static void both(List<Row> r, String rule, PerVersion bytes, int v5Code) {
        boolean connect = rule.startsWith("CONNECT");
        r.add(new Row(rule, V3, connect, bytes.bytes(V3), v5Code));
        r.add(new Row(rule, V5, connect, bytes.bytes(V5), v5Code));
    }

    private static void five(List<Row> r, String rule, byte[] bytes, int v5Code) {
        boolean connect = rule.startsWith("CONNECT") || rule.startsWith("will");
        r.add(new Row(rule, V5, connect, bytes, v5Code));
    }

    /** An MQTT 5 property block holding {@code hex} (nothing in 3.1.1). */
    private static String props(MqttVersion v, String hex) {
        return v == V5 ? String.format("%02x", hex.length() / 2) + hex : "";
    }

    /** CONNECT with {@code flags}, keep-alive 60, MQTT 5 properties {@code props}, then {@code payload}. */
    private static byte[] connect(MqttVersion v, int flags, String props, String payload) {
        return pkt(0x10, "00044d515454" + String.format("%02x%02x", v.protocolLevel(), flags) + "003c"
                + props(v, props) + payload);
    }

    /** Fixed header with the right Remaining Length, then the body. */
    private static byte[] pkt(int first, String bodyHex) {
        byte[] body = hex(bodyHex);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        int v = body.length;
        do {
            int d = v % 128;
            v /= 128;
            out.write(v > 0 ? d | 0x80 : d);
        } while (v > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static int connAckCode(MqttMessage m) {
        return ((MqttConnAckMessage) m).variableHeader().connectReturnCode().byteValue() & 0xFF;
    }
}

package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.AuthTestSupport.HOST;
import static dev.gatehouse.broker.it.AuthTestSupport.WAIT;
import static dev.gatehouse.broker.it.AuthTestSupport.connAckCode;
import static dev.gatehouse.broker.it.AuthTestSupport.connAckProperties;
import static dev.gatehouse.broker.it.AuthTestSupport.connect;
import static dev.gatehouse.broker.it.AuthTestSupport.connectBytes;
import static dev.gatehouse.broker.it.AuthTestSupport.expect;
import static dev.gatehouse.broker.it.AuthTestSupport.expectConnAck;
import static dev.gatehouse.broker.it.AuthTestSupport.hive3;
import static dev.gatehouse.broker.it.AuthTestSupport.hive5;
import static dev.gatehouse.broker.it.AuthTestSupport.paho5Options;
import static dev.gatehouse.broker.it.AuthTestSupport.publishQos1;
import static dev.gatehouse.broker.it.AuthTestSupport.reasonCode;
import static dev.gatehouse.broker.it.AuthTestSupport.stringProperty;
import static dev.gatehouse.broker.it.AuthTestSupport.uniqueId;
import static dev.gatehouse.broker.it.AuthTestSupport.withPaho5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CONNECT validation: protocol name and level, client identifier rules, the connect timeout and what
 * may (not) come before or after CONNECT. Every client is admitted by the anonymous policy, so the
 * only reasons to refuse are the ones under test.
 */
class ConnectTest {
    /** Above the length of the broker's assigned ids, so that empty client ids are tested on their own. */
    private static final int MAX_ID = 64;

    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, HOST, 0)
                        .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll()),
                b -> b.limits(Limits.defaults().withMaxClientIdLength(MAX_ID)
                        .withConnectTimeout(Duration.ofMillis(500))));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static int port() {
        return broker.port();
    }

    private static String uri() {
        return "tcp://" + HOST + ":" + port();
    }

    private static RawMqttClient raw(MqttVersion v) throws Exception {
        return new RawMqttClient(port(), v);
    }

    // ---- accepted protocol versions ----

    @Test
    void hivemqMqtt311Connects() {
        Mqtt3BlockingClient c = hive3(port(), uniqueId("h3"));
        Mqtt3ConnAck ack = c.connect();
        assertThat(ack.getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        c.disconnect();
    }

    @Test
    void hivemqMqtt5Connects() {
        Mqtt5BlockingClient c = hive5(port(), uniqueId("h5")).buildBlocking();
        Mqtt5ConnAck ack = c.connect();
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        c.disconnect();
    }

    @Test
    void pahoMqtt311Connects() throws Exception {
        assertPahoV3Connects(MqttConnectOptions.MQTT_VERSION_3_1_1, uniqueId("p311"));
    }

    @Test
    void pahoMqtt31WithProtocolNameMQIsdpConnects() throws Exception {
        // MQTT 3.1 client ids are limited to 23 characters by that spec; keep it short.
        assertPahoV3Connects(MqttConnectOptions.MQTT_VERSION_3_1, uniqueId("p31"));
    }

    @Test
    void pahoMqtt5Connects() throws Exception {
        withPaho5(port(), uniqueId("p5"), c -> {
            var token = c.connectWithResult(paho5Options());
            var connAck = (org.eclipse.paho.mqttv5.common.packet.MqttConnAck) token.getResponse();
            assertThat(connAck.getReturnCode()).isZero();
            assertThat(c.isConnected()).isTrue();
        });
    }

    @Test
    void rawMqtt31ConnectGetsAccepted() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1)) {
            c.send(connect(MqttVersion.MQTT_3_1, uniqueId("r31")));
            assertThat(expectConnAck(c)).isZero();
        }
    }

    private static void assertPahoV3Connects(int version, String clientId) throws Exception {
        try (var c = new org.eclipse.paho.client.mqttv3.MqttClient(uri(), clientId,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence())) {
            c.connect(pahoV3Options(version, true));
            assertThat(c.isConnected()).isTrue();
            c.disconnect();
        }
    }

    private static MqttConnectOptions pahoV3Options(int version, boolean cleanSession) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(version);
        o.setCleanSession(cleanSession);
        o.setConnectionTimeout(5);
        return o;
    }

    // ---- refused protocol versions ----

    @Test
    void unsupportedProtocolLevelGetsReturnCode1AndIsClosed() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            c.sendBytes(connectBytes("MQTT", 6, "level6"));
            // MQTT 3.1.1 §3.1.2.2 [MQTT-3.1.2-2]: CONNACK 0x01 (unacceptable protocol level), then disconnect.
            assertThat(expectConnAck(c)).isEqualTo(0x01);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void protocolNameThatDoesNotMatchTheLevelIsNeverAccepted() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            // "MQTT" with the 3.1 level: [MQTT-3.1.2-1] lets the server close, or refuse with a CONNACK.
            c.sendBytes(connectBytes("MQTT", 3, "wrongname"));
            assertNotAdmittedAndClosed(c);
        }
    }

    @Test
    void mqtt311ConnectWithTheReservedFlagSetIsClosed() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            // [MQTT-3.1.2-3]: the reserved flag must be 0, else disconnect.
            c.sendBytes(connectBytes("MQTT", 4, 0x03, uniqueId("reserved3")));
            assertNotAdmittedAndClosed(c);
        }
    }

    @Test
    void mqtt5ConnectWithTheReservedFlagSetIsRefused() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_5)) {
            // MQTT 5 §3.1.2.3: a non-zero reserved flag is a Malformed Packet (CONNACK 0x81 allowed before close).
            c.sendBytes(connectBytes("MQTT", 5, 0x03, uniqueId("reserved5")));
            assertNotAdmittedAndClosed(c);
        }
    }

    @Test
    void mqtt311PasswordWithoutUsernameIsClosed() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            // [MQTT-3.1.2-22]: in 3.1.1 a password requires a user name.
            // Hand-encoded: Netty's encoder refuses to write this. Flags 0x42 = password + clean session.
            c.sendBytes(connectBytes("MQTT", 4, 0x42, uniqueId("pwonly3"), (byte) 0, (byte) 2, (byte) 'p', (byte) 'w'));
            assertNotAdmittedAndClosed(c);
        }
    }

    @Test
    void mqtt5PasswordWithoutUsernameIsAllowed() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_5)) {
            // MQTT 5 §3.1.2.9 dropped that rule: a password alone is fine.
            c.send(connect(MqttVersion.MQTT_5, uniqueId("pwonly5"),
                    b -> b.hasUser(false).hasPassword(true).password(AuthTestSupport.utf8("secret"))));
            assertThat(expectConnAck(c)).isZero();
        }
    }

    /** Either closed silently or refused with a CONNACK error first; never admitted. */
    private static void assertNotAdmittedAndClosed(RawMqttClient c) throws Exception {
        MqttMessage m = c.read(WAIT);
        if (m != null) {
            assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
            assertThat(connAckCode(m)).isNotZero();
        }
        assertThat(c.closedWithin(WAIT)).isTrue();
    }

    // ---- client identifiers ----

    @Test
    void mqtt5EmptyClientIdGetsAnAssignedClientIdentifier() {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().serverHost(HOST).serverPort(port())
                .buildBlocking();
        Mqtt5ConnAck ack = c.connect();
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(ack.getAssignedClientIdentifier()).isPresent();
        assertThat(ack.getAssignedClientIdentifier().get().toString()).isNotEmpty();
        c.disconnect();
    }

    @Test
    void mqtt5EmptyClientIdAssignedIdentifierOnTheWire() throws Exception {
        try (RawMqttClient c1 = raw(MqttVersion.MQTT_5); RawMqttClient c2 = raw(MqttVersion.MQTT_5)) {
            c1.send(connect(MqttVersion.MQTT_5, ""));
            c2.send(connect(MqttVersion.MQTT_5, ""));
            MqttMessage a1 = expect(c1, MqttMessageType.CONNACK);
            MqttMessage a2 = expect(c2, MqttMessageType.CONNACK);
            assertThat(connAckCode(a1)).isZero();
            assertThat(connAckCode(a2)).isZero();
            Optional<String> id1 = stringProperty(connAckProperties(a1), MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER);
            Optional<String> id2 = stringProperty(connAckProperties(a2), MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER);
            assertThat(id1).isPresent();
            assertThat(id2).isPresent();
            // Two anonymous clients must not share (and so take over) one session.
            assertThat(id1.get()).isNotEqualTo(id2.get());
        }
    }

    @Test
    void assignedClientIdentifierIsNotRefusedByASmallClientIdLimit() {
        // 23 is the MQTT 3.1 limit and a common broker setting; an id the broker made up itself must
        // not be refused by the limit meant for ids clients choose.
        try (TestBroker small = TestBroker.start(ListenerConfig.tcp(TestBroker.LISTENER, HOST, 0)
                        .withAnonymous(AnonymousAccess.ALLOW).withAnonymousPermissions(Permissions.allowAll()),
                b -> b.limits(Limits.defaults().withMaxClientIdLength(23)))) {
            Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().serverHost(HOST).serverPort(small.port())
                    .buildBlocking();
            Mqtt5ConnAck ack = c.connect();
            assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
            assertThat(ack.getAssignedClientIdentifier()).isPresent();
            c.disconnect();
        }
    }

    @Test
    void mqtt311EmptyClientIdWithCleanSessionIsAdmitted() throws Exception {
        Mqtt3BlockingClient hive = MqttClient.builder().useMqttVersion3().serverHost(HOST).serverPort(port())
                .buildBlocking();
        assertThat(hive.connectWith().cleanSession(true).send().getReturnCode())
                .isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        hive.disconnect();

        try (var paho = new org.eclipse.paho.client.mqttv3.MqttClient(uri(), "",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence())) {
            paho.connect(pahoV3Options(MqttConnectOptions.MQTT_VERSION_3_1_1, true));
            assertThat(paho.isConnected()).isTrue();
            paho.disconnect();
        }
    }

    @Test
    void mqtt311EmptyClientIdWithoutCleanSessionGetsReturnCode2() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            c.send(connect(MqttVersion.MQTT_3_1_1, "", b -> b.cleanSession(false)));
            // [MQTT-3.1.3-8]: CONNACK 0x02 (identifier rejected), then close.
            assertThat(expectConnAck(c)).isEqualTo(0x02);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void clientIdAtTheLimitIsAdmitted() {
        Mqtt5BlockingClient c = hive5(port(), "x".repeat(MAX_ID)).buildBlocking();
        assertThat(c.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        c.disconnect();
    }

    @Test
    void mqtt311ClientIdOverTheLimitGetsReturnCode2() {
        Mqtt3BlockingClient c = hive3(port(), "y".repeat(MAX_ID + 1));
        Mqtt3ConnAckException e = catchThrowableOfType(c::connect, Mqtt3ConnAckException.class);
        assertThat(e).isNotNull();
        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED);
    }

    @Test
    void mqtt5ClientIdOverTheLimitGets0x85() {
        Mqtt5BlockingClient c = hive5(port(), "z".repeat(MAX_ID + 1)).buildBlocking();
        Mqtt5ConnAckException e = catchThrowableOfType(c::connect, Mqtt5ConnAckException.class);
        assertThat(e).isNotNull();
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
    }

    @Test
    void mqtt31ClientIdOverTheLimitGetsReturnCode2() throws Exception {
        try (var c = new org.eclipse.paho.client.mqttv3.MqttClient(uri(), "w".repeat(MAX_ID + 1),
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence())) {
            MqttException e = catchThrowableOfType(
                    () -> c.connect(pahoV3Options(MqttConnectOptions.MQTT_VERSION_3_1, true)), MqttException.class);
            assertThat(e).isNotNull();
            assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID);
        }
    }

    @Test
    void pahoMqtt5ClientIdOverTheLimitGets0x85() throws Exception {
        withPaho5(port(), "v".repeat(MAX_ID + 1), c -> {
            var e = catchThrowableOfType(() -> c.connect(paho5Options()),
                    org.eclipse.paho.mqttv5.common.MqttException.class);
            assertThat(e).isNotNull();
            assertThat(e.getReasonCode()).isEqualTo(0x85);
        });
    }

    // ---- timing and order of CONNECT ----

    @Test
    void socketThatSendsNothingIsClosedAfterTheConnectTimeout() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void incompleteConnectIsClosedAfterTheConnectTimeout() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            // A fixed header announcing 20 bytes, followed by only 3 of them.
            c.sendBytes(new byte[] {0x10, 20, 0x00, 0x04, 'M'});
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void clientThatConnectsInTimeIsNotClosedByTheConnectTimeout() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            c.send(connect(MqttVersion.MQTT_3_1_1, uniqueId("intime")));
            assertThat(expectConnAck(c)).isZero();
            // Well past the 500 ms connect timeout, the connection must still serve requests.
            Thread.sleep(800);
            c.send(publishQos1("t/1", 1));
            expect(c, MqttMessageType.PUBACK);
        }
    }

    @Test
    void mqtt5SecondConnectIsAProtocolError() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_5)) {
            c.send(connect(MqttVersion.MQTT_5, uniqueId("twice5")));
            assertThat(expectConnAck(c)).isZero();
            c.send(connect(MqttVersion.MQTT_5, uniqueId("twice5b")));
            // MQTT 5 §3.1: a second CONNECT is a Protocol Error; DISCONNECT 0x82 then close.
            MqttMessage d = expect(c, MqttMessageType.DISCONNECT);
            assertThat(reasonCode(d)).isEqualTo(0x82);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void mqtt311SecondConnectClosesTheConnection() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            c.send(connect(MqttVersion.MQTT_3_1_1, uniqueId("twice3")));
            assertThat(expectConnAck(c)).isZero();
            c.send(connect(MqttVersion.MQTT_3_1_1, uniqueId("twice3b")));
            // [MQTT-3.1.0-2]: a second CONNECT is a protocol violation; MQTT 3 has no DISCONNECT from the server.
            assertThat(c.read(WAIT)).isNull();
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void firstPacketNotConnectClosesWithoutConnAck() throws Exception {
        try (RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            c.sendBytes(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ
            // [MQTT-3.1.0-1]: the first packet must be CONNECT.
            assertThat(c.read(WAIT)).isNull();
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void publishBeforeConnectClosesWithoutDeliveringAnything() throws Exception {
        Mqtt5BlockingClient sub = hive5(port(), uniqueId("watcher")).buildBlocking();
        sub.connect();
        sub.subscribeWith().topicFilter("early/#").send();
        try (var publishes = AuthTestSupport.publishes(sub); RawMqttClient c = raw(MqttVersion.MQTT_3_1_1)) {
            c.send(publishQos1("early/1", 1));
            assertThat(c.read(WAIT)).isNull();
            assertThat(c.closedWithin(WAIT)).isTrue();
            assertThat(publishes.receive(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isEmpty();
        } finally {
            sub.disconnect();
        }
    }

    @Test
    void brokerKeepsServingOthersAfterRefusingBrokenConnects() throws Exception {
        try (RawMqttClient bad = raw(MqttVersion.MQTT_3_1_1)) {
            bad.sendBytes(connectBytes("MQTT", 9, "bad"));
            assertThat(expectConnAck(bad)).isEqualTo(0x01);
        }
        Mqtt3BlockingClient good = hive3(port(), uniqueId("after"));
        assertThat(good.connect().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        good.disconnect();
    }
}

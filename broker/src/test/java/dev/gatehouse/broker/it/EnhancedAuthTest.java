package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.AuthTestSupport.CHALLENGE_METHOD;
import static dev.gatehouse.broker.it.AuthTestSupport.WAIT;
import static dev.gatehouse.broker.it.AuthTestSupport.auth;
import static dev.gatehouse.broker.it.AuthTestSupport.binaryProperty;
import static dev.gatehouse.broker.it.AuthTestSupport.connAckCode;
import static dev.gatehouse.broker.it.AuthTestSupport.connAckProperties;
import static dev.gatehouse.broker.it.AuthTestSupport.connect;
import static dev.gatehouse.broker.it.AuthTestSupport.connectWithMethod;
import static dev.gatehouse.broker.it.AuthTestSupport.deciding;
import static dev.gatehouse.broker.it.AuthTestSupport.expect;
import static dev.gatehouse.broker.it.AuthTestSupport.expectConnAck;
import static dev.gatehouse.broker.it.AuthTestSupport.hive3;
import static dev.gatehouse.broker.it.AuthTestSupport.hive5;
import static dev.gatehouse.broker.it.AuthTestSupport.pubAckCode;
import static dev.gatehouse.broker.it.AuthTestSupport.publishQos1;
import static dev.gatehouse.broker.it.AuthTestSupport.reasonCode;
import static dev.gatehouse.broker.it.AuthTestSupport.reasonProperties;
import static dev.gatehouse.broker.it.AuthTestSupport.reversed;
import static dev.gatehouse.broker.it.AuthTestSupport.stringProperty;
import static dev.gatehouse.broker.it.AuthTestSupport.uniqueId;
import static dev.gatehouse.broker.it.AuthTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.it.AuthTestSupport.ChallengeAuthenticator;
import dev.gatehouse.broker.it.AuthTestSupport.Events;
import dev.gatehouse.broker.it.AuthTestSupport.Scripted;
import dev.gatehouse.broker.it.AuthTestSupport.TestMechanism;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 enhanced authentication (AUTH 0x18 during CONNECT): a challenge-response authenticator driven
 * by the HiveMQ client's enhanced-auth mechanism and by hand over a raw socket, plus every way the
 * exchange can go wrong.
 */
class EnhancedAuthTest {
    private static final Duration AUTH_TIMEOUT = Duration.ofMillis(500);

    private final List<TestBroker> brokers = new ArrayList<>();
    private final Events events = new Events();
    /** A username/password authenticator ahead of the challenger: requests naming a method must skip it. */
    private final Scripted passwords = deciding("passwords", r -> AuthDecision.success("pw", Permissions.allowAll()));

    @AfterEach
    void tearDown() {
        brokers.forEach(TestBroker::close);
    }

    private TestBroker start(ChallengeAuthenticator challenger, boolean withPasswords) {
        TestBroker b = TestBroker.start(x -> {
            x.limits(Limits.defaults().withAuthTimeout(AUTH_TIMEOUT)).eventListener(events);
            if (withPasswords) {
                x.authenticator(passwords);
            }
            x.authenticator(challenger);
        });
        brokers.add(b);
        return b;
    }

    private TestBroker start(ChallengeAuthenticator challenger) {
        return start(challenger, true);
    }

    private static RawMqttClient raw(TestBroker b) throws Exception {
        return new RawMqttClient(b.port(), MqttVersion.MQTT_5);
    }

    /** Send CONNECT with the challenge method and return the nonce of the broker's AUTH 0x18. */
    private static byte[] startExchange(RawMqttClient c, String token) throws Exception {
        c.send(connectWithMethod(uniqueId("raw"), CHALLENGE_METHOD, utf8(token)));
        return expectChallenge(c);
    }

    private static byte[] expectChallenge(RawMqttClient c) throws Exception {
        MqttMessage challenge = expect(c, MqttMessageType.AUTH);
        assertThat(reasonCode(challenge)).as("AUTH reason").isEqualTo(0x18);
        assertThat(stringProperty(reasonProperties(challenge), MqttPropertyType.AUTHENTICATION_METHOD))
                .contains(CHALLENGE_METHOD);
        byte[] nonce = binaryProperty(reasonProperties(challenge), MqttPropertyType.AUTHENTICATION_DATA).orElseThrow();
        assertThat(nonce).hasSize(16);
        return nonce;
    }

    // ---- HiveMQ client ----

    @Test
    void hivemqMechanismAnswersTheChallengeAndIsAdmittedWithTheGrantedPermissions() {
        ChallengeAuthenticator challenger = new ChallengeAuthenticator(1);
        TestBroker b = start(challenger);
        TestMechanism mechanism = new TestMechanism(CHALLENGE_METHOD, "pub=a/#", true);

        Mqtt5BlockingClient c = hive5(b.port(), uniqueId("hive")).enhancedAuth(mechanism).buildBlocking();
        Mqtt5ConnAck ack = c.connect();

        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(ack.getEnhancedAuth()).hasValueSatisfying(
                a -> assertThat(a.getMethod().toString()).isEqualTo(CHALLENGE_METHOD));
        assertThat(mechanism.challenges).hasValue(1);
        assertThat(challenger.answers).hasValue(1);
        assertThat(pubAckCode(c, "a/1")).isLessThan(0x80);
        assertThat(pubAckCode(c, "b/1")).isEqualTo(0x87);
        assertThat(passwords.requests).isEmpty();
        c.disconnect();
    }

    @Test
    void hivemqMechanismSurvivesSeveralChallengeRounds() {
        ChallengeAuthenticator challenger = new ChallengeAuthenticator(3);
        TestBroker b = start(challenger);
        TestMechanism mechanism = new TestMechanism(CHALLENGE_METHOD, "pub=#", true);

        Mqtt5BlockingClient c = hive5(b.port(), uniqueId("rounds")).enhancedAuth(mechanism).buildBlocking();
        assertThat(c.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(mechanism.challenges).hasValue(3);
        assertThat(challenger.answers).hasValue(3);
        c.disconnect();
    }

    @Test
    void hivemqWrongAnswerIsRefusedAsBadCredentials() {
        TestBroker b = start(new ChallengeAuthenticator(1));
        TestMechanism cheat = new TestMechanism(CHALLENGE_METHOD, "pub=#", false);
        String id = uniqueId("cheat");

        Mqtt5BlockingClient c = hive5(b.port(), id).enhancedAuth(cheat).buildBlocking();
        Mqtt5ConnAckException e = catchThrowableOfType(c::connect, Mqtt5ConnAckException.class);

        assertThat(e).isNotNull();
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(cheat.rejected.get()).isNotNull();
        BrokerEvent.AuthenticationFailed f = events.awaitOne(BrokerEvent.AuthenticationFailed.class, id);
        assertThat(f.authenticator()).isEqualTo("challenge");
        assertThat(passwords.requests).isEmpty();
    }

    @Test
    void hivemqUnknownMethodIsRefusedWith0x8C() {
        TestBroker b = start(new ChallengeAuthenticator(1));
        TestMechanism other = new TestMechanism("SCRAM-SHA-512", "whatever", true);

        Mqtt5BlockingClient c = hive5(b.port(), uniqueId("scram")).enhancedAuth(other).buildBlocking();
        Mqtt5ConnAckException e = catchThrowableOfType(c::connect, Mqtt5ConnAckException.class);

        assertThat(e).isNotNull();
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_AUTHENTICATION_METHOD);
        // The password authenticator does not list the method, so it must not get to admit the client.
        assertThat(passwords.requests).isEmpty();
        assertThat(other.challenges).hasValue(0);
    }

    // ---- raw exchange, byte for byte ----

    @Test
    void rawExchangeChallengeThenConnAckCarryingTheMethod() throws Exception {
        ChallengeAuthenticator challenger = new ChallengeAuthenticator(1);
        TestBroker b = start(challenger);
        try (RawMqttClient c = raw(b)) {
            byte[] nonce = startExchange(c, "pub=a/#");
            c.send(auth(0x18, CHALLENGE_METHOD, reversed(nonce)));

            MqttMessage ack = expect(c, MqttMessageType.CONNACK);
            assertThat(connAckCode(ack)).isZero();
            // MQTT 5 §3.2.2.3.17: the CONNACK carries the same Authentication Method.
            assertThat(stringProperty(connAckProperties(ack), MqttPropertyType.AUTHENTICATION_METHOD))
                    .contains(CHALLENGE_METHOD);

            c.send(publishQos1("a/1", 1));
            assertThat(pubAckCode(expect(c, MqttMessageType.PUBACK))).isLessThan(0x80);
        }
        AuthRequest r = challenger.requests.get(0);
        assertThat(r.authenticationMethod()).contains(CHALLENGE_METHOD);
        assertThat(r.authenticationData()).hasValueSatisfying(d -> assertThat(d).containsExactly(utf8("pub=a/#")));
        assertThat(r.reauthentication()).isFalse();
    }

    @Test
    void rawWrongAnswerGets0x86AndIsClosed() throws Exception {
        TestBroker b = start(new ChallengeAuthenticator(1));
        try (RawMqttClient c = raw(b)) {
            byte[] nonce = startExchange(c, "pub=#");
            c.send(auth(0x18, CHALLENGE_METHOD, nonce));
            assertThat(expectConnAck(c)).isEqualTo(0x86);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void rawAuthenticatorsOwnVerdictAfterTheExchangeIsSentAsIs() throws Exception {
        TestBroker b = start(new ChallengeAuthenticator(1));
        try (RawMqttClient c = raw(b)) {
            byte[] nonce = startExchange(c, "fail=BANNED");
            c.send(auth(0x18, CHALLENGE_METHOD, reversed(nonce)));
            assertThat(expectConnAck(c)).isEqualTo(0x8A);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void rawUnknownMethodGets0x8CWithoutAnyAuth() throws Exception {
        TestBroker b = start(new ChallengeAuthenticator(1));
        try (RawMqttClient c = raw(b)) {
            c.send(connectWithMethod(uniqueId("unknown"), "KERBEROS", utf8("ticket")));
            MqttMessage first = expect(c, MqttMessageType.CONNACK);
            assertThat(connAckCode(first)).isEqualTo(0x8C);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        assertThat(passwords.requests).isEmpty();
    }

    @Test
    void rawAnswerWithAnotherMethodIsAProtocolError() throws Exception {
        ChallengeAuthenticator challenger = new ChallengeAuthenticator(1);
        TestBroker b = start(challenger);
        try (RawMqttClient c = raw(b)) {
            byte[] nonce = startExchange(c, "pub=#");
            // [MQTT-4.12.0-5]: every AUTH in the exchange carries the CONNECT's method.
            c.send(auth(0x18, "OTHER", reversed(nonce)));
            assertThat(expectConnAck(c)).isEqualTo(0x82);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        assertThat(challenger.answers).hasValue(0);
    }

    @Test
    void rawReauthenticateReasonDuringConnectIsAProtocolError() throws Exception {
        ChallengeAuthenticator challenger = new ChallengeAuthenticator(1);
        TestBroker b = start(challenger);
        try (RawMqttClient c = raw(b)) {
            byte[] nonce = startExchange(c, "pub=#");
            // The client's answers during CONNECT must be 0x18 Continue authentication ([MQTT-4.12.0-3]).
            c.send(auth(0x19, CHALLENGE_METHOD, reversed(nonce)));
            assertThat(expectConnAck(c)).isEqualTo(0x82);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        assertThat(challenger.answers).hasValue(0);
    }

    @Test
    void rawPublishBeforeTheExchangeEndsIsRefusedAndNotAdmitted() throws Exception {
        TestBroker b = start(new ChallengeAuthenticator(1));
        try (RawMqttClient c = raw(b)) {
            byte[] nonce = startExchange(c, "pub=#");
            // [MQTT-3.1.2-30]: with an Authentication Method only AUTH or DISCONNECT may precede CONNACK.
            c.send(publishQos1("early/1", 1));
            c.send(auth(0x18, CHALLENGE_METHOD, reversed(nonce)));
            MqttMessage m = c.read(WAIT);
            if (m != null) {
                assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
                assertThat(connAckCode(m)).isGreaterThanOrEqualTo(0x80);
            }
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        assertThat(b.broker().connectionCount()).isZero();
    }

    @Test
    void rawSecondConnectDuringTheExchangeIsAProtocolError() throws Exception {
        ChallengeAuthenticator challenger = new ChallengeAuthenticator(1);
        TestBroker b = start(challenger);
        try (RawMqttClient c = raw(b)) {
            startExchange(c, "pub=#");
            c.send(connectWithMethod(uniqueId("again"), CHALLENGE_METHOD, utf8("pub=#")));
            assertThat(expectConnAck(c)).isEqualTo(0x82);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        assertThat(challenger.answers).hasValue(0);
        assertThat(events.of(BrokerEvent.ClientConnected.class)).isEmpty();
    }

    @Test
    void rawClientThatNeverAnswersIsRefusedAfterTheAuthTimeout() throws Exception {
        ChallengeAuthenticator challenger = new ChallengeAuthenticator(1);
        TestBroker b = start(challenger);
        try (RawMqttClient c = raw(b)) {
            startExchange(c, "pub=#");
            assertThat(expectConnAck(c)).isGreaterThanOrEqualTo(0x80);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        assertThat(challenger.answers).hasValue(0);
        assertThat(b.broker().connectionCount()).isZero();
    }

    @Test
    void rawDisconnectDuringTheExchangeEndsItQuietly() throws Exception {
        ChallengeAuthenticator challenger = new ChallengeAuthenticator(1);
        TestBroker b = start(challenger);
        try (RawMqttClient c = raw(b)) {
            startExchange(c, "pub=#");
            c.send(MqttMessageBuilders.disconnect().build());
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        assertThat(challenger.answers).hasValue(0);
        assertThat(events.of(BrokerEvent.ClientConnected.class)).isEmpty();
    }

    // ---- a challenge to a client that cannot answer it ----

    @Test
    void challengeToAClientWithoutAnAuthenticationMethodIsRefused() throws Exception {
        TestBroker b = start(new ChallengeAuthenticator(1), false);

        Mqtt5BlockingClient v5 = hive5(b.port(), uniqueId("plain5")).buildBlocking();
        Mqtt5ConnAckException e5 = catchThrowableOfType(v5::connect, Mqtt5ConnAckException.class);
        assertThat(e5).isNotNull();
        assertThat(e5.getMqttMessage().getReasonCode().isError()).isTrue();

        Mqtt3ConnAckException e3 = catchThrowableOfType(hive3(b.port(), uniqueId("plain3"))::connect,
                Mqtt3ConnAckException.class);
        assertThat(e3).isNotNull();
        assertThat(e3.getMqttMessage().getReturnCode()).isNotEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);

        try (RawMqttClient c = new RawMqttClient(b.port(), MqttVersion.MQTT_3_1_1)) {
            c.send(connect(MqttVersion.MQTT_3_1_1, uniqueId("raw3")));
            // No AUTH packet may reach an MQTT 3 client; it gets a refusal CONNACK.
            MqttMessage m = expect(c, MqttMessageType.CONNACK);
            assertThat(connAckCode(m)).isNotZero();
        }
        assertThat(b.broker().connectionCount()).isZero();
    }
}

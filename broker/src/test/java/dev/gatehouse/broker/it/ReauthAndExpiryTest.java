package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.AuthTestSupport.CHALLENGE_METHOD;
import static dev.gatehouse.broker.it.AuthTestSupport.TOKEN_METHOD;
import static dev.gatehouse.broker.it.AuthTestSupport.WAIT;
import static dev.gatehouse.broker.it.AuthTestSupport.auth;
import static dev.gatehouse.broker.it.AuthTestSupport.binaryProperty;
import static dev.gatehouse.broker.it.AuthTestSupport.connect;
import static dev.gatehouse.broker.it.AuthTestSupport.connectWithMethod;
import static dev.gatehouse.broker.it.AuthTestSupport.eventually;
import static dev.gatehouse.broker.it.AuthTestSupport.expect;
import static dev.gatehouse.broker.it.AuthTestSupport.expectConnAck;
import static dev.gatehouse.broker.it.AuthTestSupport.hive3;
import static dev.gatehouse.broker.it.AuthTestSupport.hive5;
import static dev.gatehouse.broker.it.AuthTestSupport.pubAckCode;
import static dev.gatehouse.broker.it.AuthTestSupport.publishQos1;
import static dev.gatehouse.broker.it.AuthTestSupport.publishes;
import static dev.gatehouse.broker.it.AuthTestSupport.reasonCode;
import static dev.gatehouse.broker.it.AuthTestSupport.reasonProperties;
import static dev.gatehouse.broker.it.AuthTestSupport.reversed;
import static dev.gatehouse.broker.it.AuthTestSupport.sleepUntil;
import static dev.gatehouse.broker.it.AuthTestSupport.stringProperty;
import static dev.gatehouse.broker.it.AuthTestSupport.uniqueId;
import static dev.gatehouse.broker.it.AuthTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.it.AuthTestSupport.ChallengeAuthenticator;
import dev.gatehouse.broker.it.AuthTestSupport.Events;
import dev.gatehouse.broker.it.AuthTestSupport.TestMechanism;
import dev.gatehouse.broker.it.AuthTestSupport.TokenAuthenticator;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MQTT 5 re-authentication (AUTH 0x19) on a live connection, and credentials that expire: the
 * connection is dropped at the expiry instant unless a fresh credential arrived in time. Credentials
 * are {@link AuthTestSupport.Token}s that spell out their grants and lifetime.
 */
class ReauthAndExpiryTest {
    /** How long the short-lived credentials live; long enough to connect and act, short enough to wait for. */
    private static final long TTL_MS = 700;

    private final Events events = new Events();
    private final TokenAuthenticator tokens = new TokenAuthenticator();
    private final ChallengeAuthenticator challenger = new ChallengeAuthenticator(1);
    private TestBroker broker;

    @BeforeEach
    void start() {
        broker = TestBroker.start(b -> b.authenticator(tokens).authenticator(challenger).eventListener(events)
                .limits(Limits.defaults().withAuthTimeout(Duration.ofSeconds(1))));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    // ---- raw helpers ----

    private RawMqttClient raw5() throws Exception {
        return new RawMqttClient(broker.port(), MqttVersion.MQTT_5);
    }

    /** Connect with the token method and {@code token}; returns the open client. */
    private RawMqttClient connectWithToken(String token) throws Exception {
        RawMqttClient c = raw5();
        c.send(connectWithMethod(uniqueId("tok"), TOKEN_METHOD, utf8(token)));
        assertThat(expectConnAck(c)).isZero();
        return c;
    }

    private static int publishCode(RawMqttClient c, String topic, int packetId) throws Exception {
        c.send(publishQos1(topic, packetId));
        return pubAckCode(expect(c, MqttMessageType.PUBACK));
    }

    /** Answer one challenge of {@link ChallengeAuthenticator} correctly (or not). */
    private static void answerChallenge(RawMqttClient c, boolean correctly) throws Exception {
        MqttMessage challenge = expect(c, MqttMessageType.AUTH);
        assertThat(reasonCode(challenge)).isEqualTo(0x18);
        byte[] nonce = binaryProperty(reasonProperties(challenge), MqttPropertyType.AUTHENTICATION_DATA).orElseThrow();
        c.send(auth(0x18, CHALLENGE_METHOD, correctly ? reversed(nonce) : nonce));
    }

    private static void expectAuthSuccess(RawMqttClient c, String method) throws Exception {
        MqttMessage ok = expect(c, MqttMessageType.AUTH);
        assertThat(reasonCode(ok)).as("AUTH reason").isZero();
        assertThat(stringProperty(reasonProperties(ok), MqttPropertyType.AUTHENTICATION_METHOD)).contains(method);
    }

    private static void expectDisconnect(RawMqttClient c, int reason) throws Exception {
        MqttMessage d = expect(c, MqttMessageType.DISCONNECT);
        assertThat(reasonCode(d)).as("DISCONNECT reason").isEqualTo(reason);
        assertThat(c.closedWithin(WAIT)).isTrue();
    }

    private static void assertOnlyMayPublishTo(RawMqttClient c, String allowed, String denied, AtomicInteger ids)
            throws Exception {
        assertThat(publishCode(c, allowed, ids.incrementAndGet())).as("PUBACK for %s", allowed).isLessThan(0x80);
        assertThat(publishCode(c, denied, ids.incrementAndGet())).as("PUBACK for %s", denied).isEqualTo(0x87);
    }

    // ---- re-authentication replaces permissions ----

    @Test
    void rawReauthWithANewTokenReplacesPermissionsOnTheSameConnection() throws Exception {
        AtomicInteger ids = new AtomicInteger();
        try (RawMqttClient c = connectWithToken("pub=a/#")) {
            assertOnlyMayPublishTo(c, "a/1", "b/1", ids);

            c.send(auth(0x19, TOKEN_METHOD, utf8("pub=b/#")));
            expectAuthSuccess(c, TOKEN_METHOD);

            assertOnlyMayPublishTo(c, "b/1", "a/1", ids);
        }
        AuthRequest reauth = tokens.requests.get(1);
        assertThat(reauth.reauthentication()).isTrue();
        assertThat(reauth.authenticationMethod()).contains(TOKEN_METHOD);
        assertThat(reauth.authenticationData()).hasValueSatisfying(d -> assertThat(d).containsExactly(utf8("pub=b/#")));
        assertThat(reauth.clientId()).isEqualTo(tokens.requests.get(0).clientId());
        assertThat(events.of(BrokerEvent.ClientConnected.class)).hasSize(1);
    }

    @Test
    void rawReauthThroughAChallengeReplacesPermissions() throws Exception {
        AtomicInteger ids = new AtomicInteger();
        try (RawMqttClient c = raw5()) {
            c.send(connectWithMethod(uniqueId("chal"), CHALLENGE_METHOD, utf8("pub=a/#")));
            answerChallenge(c, true);
            assertThat(expectConnAck(c)).isZero();
            assertOnlyMayPublishTo(c, "a/1", "b/1", ids);

            c.send(auth(0x19, CHALLENGE_METHOD, utf8("pub=b/#")));
            answerChallenge(c, true);
            expectAuthSuccess(c, CHALLENGE_METHOD);

            assertOnlyMayPublishTo(c, "b/1", "a/1", ids);
        }
        assertThat(challenger.answers).hasValue(2);
    }

    @Test
    void hivemqReauthReplacesPermissionsWithoutReconnecting() {
        TestMechanism mechanism = new TestMechanism(TOKEN_METHOD, "pub=a/#", true);
        String id = uniqueId("hive-reauth");
        Mqtt5BlockingClient c = hive5(broker.port(), id).enhancedAuth(mechanism).buildBlocking();
        c.connect();
        assertThat(pubAckCode(c, "a/1")).isLessThan(0x80);
        assertThat(pubAckCode(c, "b/1")).isEqualTo(0x87);

        mechanism.token = utf8("pub=b/#");
        c.reauth();

        assertThat(pubAckCode(c, "a/1")).isEqualTo(0x87);
        assertThat(pubAckCode(c, "b/1")).isLessThan(0x80);
        assertThat(c.getState().isConnected()).isTrue();
        assertThat(events.of(BrokerEvent.ClientConnected.class)).hasSize(1);
        assertThat(events.of(BrokerEvent.ClientDisconnected.class)).isEmpty();
        c.disconnect();
    }

    @Test
    void hivemqReauthThroughAChallenge() {
        TestMechanism mechanism = new TestMechanism(CHALLENGE_METHOD, "pub=a/#", true);
        Mqtt5BlockingClient c = hive5(broker.port(), uniqueId("hive-chal")).enhancedAuth(mechanism).buildBlocking();
        c.connect();
        mechanism.token = utf8("pub=b/#");
        c.reauth();
        assertThat(mechanism.challenges).hasValue(2);
        assertThat(pubAckCode(c, "b/1")).isLessThan(0x80);
        assertThat(pubAckCode(c, "a/1")).isEqualTo(0x87);
        c.disconnect();
    }

    @Test
    void reauthThatNarrowsSubscribePermissionsDropsTheRevokedSubscription() throws Exception {
        TestMechanism mechanism = new TestMechanism(TOKEN_METHOD, "sub=a/#;sub=b/#", true);
        Mqtt5BlockingClient c = hive5(broker.port(), uniqueId("subs")).enhancedAuth(mechanism).buildBlocking();
        c.connect();
        try (var incoming = publishes(c)) {
            c.subscribeWith().topicFilter("a/#").send();
            c.subscribeWith().topicFilter("b/#").send();

            mechanism.token = utf8("sub=b/#");
            c.reauth();

            broker.broker().publish("a/1", utf8("revoked"), 0, false).join();
            broker.broker().publish("b/1", utf8("kept"), 0, false).join();
            Optional<Mqtt5Publish> first = incoming.receive(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(first).hasValueSatisfying(p -> assertThat(p.getTopic().toString()).isEqualTo("b/1"));
        }
        c.disconnect();
    }

    // ---- failed re-authentication ----

    /**
     * The reason codes MQTT 5 allows in a DISCONNECT (§3.14.2.1) that mean an error. CONNACK-only codes
     * such as 0x86 Bad user name or password, 0x88 Server unavailable or 0x8A Banned are not among them:
     * a client decodes a DISCONNECT carrying one as a malformed packet.
     */
    private static final java.util.Set<Integer> DISCONNECT_ERROR_CODES = java.util.Set.of(0x80, 0x81, 0x82, 0x83,
            0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C,
            0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2);

    /** A failed re-authentication: DISCONNECT with an error code that is legal in a DISCONNECT, then close. */
    private static int expectRefusingDisconnect(RawMqttClient c) throws Exception {
        MqttMessage d = expect(c, MqttMessageType.DISCONNECT);
        int code = reasonCode(d);
        assertThat(code).as("DISCONNECT reason 0x%02X must be a DISCONNECT error code", code)
                .isIn(DISCONNECT_ERROR_CODES);
        assertThat(c.closedWithin(WAIT)).isTrue();
        return code;
    }

    @ParameterizedTest
    @EnumSource(value = FailureReason.class, names = {"BAD_CREDENTIALS", "NOT_AUTHORIZED", "SERVER_UNAVAILABLE", "BANNED"})
    void failedReauthDisconnectsWithAReasonCodeValidForDisconnect(FailureReason reason) throws Exception {
        try (RawMqttClient c = connectWithToken("pub=#")) {
            c.send(auth(0x19, TOKEN_METHOD, utf8("fail=" + reason.name())));
            int code = expectRefusingDisconnect(c);
            if (reason == FailureReason.NOT_AUTHORIZED) {
                assertThat(code).isEqualTo(0x87);
            }
        }
        assertThat(eventually(() -> !events.of(BrokerEvent.AuthenticationFailed.class).isEmpty())).isTrue();
        BrokerEvent.AuthenticationFailed f = events.of(BrokerEvent.AuthenticationFailed.class).get(0);
        assertThat(f.reason()).isEqualTo(reason);
        assertThat(f.authenticator()).isEqualTo("token");
    }

    @Test
    void wrongChallengeAnswerOnReauthDisconnects() throws Exception {
        try (RawMqttClient c = raw5()) {
            c.send(connectWithMethod(uniqueId("chal-bad"), CHALLENGE_METHOD, utf8("pub=#")));
            answerChallenge(c, true);
            assertThat(expectConnAck(c)).isZero();

            c.send(auth(0x19, CHALLENGE_METHOD, utf8("pub=#")));
            answerChallenge(c, false);
            expectRefusingDisconnect(c);
        }
    }

    @ParameterizedTest
    @EnumSource(value = FailureReason.class, names = {"NOT_AUTHORIZED", "BANNED"})
    void hivemqFailedReauthIsReportedToTheClientWithAReasonCode(FailureReason reason) {
        TestMechanism mechanism = new TestMechanism(TOKEN_METHOD, "pub=#", true);
        AtomicReference<Throwable> cause = new AtomicReference<>();
        AtomicReference<MqttDisconnectSource> source = new AtomicReference<>();
        Mqtt5BlockingClient c = hive5(broker.port(), uniqueId("hive-fail")).enhancedAuth(mechanism)
                .addDisconnectedListener(ctx -> {
                    source.set(ctx.getSource());
                    cause.set(ctx.getCause());
                }).buildBlocking();
        c.connect();
        mechanism.token = utf8("fail=" + reason.name());
        try {
            c.reauth();
        } catch (RuntimeException expected) {
            // the client reports the failed re-authentication; the disconnect is what we check
        }
        assertThat(eventually(() -> cause.get() != null)).isTrue();
        // SERVER: the client decoded the broker's DISCONNECT (a client that found it malformed would say CLIENT).
        assertThat(source.get()).as("who ended the connection (cause %s)", cause.get())
                .isEqualTo(MqttDisconnectSource.SERVER);
        assertThat(disconnectReason(cause.get()).isError()).isTrue();
    }

    @Test
    void reauthWithAnotherMethodIsAProtocolError() throws Exception {
        try (RawMqttClient c = connectWithToken("pub=#")) {
            // [MQTT-4.12.1-1]: re-authentication uses the method of the CONNECT.
            c.send(auth(0x19, CHALLENGE_METHOD, utf8("pub=#")));
            expectDisconnect(c, 0x82);
        }
        assertThat(challenger.requests).isEmpty();
    }

    @Test
    void authOnAConnectionWithoutAnAuthenticationMethodIsAProtocolError() throws Exception {
        try (RawMqttClient c = raw5()) {
            c.send(connect(MqttVersion.MQTT_5, uniqueId("nomethod"), b -> b.hasUser(true).username("t")
                    .hasPassword(true).password(utf8("pub=#"))));
            assertThat(expectConnAck(c)).isZero();
            // MQTT 5 §4.12: without a method in CONNECT, AUTH is a Protocol Error.
            c.send(auth(0x19, TOKEN_METHOD, utf8("pub=#")));
            expectDisconnect(c, 0x82);
        }
    }

    @Test
    void authPacketOnAnMqtt311ConnectionClosesIt() throws Exception {
        try (RawMqttClient c = new RawMqttClient(broker.port(), MqttVersion.MQTT_3_1_1)) {
            c.send(connect(MqttVersion.MQTT_3_1_1, uniqueId("auth3"), b -> b.hasUser(true).username("t")
                    .hasPassword(true).password(utf8("pub=#"))));
            assertThat(expectConnAck(c)).isZero();
            c.sendBytes(new byte[] {(byte) 0xF0, 0x00}); // packet type 15 is reserved in MQTT 3.1.1
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void continueAuthenticationWithoutAPendingChallengeIsAProtocolError() throws Exception {
        try (RawMqttClient c = connectWithToken("pub=#")) {
            c.send(auth(0x18, TOKEN_METHOD, utf8("pub=#")));
            expectDisconnect(c, 0x82);
        }
    }

    // ---- credential expiry ----

    @Test
    void mqtt5ConnectionIsDisconnectedWhenItsCredentialExpires() throws Exception {
        try (RawMqttClient c = connectWithToken("pub=#;ttl=" + TTL_MS)) {
            // MqttConnection sends 0xA0 Maximum connect time: the credential bounded how long it may stay.
            expectDisconnect(c, 0xA0);
        }
        assertThat(eventually(() -> !events.of(BrokerEvent.ClientDisconnected.class).isEmpty())).isTrue();
        BrokerEvent.ClientDisconnected d = events.of(BrokerEvent.ClientDisconnected.class).get(0);
        assertThat(d.reason()).containsIgnoringCase("expire");
    }

    @Test
    void hivemqClientLearnsWhyItsCredentialEndedTheConnection() {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        Mqtt5BlockingClient c = hive5(broker.port(), uniqueId("hive-exp"))
                .enhancedAuth(new TestMechanism(TOKEN_METHOD, "pub=#;ttl=" + TTL_MS, true))
                .addDisconnectedListener(ctx -> cause.set(ctx.getCause())).buildBlocking();
        c.connect();
        assertThat(eventually(() -> cause.get() != null)).isTrue();
        assertThat(disconnectReason(cause.get())).isEqualTo(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME);
    }

    @Test
    void mqtt311ConnectionIsClosedWhenItsCredentialExpires() throws Exception {
        try (RawMqttClient c = new RawMqttClient(broker.port(), MqttVersion.MQTT_3_1_1)) {
            c.send(connect(MqttVersion.MQTT_3_1_1, uniqueId("exp3"), b -> b.hasUser(true).username("t")
                    .hasPassword(true).password(utf8("pub=#;ttl=" + TTL_MS))));
            assertThat(expectConnAck(c)).isZero();
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void pahoMqtt311ClientLosesItsConnectionWhenItsCredentialExpires() throws Exception {
        CountDownLatch lost = new CountDownLatch(1);
        try (var c = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + broker.port(),
                uniqueId("paho-exp"), new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence())) {
            c.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    lost.countDown();
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setConnectionTimeout(5);
            o.setUserName("t");
            o.setPassword(("pub=#;ttl=" + TTL_MS).toCharArray());
            c.connect(o);
            assertThat(lost.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        }
    }

    @Test
    void hivemqMqtt311ClientIsDisconnectedWhenItsCredentialExpires() {
        Mqtt3BlockingClient c = hive3(broker.port(), uniqueId("hive3-exp"));
        c.connectWith().simpleAuth().username("t").password(utf8("pub=#;ttl=" + TTL_MS)).applySimpleAuth().send();
        assertThat(eventually(() -> !c.getState().isConnected())).isTrue();
    }

    @Test
    void reauthenticatingInTimeWithALaterExpiryKeepsTheConnection() throws Exception {
        Instant firstExpiry = Instant.now().plusMillis(TTL_MS);
        try (RawMqttClient c = connectWithToken("pub=#;ttl=" + TTL_MS)) {
            c.send(auth(0x19, TOKEN_METHOD, utf8("pub=#;ttl=60000")));
            expectAuthSuccess(c, TOKEN_METHOD);

            sleepUntil(firstExpiry.plusMillis(500));
            // The next packet is the PUBACK, not a DISCONNECT: the old expiry was replaced.
            assertThat(publishCode(c, "still/here", 1)).isLessThan(0x80);
        }
        assertThat(events.of(BrokerEvent.ClientDisconnected.class)).allSatisfy(
                d -> assertThat(d.reason()).doesNotContainIgnoringCase("expire"));
    }

    @Test
    void reauthWithoutAnExpiryLiftsTheOldOne() throws Exception {
        Instant firstExpiry = Instant.now().plusMillis(TTL_MS);
        try (RawMqttClient c = connectWithToken("pub=#;ttl=" + TTL_MS)) {
            c.send(auth(0x19, TOKEN_METHOD, utf8("pub=#")));
            expectAuthSuccess(c, TOKEN_METHOD);
            sleepUntil(firstExpiry.plusMillis(500));
            assertThat(publishCode(c, "still/here", 1)).isLessThan(0x80);
        }
    }

    @Test
    void reauthChallengeLeftUnansweredDisconnectsAfterTheAuthTimeout() throws Exception {
        try (RawMqttClient c = raw5()) {
            c.send(connectWithMethod(uniqueId("reauth-silent"), CHALLENGE_METHOD, utf8("pub=#")));
            answerChallenge(c, true);
            assertThat(expectConnAck(c)).isZero();

            c.send(auth(0x19, CHALLENGE_METHOD, utf8("pub=#")));
            expect(c, MqttMessageType.AUTH);
            // No answer: the re-authentication must not stay open forever.
            expectRefusingDisconnect(c);
        }
    }

    @Test
    void reauthWithAShortLivedCredentialImposesTheNewExpiry() throws Exception {
        try (RawMqttClient c = connectWithToken("pub=#")) {
            c.send(auth(0x19, TOKEN_METHOD, utf8("pub=#;ttl=" + TTL_MS)));
            expectAuthSuccess(c, TOKEN_METHOD);
            expectDisconnect(c, 0xA0);
        }
    }

    @Test
    void credentialAlreadyExpiredAtConnectIsRefused() throws Exception {
        try (RawMqttClient c = raw5()) {
            c.send(connectWithMethod(uniqueId("stale5"), TOKEN_METHOD, utf8("pub=#;ttl=-1000")));
            assertThat(expectConnAck(c)).isEqualTo(0x86);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        try (RawMqttClient c = new RawMqttClient(broker.port(), MqttVersion.MQTT_3_1_1)) {
            c.send(connect(MqttVersion.MQTT_3_1_1, uniqueId("stale3"), b -> b.hasUser(true).username("t")
                    .hasPassword(true).password(utf8("pub=#;ttl=-1000"))));
            assertThat(expectConnAck(c)).isEqualTo(4);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void reauthWithAnAlreadyExpiredCredentialDisconnects() throws Exception {
        try (RawMqttClient c = connectWithToken("pub=#")) {
            c.send(auth(0x19, TOKEN_METHOD, utf8("pub=#;ttl=-1000")));
            expectRefusingDisconnect(c);
        }
    }

    private static Mqtt5DisconnectReasonCode disconnectReason(Throwable cause) {
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        return ((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode();
    }
}

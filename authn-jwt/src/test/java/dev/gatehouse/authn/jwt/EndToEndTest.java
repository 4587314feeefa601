package dev.gatehouse.authn.jwt;

import static dev.gatehouse.authn.jwt.testing.Harness.create;
import static dev.gatehouse.authn.jwt.testing.Tokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.algorithms.Algorithm;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import dev.gatehouse.authn.jwt.testing.JwksServer;
import dev.gatehouse.authn.jwt.testing.TestContext;
import dev.gatehouse.authn.jwt.testing.TestKeys;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.TestAuthMechanism;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real broker on loopback with the JWT authenticator, real HiveMQ (3.1.1, 5.0) and Paho v3 clients. */
class EndToEndTest {
    static final String SECRET = "end-to-end-secret-0123456789abcdefgh";
    static final Duration WAIT = Duration.ofSeconds(10);
    static KeyPair rsa;
    final TestContext ctx = new TestContext();
    Broker broker;
    int port;

    @BeforeAll
    static void keys() {
        rsa = TestKeys.rsa();
    }

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.stop().get(15, TimeUnit.SECONDS);
        }
        ctx.close();
    }

    private JwtAuthenticator start(Map<String, ?> settings) {
        JwtAuthenticator a = create(ctx, settings);
        broker = Broker.builder().listener(ListenerConfig.tcp("t", "127.0.0.1", 0)).authenticator(a)
                .clock(ctx.clock).build().start().join();
        port = broker.port("t");
        return a;
    }

    private JwtAuthenticator startHmac(Map<String, Object> extra) {
        Map<String, Object> s = new HashMap<>(Map.of("secret", SECRET));
        s.putAll(extra);
        return start(s);
    }

    private String hs(com.auth0.jwt.JWTCreator.Builder b) {
        return b.sign(Algorithm.HMAC256(SECRET));
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Mqtt3BlockingClient hive3(String clientId) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
    }

    private Mqtt5BlockingClient hive5(String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
    }

    private void connect3(Mqtt3BlockingClient c, String username, String token) {
        c.connectWith().simpleAuth().username(username).password(token.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
    }

    private void connect5(Mqtt5BlockingClient c, String username, String token) {
        var b = c.connectWith().simpleAuth();
        if (username != null) {
            b.username(username);
        }
        b.password(token.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    }

    private org.eclipse.paho.client.mqttv3.MqttClient paho(String clientId, String username, String password)
            throws MqttException {
        var c = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setConnectionTimeout(10);
        if (username != null) {
            o.setUserName(username);
        }
        if (password != null) {
            o.setPassword(password.toCharArray());
        }
        c.connect(o);
        return c;
    }

    private static int pubAck(Mqtt5BlockingClient c, String topic, boolean retain) {
        try {
            Mqtt5PublishResult r = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain)
                    .payload("x".getBytes(StandardCharsets.UTF_8)).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode().getCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode().getCode();
        }
    }

    private static int pubAck(Mqtt5BlockingClient c, String topic) {
        return pubAck(c, topic, false);
    }

    private static int subAck(Mqtt5BlockingClient c, String filter) {
        try {
            Mqtt5SubAck ack = c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
            return ack.getReasonCodes().get(0).getCode();
        } catch (Mqtt5SubAckException e) {
            return e.getMqttMessage().getReasonCodes().get(0).getCode();
        }
    }

    private static Map<String, Object> aclObject(List<String> pub, List<String> sub) {
        return Map.of("pub", pub, "sub", sub);
    }

    // ---- where the token is ----

    @Test
    void passwordTokenAdmitsHiveMq3HiveMq5AndPaho() throws Exception {
        startHmac(Map.of("default-permissions", "allow-all"));
        String t = hs(token(ctx.clock, "dev"));
        Mqtt3BlockingClient c3 = hive3(id("h3"));
        connect3(c3, "dev", t);
        c3.publishWith().topic("a/b").qos(MqttQos.AT_LEAST_ONCE).send();
        c3.disconnect();

        Mqtt5BlockingClient c5 = hive5(id("h5"));
        connect5(c5, "dev", t);
        assertThat(pubAck(c5, "a/b")).isLessThan(0x80);
        c5.disconnect();

        var p = paho(id("paho"), "dev", t);
        p.publish("a/b", "x".getBytes(StandardCharsets.UTF_8), 1, false);
        p.disconnect();
        p.close();
    }

    @Test
    void badTokensGetBadCredentialsOnEveryProtocol() {
        startHmac(Map.of());
        String forged = token(ctx.clock, "dev").sign(Algorithm.HMAC256("another-secret-of-enough-length-0123456789"));
        assertThatThrownBy(() -> connect3(hive3(id("h3")), "dev", forged)).isInstanceOfSatisfying(
                Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage().getReturnCode())
                        .isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD));
        assertThatThrownBy(() -> connect5(hive5(id("h5")), "dev", forged)).isInstanceOfSatisfying(
                Mqtt5ConnAckException.class, e -> {
                    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
                    assertThat(e.getMqttMessage().getReasonString().map(Object::toString)).contains("bad signature");
                });
        assertThatThrownBy(() -> paho(id("paho"), "dev", forged)).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        String expired = hs(token(ctx.clock, "dev").withExpiresAt(ctx.clock.instant().minusSeconds(3600)));
        assertThatThrownBy(() -> connect5(hive5(id("h5")), "dev", expired)).isInstanceOfSatisfying(
                Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonString().map(Object::toString))
                        .contains("token expired"));
    }

    @Test
    void usernameTokenWithPahoAndHiveMq3() throws Exception {
        startHmac(Map.of("from", "username", "default-permissions", "allow-all"));
        String t = hs(token(ctx.clock, "dev"));
        var p = paho(id("paho"), t, null);
        assertThat(p.isConnected()).isTrue();
        p.disconnect();
        p.close();
        Mqtt3BlockingClient c3 = hive3(id("h3"));
        c3.connectWith().simpleAuth().username(t).applySimpleAuth().send();
        c3.disconnect();
    }

    @Test
    void eachAsymmetricAlgorithmEndToEnd() throws Exception {
        KeyPair ec = TestKeys.ec("secp256r1");
        TestKeys.Ed25519 ed = TestKeys.ed25519();
        start(Map.of("keys", List.of(
                Map.of("kid", "rsa", "public-key", TestKeys.publicPem(rsa)),
                Map.of("kid", "ec", "public-key", TestKeys.publicPem(ec)),
                Map.of("kid", "ed", "public-key", ed.publicPem())),
                "algorithms", List.of("RS256", "ES256", "EdDSA"), "default-permissions", "allow-all"));
        var p = paho(id("paho"), "u", token(ctx.clock, "rsa-dev").withKeyId("rsa").sign(TestKeys.rs256(rsa)));
        p.disconnect();
        p.close();
        Mqtt3BlockingClient c3 = hive3(id("h3"));
        connect3(c3, "u", token(ctx.clock, "ec-dev").withKeyId("ec").sign(TestKeys.es256(ec)));
        c3.disconnect();
        Mqtt5BlockingClient c5 = hive5(id("h5"));
        connect5(c5, "u", token(ctx.clock, "ed-dev").withKeyId("ed").sign(ed.signer()));
        assertThat(pubAck(c5, "x")).isLessThan(0x80);
        c5.disconnect();
    }

    @Test
    void jwksNeverLoadedMeansServerUnavailable() throws Exception {
        try (JwksServer down = new JwksServer("{}")) {
            down.down(true);
            start(Map.of("jwks", Map.of("url", down.url().toString())));
            String t = token(ctx.clock, "dev").withKeyId("k1").sign(TestKeys.rs256(rsa));
            assertThatThrownBy(() -> connect5(hive5(id("h5")), "u", t)).isInstanceOfSatisfying(
                    Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                            .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE));
            assertThatThrownBy(() -> connect3(hive3(id("h3")), "u", t)).isInstanceOfSatisfying(
                    Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage().getReturnCode())
                            .isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE));
        }
    }

    // ---- ACL claim ----

    @Test
    void objectFormAclEndToEnd() {
        startHmac(Map.of());
        String clientId = id("dev");
        String t = hs(token(ctx.clock, clientId).withClaim("acl", aclObject(
                List.of("devices/${clientid}/up", "users/${username}/#"),
                List.of("devices/${clientid}/down/#", "eq sensors/#"))));
        Mqtt5BlockingClient c = hive5(clientId);
        connect5(c, "alice", t);
        assertThat(pubAck(c, "devices/" + clientId + "/up")).isLessThan(0x80);
        assertThat(pubAck(c, "devices/other/up")).isEqualTo(0x87);
        assertThat(pubAck(c, "users/alice/x")).isLessThan(0x80);
        assertThat(subAck(c, "devices/" + clientId + "/down/#")).isLessThan(0x80);
        assertThat(subAck(c, "devices/other/down/#")).isEqualTo(0x87);
        assertThat(subAck(c, "sensors/#")).as("eq literal").isLessThan(0x80);
        assertThat(subAck(c, "sensors/x")).as("eq is not a wildcard").isEqualTo(0x87);
        assertThat(pubAck(c, "sensors/x")).isEqualTo(0x87);
        c.disconnect();

        Mqtt5BlockingClient injected = hive5(id("inj"));
        connect5(injected, "#", t);
        assertThat(pubAck(injected, "users/alice/x")).as("username \"#\" never widens a rule").isEqualTo(0x87);
        assertThat(pubAck(injected, "users/#/x".replace("#", "bob"))).isEqualTo(0x87);
        injected.disconnect();
    }

    @Test
    void ruleListAclEndToEndWithDenyFirstQosAndRetain() {
        startHmac(Map.of());
        String clientId = id("dev");
        List<Object> acl = List.of(
                Map.of("permission", "deny", "action", "publish", "topic", "devices/${clientid}/config"),
                Map.of("permission", "allow", "action", "all", "topic", "devices/${clientid}/#"),
                Map.of("permission", "allow", "action", "publish", "topic", "telemetry/#", "qos", List.of(0)),
                Map.of("permission", "allow", "action", "publish", "topic", "state/#", "retain", false));
        String t = hs(token(ctx.clock, clientId).withClaim("acl", acl));
        Mqtt5BlockingClient c = hive5(clientId);
        connect5(c, null, t);
        assertThat(pubAck(c, "devices/" + clientId + "/config")).isEqualTo(0x87);
        assertThat(pubAck(c, "devices/" + clientId + "/data")).isLessThan(0x80);
        assertThat(subAck(c, "devices/" + clientId + "/#")).isLessThan(0x80);
        assertThat(pubAck(c, "telemetry/t1")).as("only QoS 0 allowed").isEqualTo(0x87);
        assertThat(pubAck(c, "state/s1", false)).isLessThan(0x80);
        assertThat(pubAck(c, "state/s1", true)).as("retained publish not allowed").isEqualTo(0x87);
        assertThat(subAck(c, "other/#")).isEqualTo(0x87);
        c.disconnect();
    }

    @Test
    void absentClaimUsesDefaultPermissions() {
        startHmac(Map.of("default-permissions", List.of(
                Map.of("permission", "allow", "action", "publish", "topic", "public/${clientid}"))));
        String clientId = id("dev");
        Mqtt5BlockingClient c = hive5(clientId);
        connect5(c, null, hs(token(ctx.clock, clientId)));
        assertThat(pubAck(c, "public/" + clientId)).isLessThan(0x80);
        assertThat(pubAck(c, "public/other")).isEqualTo(0x87);
        c.disconnect();
    }

    // ---- expiry and re-authentication ----

    @Test
    void theConnectionClosesWhenTheTokenExpires() throws Exception {
        startHmac(Map.of("leeway", "0s", "default-permissions", "allow-all"));
        AtomicReference<Throwable> cause = new AtomicReference<>();
        CompletableFuture<Void> gone = new CompletableFuture<>();
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id("exp")).serverHost("127.0.0.1")
                .serverPort(port).addDisconnectedListener(d -> {
                    cause.set(d.getCause());
                    gone.complete(null);
                }).buildBlocking();
        connect5(c, null, hs(token(ctx.clock, "dev").withExpiresAt(ctx.clock.instant().plusSeconds(60))));
        assertThat(gone).isNotDone();
        // The broker reads expiry off its injected clock: moving it past exp disconnects, no waiting.
        ctx.clock.advance(Duration.ofSeconds(61));
        gone.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(cause.get()).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e ->
                assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME));
    }

    @Test
    void disconnectOnExpiryCanBeTurnedOff() throws Exception {
        JwtAuthenticator a = startHmac(Map.of("leeway", "0s", "disconnect-on-expiry", false));
        var d = dev.gatehouse.authn.jwt.testing.Harness.ask(a,
                hs(token(ctx.clock, "dev").withExpiresAt(ctx.clock.instant().plusSeconds(1))));
        assertThat(d).isInstanceOfSatisfying(dev.gatehouse.authn.spi.AuthDecision.Success.class,
                s -> assertThat(s.expiresAt()).isEmpty());
    }

    /** The MQTT 5 enhanced-authentication method {@code JWT}: the token is the authentication data. */
    static final class JwtMechanism extends TestAuthMechanism {
        volatile String token;

        JwtMechanism(String token) {
            super("JWT", 10);
            this.token = token;
        }

        @Override
        protected byte[] connectData() {
            return token.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Test
    void reauthenticationWithAFreshTokenExtendsTheSessionAndReplacesPermissions() throws Exception {
        startHmac(Map.of("leeway", "0s"));
        Instant shortExp = ctx.clock.instant().plusSeconds(2);
        JwtMechanism m = new JwtMechanism(hs(token(ctx.clock, "dev").withExpiresAt(shortExp)
                .withClaim("acl", aclObject(List.of("a/#"), List.of()))));
        CompletableFuture<Void> gone = new CompletableFuture<>();
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id("reauth")).serverHost("127.0.0.1")
                .serverPort(port).enhancedAuth(m).addDisconnectedListener(d -> gone.complete(null)).buildBlocking();
        c.connect();
        assertThat(pubAck(c, "a/1")).isLessThan(0x80);
        assertThat(pubAck(c, "b/1")).isEqualTo(0x87);

        m.token = hs(token(ctx.clock, "dev").withExpiresAt(ctx.clock.instant().plusSeconds(3600))
                .withClaim("acl", aclObject(List.of("b/#"), List.of())));
        c.reauth();
        assertThat(pubAck(c, "b/1")).isLessThan(0x80);
        assertThat(pubAck(c, "a/1")).isEqualTo(0x87);

        // The first token's expiry passes by the broker's clock (its sweep runs every second): the connection stays.
        ctx.clock.advance(Duration.ofSeconds(5));
        Thread.sleep(1500);
        assertThat(gone).isNotDone();
        assertThat(c.getState().isConnected()).isTrue();
        assertThat(pubAck(c, "b/2")).isLessThan(0x80);
        c.disconnect();
    }

    @Test
    void aFailedReauthenticationDisconnects() throws Exception {
        startHmac(Map.of("default-permissions", "allow-all"));
        JwtMechanism m = new JwtMechanism(hs(token(ctx.clock, "dev")));
        CompletableFuture<Throwable> gone = new CompletableFuture<>();
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id("reauth-bad")).serverHost("127.0.0.1")
                .serverPort(port).enhancedAuth(m).addDisconnectedListener(d -> gone.complete(d.getCause())).buildBlocking();
        c.connect();
        m.token = hs(token(ctx.clock, "dev").withExpiresAt(ctx.clock.instant().minusSeconds(3600)));
        try {
            c.reauth();
        } catch (RuntimeException expected) {
            // the client reports the refused re-authentication
        }
        Throwable cause = gone.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(cause).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e ->
                assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED));
    }

    @Test
    void theJwtMethodWithoutDataIsRefused() {
        startHmac(Map.of());
        JwtMechanism m = new JwtMechanism("");
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id("nodata")).serverHost("127.0.0.1")
                .serverPort(port).enhancedAuth(m).buildBlocking();
        assertThatThrownBy(c::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e ->
                assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
    }
}

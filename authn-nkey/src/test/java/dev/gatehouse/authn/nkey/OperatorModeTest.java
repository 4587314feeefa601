package dev.gatehouse.authn.nkey;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.gatehouse.authn.nkey.client.CredsFile;
import dev.gatehouse.authn.nkey.client.NKeyAuthMechanism;
import dev.gatehouse.authn.nkey.client.NKeyIdentity;
import dev.gatehouse.authn.nkey.codec.NKeyPair;
import dev.gatehouse.authn.nkey.jwt.JwtIssuer;
import io.nats.client.NKey;
import io.nats.client.support.JwtUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorModeTest {
    private final NKey operator = Nats.operator();
    private final NKey operatorSigning = Nats.operator();
    private final NKey account = Nats.account();
    private final NKey accountSigning = Nats.account();
    private final MutableClock clock = new MutableClock();
    private TestBroker broker;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private String operatorJwt() {
        return Nats.operatorJwt(operator, List.of(Nats.pub(operatorSigning)), false);
    }

    private Map<String, Object> accountNats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signing_keys", List.of(Nats.pub(accountSigning)));
        return m;
    }

    private String accountJwt() {
        return Nats.accountJwt(operatorSigning, account, accountNats());
    }

    private Map<String, Object> settings(Object operators, String... accountJwts) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "nkey");
        s.put("operators", operators);
        s.put("resolver", Map.of("type", "memory", "accounts", List.of(accountJwts)));
        return s;
    }

    private TestBroker start(String... accountJwts) {
        broker = new TestBroker(settings(List.of(operatorJwt()), accountJwts), clock);
        return broker;
    }

    private NKeyAuthMechanism auth(NKey user, String jwt) {
        return NKeyAuthMechanism.of(NKeyIdentity.of(jwt, Nats.seed(user)));
    }

    @Test
    void goodChainConnectsAndUserPermissionsApply() {
        start(accountJwt());
        NKey user = Nats.user();
        JwtUtils.UserClaim claim = Nats.claim(account)
                .pub(new JwtUtils.Permission().allow("sensors.>").deny("sensors.admin"))
                .sub(new JwtUtils.Permission().allow("cmd.*"));
        Mqtt5BlockingClient c = broker.connect(auth(user, Nats.userJwt(account, account, user, claim)));
        try {
            c.publishWith().topic("sensors/a/b").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(c.subscribeWith().topicFilter("cmd/+").send().getReasonCodes().get(0).isError()).isFalse();
            try {
                c.subscribeWith().topicFilter("other/#").send();
                throw new AssertionError("subscription to other/# was granted");
            } catch (Mqtt5SubAckException e) {
                assertThat(e.getMqttMessage().getReasonCodes().get(0).getCode()).isEqualTo(0x87);
            }
            try {
                c.publishWith().topic("sensors/admin").qos(MqttQos.AT_LEAST_ONCE).send();
                throw new AssertionError("denied publish went through");
            } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException e) {
                assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87);
            }
        } finally {
            c.disconnect();
        }
    }

    @Test
    void operatorGivenAsPublicKeyAndAccountSignedByTheOperatorItself() {
        broker = new TestBroker(settings(List.of(Nats.pub(operator)), Nats.accountJwt(operator, account, Map.of())), clock);
        NKey user = Nats.user();
        broker.connect(auth(user, Nats.userJwt(account, account, user, Nats.claim(account)))).disconnect();
    }

    @Test
    void strictSigningKeyUsageRefusesAccountsSignedByTheOperatorIdentity() {
        broker = new TestBroker(settings(List.of(Nats.operatorJwt(operator, List.of(Nats.pub(operatorSigning)), true)),
                Nats.accountJwt(operator, account, Map.of())), clock);
        NKey user = Nats.user();
        assertThat(broker.refusal(auth(user, Nats.userJwt(account, account, user, Nats.claim(account))))).isEqualTo(0x87);
    }

    @Test
    void wrongOperatorIsRefused() {
        NKey other = Nats.operator();
        NKey otherAccount = Nats.account();
        start(accountJwt(), Nats.accountJwt(other, otherAccount, Map.of()));
        NKey user = Nats.user();
        assertThat(broker.refusal(auth(user, Nats.userJwt(otherAccount, otherAccount, user, Nats.claim(otherAccount)))))
                .isEqualTo(0x87);
    }

    @Test
    void unknownAccountIsRefused() {
        start(accountJwt());
        NKey stray = Nats.account();
        NKey user = Nats.user();
        assertThat(broker.refusal(auth(user, Nats.userJwt(stray, stray, user, Nats.claim(stray))))).isEqualTo(0x87);
    }

    @Test
    void expiredUserAndExpiredAccountAreRefused() {
        long past = Nats.nowSeconds() - 100;
        NKey user = Nats.user();
        String expiredUser = Nats.userJwt(account, account, user, Nats.claim(account), Duration.ofSeconds(10), past);
        NKey acct2 = Nats.account();
        String expiredAccount = Nats.accountJwt(operator, acct2, Map.of(), Duration.ofSeconds(10), past);
        start(accountJwt(), expiredAccount);
        assertThat(broker.refusal(auth(user, expiredUser))).isEqualTo(0x86);
        NKey user2 = Nats.user();
        assertThat(broker.refusal(auth(user2, Nats.userJwt(acct2, acct2, user2, Nats.claim(acct2))))).isEqualTo(0x87);
    }

    @Test
    void notYetValidUserIsRefused() {
        start(accountJwt());
        NKeyPair accountPair = NKeyPair.fromSeed(new String(Nats.seed(account)));
        NKey user = Nats.user();
        Map<String, Object> std = new LinkedHashMap<>();
        std.put("iat", Nats.nowSeconds());
        std.put("nbf", Nats.nowSeconds() + 3600);
        std.put("sub", Nats.pub(user));
        String jwt = JwtIssuer.issue(accountPair, std, Map.of("type", "user", "version", 2));
        assertThat(broker.refusal(auth(user, jwt))).isEqualTo(0x86);
    }

    @Test
    void revokedUserIsRefusedAndOthersAreNot() {
        NKey revoked = Nats.user();
        NKey fine = Nats.user();
        long iat = Nats.nowSeconds() - 10;
        String revokedJwt = Nats.userJwt(account, account, revoked, Nats.claim(account), null, iat);
        Map<String, Object> nats = accountNats();
        nats.put("revocations", Map.of(Nats.pub(revoked), Nats.nowSeconds()));
        start(Nats.accountJwt(operatorSigning, account, nats));
        assertThat(broker.refusal(auth(revoked, revokedJwt))).isEqualTo(0x87);
        broker.connect(auth(fine, Nats.userJwt(account, account, fine, Nats.claim(account), null, iat))).disconnect();
    }

    @Test
    void userSignedByAnAccountSigningKey() {
        start(accountJwt());
        NKey user = Nats.user();
        broker.connect(auth(user, Nats.userJwt(accountSigning, account, user, Nats.claim(account)))).disconnect();
        NKey rogue = Nats.account();
        NKey user2 = Nats.user();
        assertThat(broker.refusal(auth(user2, Nats.userJwt(rogue, account, user2, Nats.claim(account))))).isEqualTo(0x87);
    }

    @Test
    void scopedSigningKeyTemplateReplacesPermissions() {
        NKey scoped = Nats.account();
        Map<String, Object> nats = new LinkedHashMap<>();
        nats.put("signing_keys", List.of(Map.of("kind", "user_scope", "key", Nats.pub(scoped), "role", "device",
                "template", Map.of("pub", Map.of("allow", List.of("devices.{{name()}}.>")),
                        "sub", Map.of("allow", List.of("devices.{{name()}}.cmd"))))));
        start(Nats.accountJwt(operatorSigning, account, nats));
        NKey user = Nats.user();
        String jwt = Nats.userJwt(scoped, account, user, Nats.claim(account));
        String name = "user-" + Nats.pub(user).substring(0, 6);
        Mqtt5BlockingClient c = broker.connect(auth(user, jwt));
        try {
            c.publishWith().topic("devices/" + name + "/t").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(c.subscribeWith().topicFilter("devices/" + name + "/cmd").send().getReasonCodes().get(0).isError()).isFalse();
            try {
                c.subscribeWith().topicFilter("devices/other/cmd").send();
                throw new AssertionError("granted");
            } catch (Mqtt5SubAckException e) {
                assertThat(e.getMqttMessage().getReasonCodes().get(0).getCode()).isEqualTo(0x87);
            }
        } finally {
            c.disconnect();
        }
        NKey greedy = Nats.user();
        String withOwn = Nats.userJwt(scoped, account, greedy, Nats.claim(account).pub(new JwtUtils.Permission().allow(">")));
        assertThat(broker.refusal(auth(greedy, withOwn))).isEqualTo(0x87);
    }

    @Test
    void signatureByAnotherKeyThanTheJwtSubjectIsRefused() {
        start(accountJwt());
        NKey user = Nats.user();
        NKey thief = Nats.user();
        String jwt = Nats.userJwt(account, account, user, Nats.claim(account));
        assertThat(broker.refusal(new ScriptedAuth(jwt.getBytes(US_ASCII), n -> Nats.sign(thief, n)))).isEqualTo(0x86);
    }

    @Test
    void aUserJwtClientMayAnswerWithBase64UrlTextAsNatsClientsDo() {
        start(accountJwt());
        NKey user = Nats.user();
        NKey thief = Nats.user();
        String jwt = Nats.userJwt(account, account, user, Nats.claim(account));
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        broker.connect(new ScriptedAuth(jwt.getBytes(US_ASCII), n -> b64.encode(Nats.sign(user, n)))).disconnect();
        assertThat(broker.refusal(new ScriptedAuth(jwt.getBytes(US_ASCII), n -> b64.encode(Nats.sign(thief, n)))))
                .isEqualTo(0x86);
    }

    @Test
    void tamperedUserJwtIsRefused() {
        start(accountJwt());
        NKey user = Nats.user();
        String jwt = Nats.userJwt(account, account, user, Nats.claim(account));
        String[] parts = jwt.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), UTF_8)
                .replace("\"type\":\"user\"", "\"type\":\"user\",\"bearer_token\":true");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(UTF_8)) + "." + parts[2];
        assertThat(broker.refusal(auth(user, forged))).isEqualTo(0x86);
    }

    @Test
    void legacyV1UserJwtVerifies() {
        start(accountJwt());
        NKey user = Nats.user();
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"typ\":\"jwt\",\"alg\":\"ed25519\"}".getBytes(UTF_8));
        String payload = b64.encodeToString(dev.gatehouse.authn.nkey.jwt.Json.write(Map.of(
                "iat", Nats.nowSeconds(), "iss", Nats.pub(account), "sub", Nats.pub(user), "jti", "X",
                "type", "user", "nats", Map.of("pub", Map.of("allow", List.of("v1.>"))))).getBytes(UTF_8));
        String jwt = header + "." + payload + "." + b64.encodeToString(Nats.sign(account, payload.getBytes(US_ASCII)));
        Mqtt5BlockingClient c = broker.connect(auth(user, jwt));
        c.publishWith().topic("v1/x").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
    }

    @Test
    void bearerTokenOverMqtt311AllowedAndNonBearerRefused() throws Exception {
        start(accountJwt());
        NKey bearerUser = Nats.user();
        String bearer = Nats.userJwt(account, account, bearerUser, Nats.claim(account).bearerToken(true)
                .pub(new JwtUtils.Permission().allow("paho.>")));
        MqttClient paho = new MqttClient("tcp://127.0.0.1:" + broker.port(), "paho-1", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName("ignored");
        o.setPassword(bearer.toCharArray());
        paho.connect(o);
        paho.publish("paho/x", "hi".getBytes(UTF_8), 1, false);
        paho.disconnect();
        paho.close();

        NKey plainUser = Nats.user();
        String plain = Nats.userJwt(account, account, plainUser, Nats.claim(account));
        MqttClient paho2 = new MqttClient("tcp://127.0.0.1:" + broker.port(), "paho-2", new MemoryPersistence());
        o.setPassword(plain.toCharArray());
        try {
            paho2.connect(o);
            throw new AssertionError("a non-bearer JWT was admitted without a nonce");
        } catch (MqttException e) {
            assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        } finally {
            paho2.close();
        }
    }

    @Test
    void bearerRefusedWhenTheAccountDisallowsIt() throws Exception {
        Map<String, Object> nats = accountNats();
        nats.put("limits", Map.of("conn", -1, "disallow_bearer", true));
        start(Nats.accountJwt(operatorSigning, account, nats));
        NKey u = Nats.user();
        String bearer = Nats.userJwt(account, account, u, Nats.claim(account).bearerToken(true));
        MqttClient paho = new MqttClient("tcp://127.0.0.1:" + broker.port(), "paho-3", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName("x");
        o.setPassword(bearer.toCharArray());
        try {
            paho.connect(o);
            throw new AssertionError("admitted");
        } catch (MqttException e) {
            assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        } finally {
            paho.close();
        }
    }

    @Test
    void sourceCidrIsEnforced() {
        start(accountJwt());
        NKey inside = Nats.user();
        broker.connect(auth(inside, Nats.userJwt(account, account, inside, Nats.claim(account).src("127.0.0.0/8")))).disconnect();
        NKey outside = Nats.user();
        assertThat(broker.refusal(auth(outside, Nats.userJwt(account, account, outside,
                Nats.claim(account).src("10.0.0.0/8", "192.168.1.7"))))).isEqualTo(0x87);
    }

    @Test
    void allowedConnectionTypesFollowTheListenerMqttOrMqttWs() {
        broker = new TestBroker(settings(List.of(operatorJwt()), accountJwt()), clock,
                dev.gatehouse.broker.Limits.defaults(), null, true);
        NKey tcpOnly = Nats.user();
        NKeyAuthMechanism tcp = auth(tcpOnly, Nats.userJwt(account, account, tcpOnly,
                Nats.claim(account).allowedConnectionTypes("STANDARD", "MQTT")));
        NKey wsOnly = Nats.user();
        NKeyAuthMechanism ws = auth(wsOnly, Nats.userJwt(account, account, wsOnly,
                Nats.claim(account).allowedConnectionTypes("MQTT_WS")));
        NKey natsOnly = Nats.user();
        NKeyAuthMechanism nats = auth(natsOnly, Nats.userJwt(account, account, natsOnly,
                Nats.claim(account).allowedConnectionTypes("STANDARD", "WEBSOCKET")));
        NKey any = Nats.user();
        NKeyAuthMechanism unrestricted = auth(any, Nats.userJwt(account, account, any, Nats.claim(account)));

        broker.connect(tcp).disconnect();
        assertThat(TestBroker.refusal(broker.wsClient(tcp))).isEqualTo(0x87);

        Mqtt5BlockingClient overWs = broker.wsClient(ws);
        overWs.connect();
        overWs.publishWith().topic("over/ws").qos(MqttQos.AT_LEAST_ONCE).send();
        overWs.disconnect();
        assertThat(broker.refusal(ws)).isEqualTo(0x87);

        assertThat(broker.refusal(nats)).isEqualTo(0x87);
        assertThat(TestBroker.refusal(broker.wsClient(nats))).isEqualTo(0x87);

        broker.connect(unrestricted).disconnect();
        Mqtt5BlockingClient anyWs = broker.wsClient(unrestricted);
        anyWs.connect();
        anyWs.disconnect();
    }

    @Test
    void connectionLimitPerAccount() {
        Map<String, Object> nats = accountNats();
        nats.put("limits", Map.of("conn", 1));
        start(Nats.accountJwt(operatorSigning, account, nats));
        NKey u1 = Nats.user();
        NKey u2 = Nats.user();
        Mqtt5BlockingClient first = broker.connect(auth(u1, Nats.userJwt(account, account, u1, Nats.claim(account))));
        NKeyAuthMechanism second = auth(u2, Nats.userJwt(accountSigning, account, u2, Nats.claim(account)));
        assertThat(broker.refusal(second)).isEqualTo(0x87);
        first.disconnect();
        TestBroker.await(() -> broker.authenticator.connections(Nats.pub(account)) == 0, "the slot to be released");
        broker.connect(second).disconnect();
    }

    @Test
    void privateInboxesAreIsolated() throws Exception {
        start(accountJwt());
        NKey service = Nats.user();
        NKey alice = Nats.user();
        NKey bob = Nats.user();
        String serviceJwt = Nats.userJwt(account, account, service, Nats.claim(account)
                .sub(new JwtUtils.Permission().allow("services.*"))
                .pub(new JwtUtils.Permission().allow("replies.>")));
        String aliceJwt = Nats.userJwt(account, account, alice, Nats.claim(account)
                .pub(new JwtUtils.Permission().allow("services.*"))
                .sub(new JwtUtils.Permission().allow("replies.alice.>")));
        String bobJwt = Nats.userJwt(account, account, bob, Nats.claim(account)
                .pub(new JwtUtils.Permission().allow("services.*"))
                .sub(new JwtUtils.Permission().allow("replies.bob.>")));
        Mqtt5BlockingClient svc = broker.connect(auth(service, serviceJwt));
        Mqtt5BlockingClient a = broker.connect(auth(alice, aliceJwt));
        Mqtt5BlockingClient b = broker.connect(auth(bob, bobJwt));
        try (Mqtt5BlockingClient.Mqtt5Publishes requests = svc.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes replies = a.publishes(MqttGlobalPublishFilter.ALL)) {
            svc.subscribeWith().topicFilter("services/+").qos(MqttQos.AT_LEAST_ONCE).send();
            a.subscribeWith().topicFilter("replies/alice/#").qos(MqttQos.AT_LEAST_ONCE).send();
            try {
                b.subscribeWith().topicFilter("replies/alice/#").send();
                throw new AssertionError("bob may read alice's inbox");
            } catch (Mqtt5SubAckException e) {
                assertThat(e.getMqttMessage().getReasonCodes().get(0).getCode()).isEqualTo(0x87);
            }
            try {
                b.subscribeWith().topicFilter("replies/#").send();
                throw new AssertionError("bob may read every inbox");
            } catch (Mqtt5SubAckException e) {
                assertThat(e.getMqttMessage().getReasonCodes().get(0).getCode()).isEqualTo(0x87);
            }
            a.publishWith().topic("services/echo").qos(MqttQos.AT_LEAST_ONCE).payload("ping".getBytes(UTF_8))
                    .responseTopic("replies/alice/1").send();
            Mqtt5Publish req = requests.receive(10, TimeUnit.SECONDS).orElseThrow();
            svc.publishWith().topic(req.getResponseTopic().orElseThrow().toString()).qos(MqttQos.AT_LEAST_ONCE)
                    .payload("pong".getBytes(UTF_8)).send();
            Optional<Mqtt5Publish> reply = replies.receive(10, TimeUnit.SECONDS);
            assertThat(reply).isPresent();
            assertThat(new String(reply.get().getPayloadAsBytes(), UTF_8)).isEqualTo("pong");
        } finally {
            svc.disconnect();
            a.disconnect();
            b.disconnect();
        }
    }

    @Test
    void credsFileWrittenLikeNscConnects() throws Exception {
        start(accountJwt());
        NKey user = Nats.user();
        String jwt = Nats.userJwt(accountSigning, account, user, Nats.claim(account));
        Path creds = tmp.resolve("user.creds");
        String text = String.format(JwtUtils.NATS_USER_JWT_FORMAT, jwt, new String(Nats.seed(user)));
        Files.writeString(creds, text.replace("\n", "\r\n"));
        NKeyIdentity id = CredsFile.read(creds);
        assertThat(id.publicKey()).isEqualTo(Nats.pub(user));
        assertThat(id.jwt()).contains(jwt);
        Mqtt5BlockingClient c = broker.connect(NKeyAuthMechanism.fromCredsFile(creds));
        c.disconnect();
        assertThat(CredsFile.parse(CredsFile.format(jwt, Nats.seed(user))).publicKey()).isEqualTo(Nats.pub(user));
    }

    @Test
    void connectionClosesWhenTheUserJwtExpires() {
        start(accountJwt());
        NKey user = Nats.user();
        String jwt = Nats.userJwt(account, account, user, Nats.claim(account), Duration.ofHours(1), Nats.nowSeconds());
        Mqtt5BlockingClient c = broker.connect(auth(user, jwt));
        clock.advance(Duration.ofHours(2)); // the broker's sweep follows the same clock
        TestBroker.await(() -> !c.getState().isConnected(), "the expired client to be disconnected");
        TestBroker.await(() -> broker.authenticator.connections(Nats.pub(account)) == 0, "the slot to be released");
    }

    @Test
    void connectionClosesWhenTheAccountJwtExpires() {
        NKey acct2 = Nats.account();
        start(accountJwt(), Nats.accountJwt(operatorSigning, acct2, Map.of(), Duration.ofHours(1), Nats.nowSeconds()));
        NKey user = Nats.user();
        Mqtt5BlockingClient c = broker.connect(auth(user, Nats.userJwt(acct2, acct2, user, Nats.claim(acct2))));
        clock.advance(Duration.ofHours(2));
        TestBroker.await(() -> !c.getState().isConnected(), "the client of the expired account to be disconnected");
    }

    @Test
    void connectTimeWindowsAreEnforced() {
        start(accountJwt());
        java.time.LocalTime now = java.time.LocalTime.now(java.time.ZoneOffset.UTC).withNano(0);
        String in1 = now.minusHours(1).toString(), in2 = now.plusHours(1).toString();
        String out1 = now.plusHours(2).toString(), out2 = now.plusHours(3).toString();
        NKey inside = Nats.user();
        broker.connect(auth(inside, Nats.userJwt(account, account, inside, Nats.claim(account)
                .times(List.of(new JwtUtils.TimeRange(pad(in1), pad(in2))))))).disconnect();
        NKey outside = Nats.user();
        assertThat(broker.refusal(auth(outside, Nats.userJwt(account, account, outside, Nats.claim(account)
                .times(List.of(new JwtUtils.TimeRange(pad(out1), pad(out2)))))))).isEqualTo(0x87);
    }

    private static String pad(String localTime) {
        return localTime.length() == 5 ? localTime + ":00" : localTime;
    }

    @Test
    void bearerTokenInTheMqtt5Password() {
        start(accountJwt());
        NKey u = Nats.user();
        String bearer = Nats.userJwt(account, account, u, Nats.claim(account).bearerToken(true));
        Mqtt5BlockingClient c = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier("b5")
                .serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username("x").password(bearer.getBytes(US_ASCII)).applySimpleAuth().buildBlocking();
        c.connect();
        c.disconnect();
    }

    @Test
    void reauthenticationWithARenewedJwtOutlivesTheFirstExpiry() throws Exception {
        start(accountJwt());
        NKey user = Nats.user();
        long iat = Nats.nowSeconds();
        String shortLived = Nats.userJwt(account, account, user, Nats.claim(account), Duration.ofHours(1), iat);
        String renewed = Nats.userJwt(account, account, user, Nats.claim(account), Duration.ofHours(3), iat);
        java.util.concurrent.atomic.AtomicReference<String> current = new java.util.concurrent.atomic.AtomicReference<>(shortLived);
        NKeyAuthMechanism mech = new NKeyAuthMechanism(() -> NKeyIdentity.of(current.get(), Nats.seed(user)), "NKEY", 10);
        Mqtt5BlockingClient c = broker.connect(mech);
        current.set(renewed);
        c.toAsync().reauth().get(10, TimeUnit.SECONDS);
        // a witness whose credential ends between the first expiry and the advanced clock: once the broker
        // has disconnected it, the clock has been applied to every connection
        NKey w = Nats.user();
        Mqtt5BlockingClient witness = broker.connect(auth(w, Nats.userJwt(account, account, w, Nats.claim(account),
                Duration.ofMinutes(90), iat)));
        clock.advance(Duration.ofHours(2));
        TestBroker.await(() -> !witness.getState().isConnected(), "the witness to expire");
        assertThat(c.getState().isConnected()).isTrue();
        c.publishWith().topic("still/here").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
    }
}

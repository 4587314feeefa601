package dev.gatehouse.authn.nkey;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import dev.gatehouse.authn.nkey.client.NKeyAuthMechanism;
import dev.gatehouse.authn.nkey.client.NKeyIdentity;
import dev.gatehouse.broker.Limits;
import io.nats.client.NKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StaticUserChallengeTest {
    private final NKey sensor = Nats.user();
    private final NKey stranger = Nats.user();
    private final MutableClock clock = new MutableClock();
    private TestBroker broker;

    private Map<String, Object> settings() {
        return Map.of("type", "nkey", "challenge-timeout", "10s", "users", List.of(
                Map.of("nkey", Nats.pub(sensor), "name", "sensor-1",
                        "permissions", Map.of(
                                "pub", Map.of("allow", List.of("telemetry.sensor-1.>"), "deny", List.of("telemetry.sensor-1.secret")),
                                "sub", Map.of("allow", List.of("commands.sensor-1")))),
                Map.of("nkey", Nats.pub(stranger), "rules", List.of(
                        Map.of("permission", "allow", "action", "publish", "topic", "open/#")))));
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private byte[] pubBytes(NKey k) {
        return Nats.pub(k).getBytes(US_ASCII);
    }

    @Test
    void goodSignatureConnectsWithNatsPermissions() throws Exception {
        broker = new TestBroker(settings(), clock);
        NKeyIdentity id = NKeyIdentity.ofSeed(Nats.seed(sensor));
        Mqtt5BlockingClient c = broker.connect(NKeyAuthMechanism.of(id));
        try {
            c.publishWith().topic("telemetry/sensor-1/temp").qos(MqttQos.AT_LEAST_ONCE).payload("21".getBytes(UTF_8)).send();
            assertDenied(c, "telemetry/sensor-1/secret");
            assertDenied(c, "telemetry/sensor-2/temp");
            // The flow first: the HiveMQ client registers it asynchronously and drops what arrives before.
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = c.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
                Mqtt5SubAck ok = c.subscribeWith().topicFilter("commands/sensor-1").qos(MqttQos.AT_LEAST_ONCE).send();
                assertThat(ok.getReasonCodes().get(0).isError()).isFalse();
                broker.broker.publish("commands/sensor-1", "reboot".getBytes(UTF_8), 1, false).join();
                Optional<Mqtt5Publish> got = publishes.receive(10, TimeUnit.SECONDS);
                assertThat(got).isPresent();
                assertThat(new String(got.get().getPayloadAsBytes(), UTF_8)).isEqualTo("reboot");
            }
        } finally {
            c.disconnect();
        }
    }

    @Test
    void mqttRulesApplyToTheOtherUser() {
        broker = new TestBroker(settings(), clock);
        Mqtt5BlockingClient c = broker.connect(NKeyAuthMechanism.of(NKeyIdentity.ofSeed(Nats.seed(stranger))));
        try {
            c.publishWith().topic("open/x").qos(MqttQos.AT_LEAST_ONCE).send();
            assertDenied(c, "telemetry/sensor-1/temp");
        } finally {
            c.disconnect();
        }
    }

    private static void assertDenied(Mqtt5BlockingClient c, String topic) {
        try {
            c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            throw new AssertionError("publish to " + topic + " was allowed");
        } catch (Mqtt5PubAckException e) {
            assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87);
        }
    }

    @Test
    void nonceIsFreshAndLongEnough() {
        broker = new TestBroker(settings(), clock);
        ScriptedAuth a = new ScriptedAuth(pubBytes(sensor), n -> Nats.sign(sensor, n));
        broker.connect(a).disconnect();
        byte[] first = a.lastNonce;
        broker.connect(a).disconnect();
        assertThat(first).hasSizeGreaterThanOrEqualTo(16);
        assertThat(a.lastNonce).isNotEqualTo(first);
    }

    @Test
    void wrongSignatureIsRefused() {
        broker = new TestBroker(settings(), clock);
        // signed by another key
        assertThat(broker.refusal(new ScriptedAuth(pubBytes(sensor), n -> Nats.sign(stranger, n)))).isEqualTo(0x86);
        // signature of other bytes
        assertThat(broker.refusal(new ScriptedAuth(pubBytes(sensor), n -> Nats.sign(sensor, "x".getBytes(UTF_8)))))
                .isEqualTo(0x86);
        // not 64 bytes
        assertThat(broker.refusal(new ScriptedAuth(pubBytes(sensor), n -> new byte[10]))).isEqualTo(0x86);
    }

    /** The signature as NATS clients write it: base64url, no padding. */
    private static byte[] base64Url(byte[] signature) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encode(signature);
    }

    @Test
    void signatureAsBase64UrlTextIsAcceptedToo() {
        broker = new TestBroker(settings(), clock);
        ScriptedAuth text = new ScriptedAuth(pubBytes(sensor), n -> {
            byte[] answer = base64Url(Nats.sign(sensor, n));
            assertThat(answer).hasSize(86);
            return answer;
        });
        Mqtt5BlockingClient c = broker.connect(text);
        try {
            c.publishWith().topic("telemetry/sensor-1/temp").qos(MqttQos.AT_LEAST_ONCE).send();
        } finally {
            c.disconnect();
        }
        // padded (88 characters) as well
        broker.connect(new ScriptedAuth(pubBytes(sensor),
                n -> java.util.Base64.getUrlEncoder().encode(Nats.sign(sensor, n)))).disconnect();
        // and the raw form is still the default of the client helper
        broker.connect(NKeyAuthMechanism.of(NKeyIdentity.ofSeed(Nats.seed(sensor)))).disconnect();
    }

    @Test
    void wrongBase64UrlSignatureIsRefused() {
        broker = new TestBroker(settings(), clock);
        // a well-formed signature by another key
        assertThat(broker.refusal(new ScriptedAuth(pubBytes(sensor), n -> base64Url(Nats.sign(stranger, n)))))
                .isEqualTo(0x86);
        // the right key, one character changed
        assertThat(broker.refusal(new ScriptedAuth(pubBytes(sensor), n -> {
            byte[] t = base64Url(Nats.sign(sensor, n));
            t[10] = (byte) (t[10] == 'A' ? 'B' : 'A');
            return t;
        }))).isEqualTo(0x86);
        // 86 characters that are not base64
        assertThat(broker.refusal(new ScriptedAuth(pubBytes(sensor), n -> "!".repeat(86).getBytes(US_ASCII))))
                .isEqualTo(0x86);
        // the text of a signature of other bytes
        assertThat(broker.refusal(new ScriptedAuth(pubBytes(sensor),
                n -> base64Url(Nats.sign(sensor, "x".getBytes(UTF_8)))))).isEqualTo(0x86);
    }

    @Test
    void unknownKeyIsChallengedThenRefused() {
        broker = new TestBroker(settings(), clock);
        NKey unknown = Nats.user();
        ScriptedAuth a = new ScriptedAuth(pubBytes(unknown), n -> Nats.sign(unknown, n));
        assertThat(broker.refusal(a)).isEqualTo(0x87);
        assertThat(a.lastNonce).isNotNull();
    }

    @Test
    void garbageAuthDataIsRefused() {
        broker = new TestBroker(settings(), clock);
        assertThat(broker.refusal(new ScriptedAuth("hello".getBytes(UTF_8), n -> n))).isEqualTo(0x86);
        String badKey = Nats.pub(sensor).substring(0, 55) + (Nats.pub(sensor).endsWith("A") ? "B" : "A");
        assertThat(broker.refusal(new ScriptedAuth(badKey.getBytes(US_ASCII), n -> n))).isEqualTo(0x86);
    }

    @Test
    void replayedSignatureFromAnEarlierConnectionIsRefused() {
        broker = new TestBroker(settings(), clock);
        byte[][] captured = new byte[1][];
        ScriptedAuth honest = new ScriptedAuth(pubBytes(sensor), n -> captured[0] = Nats.sign(sensor, n));
        broker.connect(honest).disconnect();
        ScriptedAuth replay = new ScriptedAuth(pubBytes(sensor), n -> captured[0]);
        assertThat(broker.refusal(replay)).isEqualTo(0x86);
    }

    @Test
    void aChallengeStateAnswersOnlyOnce() {
        broker = new TestBroker(settings(), clock);
        NKeyAuthenticator auth = broker.authenticator;
        dev.gatehouse.authn.spi.AuthRequest req = dev.gatehouse.authn.spi.AuthRequest
                .builder("c1", dev.gatehouse.authn.spi.MqttVersion.V5)
                .authenticationMethod("NKEY").authenticationData(pubBytes(sensor)).build();
        dev.gatehouse.authn.spi.AuthDecision.Challenge ch =
                (dev.gatehouse.authn.spi.AuthDecision.Challenge) auth.authenticate(req).toCompletableFuture().join();
        byte[] sig = Nats.sign(sensor, ch.authData());
        assertThat(auth.continueAuth(req, ch.state(), sig).toCompletableFuture().join())
                .isInstanceOf(dev.gatehouse.authn.spi.AuthDecision.Success.class);
        assertThat(auth.continueAuth(req, ch.state(), sig).toCompletableFuture().join())
                .isInstanceOf(dev.gatehouse.authn.spi.AuthDecision.Failure.class);
    }

    @Test
    void lateAnswerByTheClockIsRefused() {
        broker = new TestBroker(settings(), clock);
        ScriptedAuth late = new ScriptedAuth(pubBytes(sensor), n -> {
            clock.advance(Duration.ofSeconds(11));
            return Nats.sign(sensor, n);
        });
        assertThat(broker.refusal(late)).isEqualTo(0x87);
    }

    @Test
    void silentClientIsRefusedAtTheAuthTimeout() {
        broker = new TestBroker(settings(), clock, Limits.defaults().withAuthTimeout(Duration.ofMillis(500)));
        assertThat(broker.refusal(new ScriptedAuth(pubBytes(sensor), n -> null))).isEqualTo(0x87);
    }

    @Test
    void reauthenticationWithAFreshSignatureKeepsTheConnection() {
        broker = new TestBroker(settings(), clock);
        Mqtt5BlockingClient c = broker.connect(NKeyAuthMechanism.of(NKeyIdentity.ofSeed(Nats.seed(sensor))));
        try {
            c.toAsync().reauth().get(10, TimeUnit.SECONDS);
            c.publishWith().topic("telemetry/sensor-1/temp").qos(MqttQos.AT_LEAST_ONCE).send();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            c.disconnect();
        }
    }
}

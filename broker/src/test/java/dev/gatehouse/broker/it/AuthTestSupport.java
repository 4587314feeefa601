package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.BrokerEventListener;
import dev.gatehouse.broker.testing.TestAuthMechanism;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Shared pieces of the CONNECT / authentication integration tests: in-test authenticators, a
 * HiveMQ enhanced-auth mechanism that answers them, raw-packet helpers and bounded waiting.
 */
final class AuthTestSupport {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String HOST = "127.0.0.1";
    static final String TOKEN_METHOD = "TEST-TOKEN";
    static final String CHALLENGE_METHOD = "TEST-CHALLENGE";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger IDS = new AtomicInteger();

    private AuthTestSupport() {
    }

    /** A client id no other test uses, so sessions never collide. */
    static String uniqueId(String prefix) {
        return prefix + "-" + IDS.incrementAndGet();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] reversed(byte[] in) {
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[in.length - 1 - i];
        }
        return out;
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Poll {@code condition} until it holds or {@link #WAIT} passes; true if it held. */
    static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    // ---- authenticators ----

    /** An authenticator whose answers come from a function; records each request it is asked about. */
    static final class Scripted implements Authenticator {
        private final String name;
        private final Set<String> methods;
        private final Function<AuthRequest, CompletionStage<AuthDecision>> answer;
        private final List<String> journal;
        final List<AuthRequest> requests = new CopyOnWriteArrayList<>();

        Scripted(String name, Set<String> methods, List<String> journal,
                 Function<AuthRequest, CompletionStage<AuthDecision>> answer) {
            this.name = name;
            this.methods = methods;
            this.journal = journal;
            this.answer = answer;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> authenticationMethods() {
            return methods;
        }

        @Override
        public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
            requests.add(request);
            if (journal != null) {
                journal.add(name);
            }
            return answer.apply(request);
        }

        AuthRequest onlyRequest() {
            assertThat(requests).hasSize(1);
            return requests.get(0);
        }
    }

    static Scripted deciding(String name, Function<AuthRequest, AuthDecision> decide) {
        return new Scripted(name, Set.of(), null, r -> CompletableFuture.completedFuture(decide.apply(r)));
    }

    static Scripted deciding(String name, List<String> journal, AuthDecision decision) {
        return new Scripted(name, Set.of(), journal, r -> CompletableFuture.completedFuture(decision));
    }

    static Scripted answering(String name, Function<AuthRequest, CompletionStage<AuthDecision>> answer) {
        return new Scripted(name, Set.of(), null, answer);
    }

    /**
     * A credential that spells out its own grants, so that re-authentication can change them:
     * {@code pub=a/#;sub=a/#;ttl=800;fail=BANNED} (all parts optional, pub/sub repeatable, ttl in ms
     * from now and may be negative).
     */
    record Token(List<String> pub, List<String> sub, Optional<Duration> ttl, Optional<FailureReason> fail) {
        static Token parse(byte[] raw) {
            List<String> pub = new ArrayList<>();
            List<String> sub = new ArrayList<>();
            Duration ttl = null;
            FailureReason fail = null;
            for (String part : new String(raw, StandardCharsets.UTF_8).split(";")) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String k = part.substring(0, eq);
                String v = part.substring(eq + 1);
                switch (k) {
                    case "pub" -> pub.add(v);
                    case "sub" -> sub.add(v);
                    case "ttl" -> ttl = Duration.ofMillis(Long.parseLong(v));
                    case "fail" -> fail = FailureReason.valueOf(v);
                    default -> throw new IllegalArgumentException("unknown token part " + k);
                }
            }
            return new Token(pub, sub, Optional.ofNullable(ttl), Optional.ofNullable(fail));
        }

        AuthDecision decide(String principal) {
            if (fail.isPresent()) {
                return AuthDecision.failure(fail.get(), "token says " + fail.get());
            }
            Permissions.Builder b = Permissions.builder();
            pub.forEach(f -> b.allow(Action.PUBLISH, f));
            sub.forEach(f -> b.allow(Action.SUBSCRIBE, f));
            Permissions p = b.build();
            return ttl.isPresent()
                    ? AuthDecision.success(principal, p, Instant.now().plus(ttl.get()))
                    : AuthDecision.success(principal, p);
        }
    }

    /**
     * Admits whoever presents a {@link Token}: as MQTT 5 authentication data of method
     * {@value #TOKEN_METHOD}, or as the CONNECT password (so MQTT 3 clients can use it too).
     */
    static final class TokenAuthenticator implements Authenticator {
        final List<AuthRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "token";
        }

        @Override
        public Set<String> authenticationMethods() {
            return Set.of(TOKEN_METHOD);
        }

        @Override
        public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
            requests.add(request);
            Optional<byte[]> raw = request.authenticationMethod().isPresent()
                    ? request.authenticationData() : request.password();
            return CompletableFuture.completedFuture(raw.isEmpty() ? AuthDecision.abstain()
                    : Token.parse(raw.get()).decide("token:" + request.clientId()));
        }
    }

    /**
     * Challenge-response over MQTT 5 AUTH, method {@value #CHALLENGE_METHOD}: the CONNECT (or AUTH 0x19)
     * carries a {@link Token}, the broker sends a random nonce, the client proves itself by answering
     * with the nonce reversed. {@code rounds} challenges are sent before the token decides.
     */
    static final class ChallengeAuthenticator implements Authenticator {
        private record State(byte[] nonce, Token token, int roundsLeft) {
        }

        private final int rounds;
        final List<AuthRequest> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger answers = new AtomicInteger();

        ChallengeAuthenticator(int rounds) {
            this.rounds = rounds;
        }

        @Override
        public String name() {
            return "challenge";
        }

        @Override
        public Set<String> authenticationMethods() {
            return Set.of(CHALLENGE_METHOD);
        }

        @Override
        public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
            requests.add(request);
            Token token = Token.parse(request.authenticationData().orElse(new byte[0]));
            return CompletableFuture.completedFuture(challenge(token, rounds));
        }

        private static AuthDecision challenge(Token token, int roundsLeft) {
            byte[] nonce = randomBytes(16);
            return AuthDecision.challenge(nonce, new State(nonce, token, roundsLeft));
        }

        @Override
        public CompletionStage<AuthDecision> continueAuth(AuthRequest request, Object state, byte[] clientData) {
            answers.incrementAndGet();
            State s = (State) state;
            if (!Arrays.equals(clientData, reversed(s.nonce()))) {
                return CompletableFuture.completedFuture(
                        AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "wrong answer to the challenge"));
            }
            return CompletableFuture.completedFuture(s.roundsLeft() > 1 ? challenge(s.token(), s.roundsLeft() - 1)
                    : s.token().decide("challenged:" + request.clientId()));
        }
    }

    // ---- HiveMQ client side ----

    /**
     * The client half of {@link TokenAuthenticator} / {@link ChallengeAuthenticator}: sends {@link #token}
     * with CONNECT and re-authentication, and answers each challenge with the nonce reversed (or, when
     * told to cheat, unreversed).
     */
    static final class TestMechanism extends TestAuthMechanism {
        private final boolean answerCorrectly;
        volatile byte[] token;
        final AtomicInteger challenges = new AtomicInteger();

        TestMechanism(String method, String token, boolean answerCorrectly) {
            super(method, 5);
            this.token = utf8(token);
            this.answerCorrectly = answerCorrectly;
        }

        @Override
        protected byte[] connectData() {
            return token;
        }

        @Override
        protected CompletableFuture<byte[]> answer(byte[] nonce) {
            challenges.incrementAndGet();
            return CompletableFuture.completedFuture(answerCorrectly ? reversed(nonce) : nonce);
        }
    }


    static Mqtt5ClientBuilder hive5(int port, String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost(HOST).serverPort(port);
    }

    static Mqtt3BlockingClient hive3(int port, String clientId) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost(HOST).serverPort(port)
                .buildBlocking();
    }

    /** The PUBACK reason code the broker answers a QoS 1 PUBLISH with (the blocking client throws on errors). */
    static int pubAckCode(Mqtt5BlockingClient client, String topic) {
        try {
            Mqtt5PublishResult r = client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(utf8("x")).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode().getCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode().getCode();
        }
    }

    /** Test code run against a Paho MQTT 5 client (which is not AutoCloseable). */
    interface PahoV5Body {
        void run(org.eclipse.paho.mqttv5.client.MqttClient client) throws Exception;
    }

    static void withPaho5(int port, String clientId, PahoV5Body body) throws Exception {
        var c = new org.eclipse.paho.mqttv5.client.MqttClient("tcp://" + HOST + ":" + port, clientId,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        try {
            body.run(c);
        } finally {
            try {
                if (c.isConnected()) {
                    c.disconnect();
                }
            } catch (Exception ignored) {
                // cleanup only
            }
            c.close(true);
        }
    }

    static org.eclipse.paho.mqttv5.client.MqttConnectionOptions paho5Options() {
        var o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        o.setConnectionTimeout(5);
        return o;
    }

    static Mqtt5BlockingClient.Mqtt5Publishes publishes(Mqtt5BlockingClient client) {
        return client.publishes(MqttGlobalPublishFilter.ALL);
    }

    // ---- events ----

    /** Collects broker events for assertions. */
    static final class Events implements BrokerEventListener {
        final List<BrokerEvent> all = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(BrokerEvent event) {
            all.add(event);
        }

        <T extends BrokerEvent> List<T> of(Class<T> type) {
            List<T> out = new ArrayList<>();
            for (BrokerEvent e : all) {
                if (type.isInstance(e)) {
                    out.add(type.cast(e));
                }
            }
            return out;
        }

        <T extends BrokerEvent> T awaitOne(Class<T> type, String clientId) {
            assertThat(eventually(() -> of(type).stream().anyMatch(e -> e.clientId().equals(clientId))))
                    .as("a %s event for %s", type.getSimpleName(), clientId).isTrue();
            return of(type).stream().filter(e -> e.clientId().equals(clientId)).findFirst().orElseThrow();
        }
    }

    // ---- raw packets ----

    static MqttConnectMessage connect(MqttVersion version, String clientId, Consumer<MqttMessageBuilders.ConnectBuilder> more) {
        MqttMessageBuilders.ConnectBuilder b = MqttMessageBuilders.connect().protocolVersion(version)
                .clientId(clientId).cleanSession(true).keepAlive(60);
        more.accept(b);
        return b.build();
    }

    static MqttConnectMessage connect(MqttVersion version, String clientId) {
        return connect(version, clientId, b -> { });
    }

    /** An MQTT 5 CONNECT asking for enhanced authentication with {@code method}. */
    static MqttConnectMessage connectWithMethod(String clientId, String method, byte[] data) {
        return connect(MqttVersion.MQTT_5, clientId, b -> b.properties(authProperties(method, data)));
    }

    static MqttProperties authProperties(String method, byte[] data) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), method));
        if (data != null) {
            p.add(new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), data));
        }
        return p;
    }

    static MqttMessage auth(int reasonCode, String method, byte[] data) {
        return MqttMessageBuilders.auth().reasonCode((byte) reasonCode).properties(authProperties(method, data)).build();
    }

    static MqttMessage publishQos1(String topic, int packetId) {
        return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).messageId(packetId)
                .retained(false).payload(Unpooled.wrappedBuffer(utf8("x"))).build();
    }

    /** The next packet, which must be of {@code type}. */
    static MqttMessage expect(RawMqttClient c, MqttMessageType type) throws IOException {
        MqttMessage m = c.read(WAIT);
        assertThat(m).as("a %s from the broker", type).isNotNull();
        assertThat(m.fixedHeader().messageType()).as("packet type").isEqualTo(type);
        return m;
    }

    /** Read a CONNACK and return its return / reason code. */
    static int expectConnAck(RawMqttClient c) throws IOException {
        return connAckCode(expect(c, MqttMessageType.CONNACK));
    }

    static int connAckCode(MqttMessage m) {
        return ((MqttConnAckMessage) m).variableHeader().connectReturnCode().byteValue() & 0xFF;
    }

    static MqttProperties connAckProperties(MqttMessage m) {
        return ((MqttConnAckMessage) m).variableHeader().properties();
    }

    /** Reason code of an MQTT 5 DISCONNECT or AUTH. */
    static int reasonCode(MqttMessage m) {
        return ((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode() & 0xFF;
    }

    static MqttProperties reasonProperties(MqttMessage m) {
        return ((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).properties();
    }

    /** Reason code of an MQTT 5 PUBACK (0 when the broker sent the short form). */
    static int pubAckCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    static Optional<String> stringProperty(MqttProperties p, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> prop = p.getProperty(type.value());
        return prop == null ? Optional.empty() : Optional.of((String) prop.value());
    }

    static Optional<byte[]> binaryProperty(MqttProperties p, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> prop = p.getProperty(type.value());
        return prop == null ? Optional.empty() : Optional.of((byte[]) prop.value());
    }

    /** Hand-encoded CONNECT with an arbitrary protocol name and level (the codec refuses to build these). */
    static byte[] connectBytes(String protocolName, int level, String clientId) {
        return connectBytes(protocolName, level, 0x02, clientId);
    }

    /**
     * As {@link #connectBytes(String, int, String)} with explicit connect flags; {@code tail} is appended to the
     * payload after the client id, already encoded (e.g. a length-prefixed password).
     */
    static byte[] connectBytes(String protocolName, int level, int flags, String clientId, byte... tail) {
        byte[] name = utf8(protocolName);
        byte[] id = utf8(clientId);
        boolean v5 = level == 5;
        int remaining = 2 + name.length + 1 + 1 + 2 + (v5 ? 1 : 0) + 2 + id.length + tail.length;
        ByteBuffer b = ByteBuffer.allocate(2 + remaining);
        b.put((byte) 0x10).put((byte) remaining);
        b.putShort((short) name.length).put(name);
        b.put((byte) level).put((byte) flags).putShort((short) 60);
        if (v5) {
            b.put((byte) 0); // empty property list
        }
        b.putShort((short) id.length).put(id).put(tail);
        return b.array();
    }

    /** MQTT 3.1.1 packets encoded back to back, to send in one write (so the broker reads them together). */
    static byte[] encode311(MqttMessage... messages) {
        io.netty.channel.embedded.EmbeddedChannel ch =
                new io.netty.channel.embedded.EmbeddedChannel(io.netty.handler.codec.mqtt.MqttEncoder.INSTANCE);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            for (MqttMessage m : messages) {
                ch.writeOutbound(m);
                io.netty.buffer.ByteBuf b;
                while ((b = ch.readOutbound()) != null) {
                    out.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(b));
                    b.release();
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        return out.toByteArray();
    }
}

package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.ConnectionType;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.LiveConnections;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.testing.ManualClock;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The hooks between the broker and an authenticator beyond the decision itself: revoking live
 * connections, releasing every success exactly once, expiry by the broker's clock, and the
 * connection type in the request.
 */
class AuthenticatorHooksTest {

    /** Admits everyone whose user name is set, for an hour by the given clock, and records every hook call. */
    private static final class RecordingAuthenticator implements Authenticator {
        final AtomicReference<LiveConnections> live = new AtomicReference<>();
        final List<String> released = new CopyOnWriteArrayList<>();
        final BlockingQueue<AuthRequest> requests = new LinkedBlockingQueue<>();
        final java.time.Clock clock;
        volatile CompletableFuture<AuthDecision> pending;

        RecordingAuthenticator(java.time.Clock clock) {
            this.clock = clock;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void attach(LiveConnections connections) {
            live.set(connections);
        }

        @Override
        public CompletionStage<AuthDecision> authenticate(AuthRequest r) {
            requests.add(r);
            AuthDecision d = AuthDecision.success(r.username().orElse("?"), Permissions.allowAll(),
                    clock.instant().plus(Duration.ofHours(1)));
            CompletableFuture<AuthDecision> p = pending;
            if (p != null) {
                // Hold the answer until the test releases it.
                return p.thenApply(x -> d);
            }
            return CompletableFuture.completedFuture(d);
        }

        @Override
        public void connectionClosed(AuthRequest request, AuthDecision.Success admitted) {
            released.add(request.clientId());
        }
    }

    private static Mqtt5BlockingClient client(TestBroker b, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(b.port())
                .simpleAuth().username(id).applySimpleAuth().buildBlocking();
    }

    @Test
    void anAuthenticatorRevokesOnlyTheConnectionsItSelects() throws Exception {
        RecordingAuthenticator auth = new RecordingAuthenticator(java.time.Clock.systemUTC());
        try (TestBroker b = TestBroker.start(x -> x.authenticator(auth))) {
            assertThat(auth.live.get()).as("attached before the first client").isNotNull();
            try (RawMqttClient victim = connectRaw(b, "victim");
                 RawMqttClient bystander = connectRaw(b, "bystander")) {
                int n = auth.live.get().disconnect(c -> c.request().clientId().equals("victim"),
                        FailureReason.BANNED, "revoked in a refreshed account");
                assertThat(n).isEqualTo(1);
                MqttMessage m = victim.read(Duration.ofSeconds(5));
                assertThat(m).isNotNull();
                assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
                assertThat(((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode() & 0xFF)
                        .as("BANNED becomes 0x87 in a DISCONNECT").isEqualTo(0x87);
                assertThat(victim.closedWithin(Duration.ofSeconds(5))).isTrue();
                assertThat(bystander.read(Duration.ofMillis(300))).isNull();
                bystander.send(MqttMessageBuilders.publish().topicName("still/here").qos(MqttQoS.AT_LEAST_ONCE)
                        .messageId(1).payload(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)).build());
                MqttMessage ack = bystander.read(Duration.ofSeconds(5));
                assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
            }
            awaitReleased(auth, "victim");
            awaitReleased(auth, "bystander");
            assertThat(auth.released).containsOnlyOnce("victim", "bystander");
        }
    }

    @Test
    void aCredentialExpiresWhenTheBrokersClockSaysSoNotOnlyByRealTime() throws Exception {
        ManualClock clock = new ManualClock();
        RecordingAuthenticator auth = new RecordingAuthenticator(clock);
        try (TestBroker b = TestBroker.start(x -> x.authenticator(auth).clock(clock))) {
            try (RawMqttClient c = connectRaw(b, "timed")) {
                assertThat(c.read(Duration.ofMillis(300))).as("nothing before the clock moves").isNull();
                clock.advance(Duration.ofHours(2));
                MqttMessage m = c.read(Duration.ofSeconds(5));
                assertThat(m).isNotNull();
                assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
                assertThat(((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode() & 0xFF)
                        .isEqualTo(0xA0);
            }
        }
    }

    @Test
    void aSuccessThatArrivesAfterTheClientLeftIsStillReleased() throws Exception {
        RecordingAuthenticator auth = new RecordingAuthenticator(java.time.Clock.systemUTC());
        auth.pending = new CompletableFuture<>();
        try (TestBroker b = TestBroker.start(x -> x.authenticator(auth))) {
            RawMqttClient c = new RawMqttClient(b.port(), MqttVersion.MQTT_5);
            c.send(MqttMessageBuilders.connect().clientId("gone").protocolVersion(MqttVersion.MQTT_5)
                    .username("gone").build());
            assertThat(auth.requests.poll(5, TimeUnit.SECONDS)).isNotNull();
            c.close();
            Thread.sleep(200);
            auth.pending.complete(null);
            awaitReleased(auth, "gone");
            assertThat(auth.released).containsExactly("gone");
        }
    }

    @Test
    void theRequestSaysHowTheClientConnected() throws Exception {
        RecordingAuthenticator auth = new RecordingAuthenticator(java.time.Clock.systemUTC());
        try (TestBroker b = TestBroker.start(ListenerConfig.ws(TestBroker.LISTENER, "127.0.0.1", 0),
                x -> x.authenticator(auth))) {
            Mqtt5BlockingClient ws = MqttClient.builder().useMqttVersion5().identifier("ws").serverHost("127.0.0.1")
                    .serverPort(b.port()).webSocketConfig().serverPath("mqtt").applyWebSocketConfig()
                    .simpleAuth().username("ws").applySimpleAuth().buildBlocking();
            ws.connect();
            assertThat(auth.requests.poll(5, TimeUnit.SECONDS).connectionType()).isEqualTo(ConnectionType.WEBSOCKET);
            ws.disconnect();
        }
        try (TestBroker b = TestBroker.start(x -> x.authenticator(auth))) {
            Mqtt5BlockingClient tcp = client(b, "tcp");
            tcp.connect();
            assertThat(auth.requests.poll(5, TimeUnit.SECONDS).connectionType()).isEqualTo(ConnectionType.TCP);
            tcp.disconnect();
        }
    }

    @Test
    void replacingTheChainKeepsConnectedClientsAndAppliesToNewOnes() throws Exception {
        RecordingAuthenticator first = new RecordingAuthenticator(java.time.Clock.systemUTC());
        java.util.concurrent.atomic.AtomicBoolean firstClosed = new java.util.concurrent.atomic.AtomicBoolean();
        Authenticator closing = new Authenticator() {
            @Override
            public String name() {
                return "first";
            }

            @Override
            public CompletionStage<AuthDecision> authenticate(AuthRequest r) {
                return first.authenticate(r);
            }

            @Override
            public void close() {
                firstClosed.set(true);
            }
        };
        Authenticator refuseAll = new Authenticator() {
            @Override
            public String name() {
                return "second";
            }

            @Override
            public CompletionStage<AuthDecision> authenticate(AuthRequest r) {
                return CompletableFuture.completedFuture(AuthDecision.failure(FailureReason.NOT_AUTHORIZED, "reloaded"));
            }
        };
        try (TestBroker b = TestBroker.start(x -> x.authenticator(closing))) {
            try (RawMqttClient before = connectRaw(b, "before")) {
                b.broker().replaceAuthenticators(List.of(refuseAll), Permissions.denyAll());
                assertThat(firstClosed).isTrue();
                assertThat(b.broker().authenticators()).containsExactly(refuseAll);
                try (RawMqttClient after = new RawMqttClient(b.port(), MqttVersion.MQTT_5)) {
                    after.send(MqttMessageBuilders.connect().clientId("after").protocolVersion(MqttVersion.MQTT_5)
                            .username("after").build());
                    MqttMessage ack = after.read(Duration.ofSeconds(5));
                    assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
                    assertThat(((io.netty.handler.codec.mqtt.MqttConnAckMessage) ack).variableHeader()
                            .connectReturnCode().byteValue() & 0xFF).isEqualTo(0x87);
                }
                before.send(MqttMessageBuilders.publish().topicName("still/here").qos(MqttQoS.AT_LEAST_ONCE)
                        .messageId(1).payload(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)).build());
                assertThat(before.read(Duration.ofSeconds(5)).fixedHeader().messageType())
                        .isEqualTo(MqttMessageType.PUBACK);
            }
        }
    }

    private static RawMqttClient connectRaw(TestBroker b, String id) throws Exception {
        RawMqttClient c = new RawMqttClient(b.port(), MqttVersion.MQTT_5);
        c.send(MqttMessageBuilders.connect().clientId(id).protocolVersion(MqttVersion.MQTT_5).username(id).build());
        MqttMessage ack = c.read(Duration.ofSeconds(5));
        assertThat(ack).isNotNull();
        assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        return c;
    }

    private static void awaitReleased(RecordingAuthenticator auth, String clientId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!auth.released.contains(clientId) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(auth.released).contains(clientId);
    }
}

package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.PermissionTestSupport.WAIT;
import static dev.gatehouse.broker.it.PermissionTestSupport.admitting;
import static dev.gatehouse.broker.it.PermissionTestSupport.awaitDisconnected;
import static dev.gatehouse.broker.it.PermissionTestSupport.disconnectCode;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawConnect;
import static dev.gatehouse.broker.it.PermissionTestSupport.readType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.BrokerEventListener;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.it.PermissionTestSupport.ClientKind;
import dev.gatehouse.broker.it.PermissionTestSupport.GrantingAuthenticator;
import dev.gatehouse.broker.it.PermissionTestSupport.Received;
import dev.gatehouse.broker.it.PermissionTestSupport.TestClient;
import dev.gatehouse.broker.testing.RawMqttClient;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The embedding API: lifecycle, bound ports, graceful stop, in-JVM publish, events and validation. */
class EmbeddingApiTest {
    private final List<Broker> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(b -> b.stop().orTimeout(5, TimeUnit.SECONDS).join());
    }

    /** A built (not started) broker with one loopback listener {@code main} admitting everyone to everything. */
    private Broker.Builder builder() {
        return Broker.builder()
                .listener(ListenerConfig.tcp("main", "127.0.0.1", 0))
                .authenticator(admitting(Permissions.allowAll()))
                .ioThreads(2);
    }

    private Broker start(Broker.Builder b) {
        Broker broker = b.build();
        started.add(broker);
        broker.start().orTimeout(10, TimeUnit.SECONDS).join();
        return broker;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- lifecycle ----

    @Test
    void portZeroIsReadableAfterStart() throws Exception {
        Broker broker = builder().build();
        started.add(broker);
        assertThat(broker.boundAddresses()).as("nothing bound before start").isEmpty();

        assertThat(broker.start().get(10, TimeUnit.SECONDS)).isSameAs(broker);
        InetSocketAddress a = broker.boundAddresses().get("main");
        assertThat(broker.boundAddresses()).containsOnlyKeys("main");
        assertThat(a.getAddress().isLoopbackAddress()).isTrue();
        assertThat(a.getPort()).isPositive();
        assertThat(broker.port("main")).isEqualTo(a.getPort());
        assertThatThrownBy(() -> broker.port("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
        try (TestClient c = ClientKind.HIVEMQ_5.connect(broker.port("main"), "c1", "u")) {
            assertThat(c.connected()).isTrue();
        }
    }

    @Test
    void startingTwiceFails() {
        Broker broker = start(builder());
        CompletableFuture<Broker> again = broker.start();
        assertThatThrownBy(() -> again.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(broker.boundAddresses()).as("the running broker is untouched").containsKey("main");
    }

    @Test
    void stopIsIdempotentAndClosesTheListener() throws Exception {
        Broker broker = start(builder());
        int port = broker.port("main");
        CompletableFuture<Void> first = broker.stop();
        CompletableFuture<Void> second = broker.stop();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        broker.stop().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .as("nothing listens any more").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> broker.start().get(5, TimeUnit.SECONDS)).as("a stopped broker does not restart")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> broker.publish("x", utf8("x"), 0, false).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void stopBeforeStartCompletes() throws Exception {
        Broker broker = builder().build();
        broker.stop().get(10, TimeUnit.SECONDS);
        broker.stop().get(10, TimeUnit.SECONDS);
        assertThat(broker.boundAddresses()).isEmpty();
    }

    @Test
    void gracefulStopTellsMqtt5ClientsAndClosesMqtt3Connections() throws Exception {
        List<BrokerEvent.ClientDisconnected> gone = new CopyOnWriteArrayList<>();
        Broker broker = start(builder().eventListener(e -> {
            if (e instanceof BrokerEvent.ClientDisconnected d) {
                gone.add(d);
            }
        }));
        int port = broker.port("main");
        AtomicReference<Throwable> hiveCause = new AtomicReference<>();
        AtomicReference<MqttDisconnectSource> hiveSource = new AtomicReference<>();
        CompletableFuture<Void> hiveGone = new CompletableFuture<>();
        Mqtt5BlockingClient hive = MqttClient.builder().useMqttVersion5().identifier("hive5")
                .serverHost("127.0.0.1").serverPort(port)
                .addDisconnectedListener(ctx -> {
                    hiveCause.set(ctx.getCause());
                    hiveSource.set(ctx.getSource());
                    hiveGone.complete(null);
                })
                .buildBlocking();
        hive.connectWith().simpleAuth().username("u").password(utf8("p")).applySimpleAuth().send();
        try (RawMqttClient raw5 = rawConnect(port, io.netty.handler.codec.mqtt.MqttVersion.MQTT_5, "raw5", "u");
             RawMqttClient raw3 = rawConnect(port, io.netty.handler.codec.mqtt.MqttVersion.MQTT_3_1_1, "raw3", "u");
             TestClient paho3 = ClientKind.PAHO_3.connect(port, "paho3", "u")) {
            broker.stop().get(10, TimeUnit.SECONDS);

            MqttMessage d = readType(raw5, MqttMessageType.DISCONNECT);
            assertThat(d).as("MQTT 5 DISCONNECT").isNotNull();
            assertThat(disconnectCode(d)).as("Server shutting down").isEqualTo(0x8B);
            assertThat(raw5.closedWithin(WAIT)).isTrue();

            MqttMessage any = raw3.read(WAIT);
            assertThat(any).as("MQTT 3.1.1 has no server DISCONNECT: the connection just closes").isNull();
            assertThat(raw3.closedWithin(WAIT)).isTrue();

            hiveGone.get(10, TimeUnit.SECONDS);
            assertThat(hiveSource.get()).isEqualTo(MqttDisconnectSource.SERVER);
            assertThat(hiveCause.get()).isInstanceOf(Mqtt5DisconnectException.class);
            assertThat(((Mqtt5DisconnectException) hiveCause.get()).getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
            awaitDisconnected(paho3);
        }
        assertThat(gone).extracting(BrokerEvent.ClientDisconnected::clientId)
                .contains("hive5", "raw5", "raw3", "paho3");
    }

    // ---- publish from the JVM ----

    @Test
    void publishFromTheJvmReachesSubscribersAndRetains() throws Exception {
        Broker broker = start(builder());
        int port = broker.port("main");
        try (TestClient hive = ClientKind.HIVEMQ_5.connect(port, "hive", "u");
             TestClient paho = ClientKind.PAHO_3.connect(port, "paho", "u")) {
            assertThat(hive.subscribe(1, "emb/#")).containsExactly(1);
            assertThat(paho.subscribe(1, "emb/live")).containsExactly(1);

            assertThat(broker.publish("emb/live", utf8("hello"), 1, false).get(5, TimeUnit.SECONDS))
                    .as("queued for both sessions").isEqualTo(2);
            assertThat(hive.inbox().awaitTopic("emb/live")).contains(new Received("emb/live", "hello", false));
            assertThat(paho.inbox().awaitTopic("emb/live")).contains(new Received("emb/live", "hello", false));

            int retainedBefore = broker.retainedCount();
            broker.publish("emb/kept", utf8("stay"), 1, true).get(5, TimeUnit.SECONDS);
            assertThat(broker.retainedCount()).isEqualTo(retainedBefore + 1);
        }
        for (ClientKind kind : ClientKind.values()) {
            try (TestClient late = kind.connect(port, "late-" + kind, "u")) {
                late.subscribe(1, "emb/kept");
                assertThat(late.inbox().awaitTopic("emb/kept")).as("retained for %s", kind)
                        .contains(new Received("emb/kept", "stay", true));
            }
        }
    }

    @Test
    void publishToAnInvalidTopicFailsTheFuture() {
        Broker broker = start(builder());
        for (String topic : List.of("a/+", "a/#", "#", "")) {
            CompletableFuture<Integer> f = broker.publish(topic, utf8("x"), 0, false);
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).as("topic '%s'", topic)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
        assertThat(broker.retainedCount()).isZero();
    }

    // ---- events ----

    @Test
    void eventListenersFromBuilderAndAddEventListenerSeeConnectsAndDisconnects() throws Exception {
        Instant fixed = Instant.parse("2030-01-02T03:04:05Z");
        List<BrokerEvent> fromBuilder = new CopyOnWriteArrayList<>();
        List<BrokerEvent> added = new CopyOnWriteArrayList<>();
        GrantingAuthenticator auth = new GrantingAuthenticator().grant("alice", Permissions.allowAll());
        Broker broker = start(Broker.builder()
                .listener(ListenerConfig.tcp("main", "127.0.0.1", 0))
                .authenticator(auth)
                .clock(Clock.fixed(fixed, ZoneOffset.UTC))
                .eventListener(fromBuilder::add));
        BrokerEventListener second = added::add;
        broker.addEventListener(second);
        int port = broker.port("main");

        try (TestClient c = ClientKind.HIVEMQ_5.connect(port, "ev5", "alice");
             TestClient d = ClientKind.PAHO_3.connect(port, "ev3", "alice")) {
            assertThat(c.connected() && d.connected()).isTrue();
        }
        assertThatThrownBy(() -> ClientKind.HIVEMQ_5.connect(port, "evil", "mallory", "not-the-password"))
                .as("no grant for mallory").isInstanceOf(Exception.class);

        for (List<BrokerEvent> events : List.of(fromBuilder, added)) {
            await(events, e -> e instanceof BrokerEvent.ClientDisconnected x && x.clientId().equals("ev3"));
            await(events, e -> e instanceof BrokerEvent.AuthenticationFailed);
            BrokerEvent.ClientConnected v5 = only(events, BrokerEvent.ClientConnected.class, "ev5");
            assertThat(v5.version()).isEqualTo(MqttVersion.V5);
            assertThat(v5.listener()).isEqualTo("main");
            assertThat(v5.principal()).isEqualTo("alice");
            assertThat(v5.authenticator()).isEqualTo("granting");
            assertThat(v5.sessionPresent()).isFalse();
            assertThat(v5.at()).as("stamped by the broker's clock").isEqualTo(fixed);
            assertThat(only(events, BrokerEvent.ClientConnected.class, "ev3").version()).isEqualTo(MqttVersion.V3_1_1);
            BrokerEvent.ClientDisconnected bye = only(events, BrokerEvent.ClientDisconnected.class, "ev5");
            assertThat(bye.reason()).contains("DISCONNECT");
            assertThat(bye.willPublished()).isFalse();
            BrokerEvent.AuthenticationFailed failed = only(events, BrokerEvent.AuthenticationFailed.class, "evil");
            assertThat(failed.reason()).isEqualTo(FailureReason.NOT_AUTHORIZED);
            assertThat(failed.authenticator()).isEqualTo("granting");
            assertThat(failed.listener()).isEqualTo("main");
            assertThat(failed.message()).doesNotContain("not-the-password");
        }

        broker.removeEventListener(second);
        int before = added.size();
        try (TestClient c = ClientKind.HIVEMQ_5.connect(port, "after", "alice")) {
            await(fromBuilder, e -> e instanceof BrokerEvent.ClientConnected x && x.clientId().equals("after"));
        }
        assertThat(added).as("a removed listener hears nothing more").hasSize(before);
    }

    @Test
    void throwingListenerDoesNotBreakTheBroker() throws Exception {
        List<BrokerEvent> events = new CopyOnWriteArrayList<>();
        Broker broker = start(builder()
                .eventListener(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .eventListener(events::add));
        broker.addEventListener(e -> {
            throw new RuntimeException("another listener bug");
        });
        int port = broker.port("main");
        try (TestClient sub = ClientKind.HIVEMQ_5.connect(port, "sub", "u");
             TestClient pub = ClientKind.HIVEMQ_3.connect(port, "pub", "u")) {
            sub.subscribe(1, "t");
            pub.publish("t", 1, false, "works");
            assertThat(sub.inbox().awaitTopic("t")).extracting(Received::payload).contains("works");
        }
        await(events, e -> e instanceof BrokerEvent.ClientDisconnected x && x.clientId().equals("pub"));
        assertThat(events).filteredOn(e -> e instanceof BrokerEvent.ClientConnected)
                .extracting(BrokerEvent::clientId).contains("sub", "pub");
    }

    // ---- binding ----

    @Test
    void portInUseFailsStartNamingTheListenerAndReleasesTheOthers() throws Exception {
        int freePort;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            freePort = probe.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Broker broker = Broker.builder()
                    .listener(ListenerConfig.tcp("fine", "127.0.0.1", freePort))
                    .listener(ListenerConfig.tcp("busy-one", "127.0.0.1", taken.getLocalPort()))
                    .build();
            started.add(broker);
            assertThatThrownBy(() -> broker.start().get(5, TimeUnit.SECONDS))
                    .as("start() completes exceptionally (a TimeoutException means it hung)")
                    .isInstanceOf(ExecutionException.class)
                    .cause().hasMessageContaining("busy-one");
            assertThat(broker.boundAddresses()).isEmpty();
            try (ServerSocket again = new ServerSocket(freePort, 50, InetAddress.getLoopbackAddress())) {
                assertThat(again.getLocalPort()).as("the listener that did bind was released").isEqualTo(freePort);
            }
        }
    }

    @Test
    void twoListenersOnOneBrokerBothServe() throws Exception {
        List<AuthRequest> requests = new CopyOnWriteArrayList<>();
        List<BrokerEvent> events = new CopyOnWriteArrayList<>();
        Broker broker = start(Broker.builder()
                .listener(ListenerConfig.tcp("one", "127.0.0.1", 0))
                .listener(ListenerConfig.tcp("two", "127.0.0.1", 0))
                .authenticator(admitting(r -> {
                    requests.add(r);
                    return Permissions.allowAll();
                }))
                .eventListener(events::add));
        assertThat(broker.boundAddresses()).containsOnlyKeys("one", "two");
        assertThat(broker.port("one")).isNotEqualTo(broker.port("two"));

        try (TestClient sub = ClientKind.HIVEMQ_5.connect(broker.port("one"), "on-one", "u");
             TestClient pub = ClientKind.PAHO_3.connect(broker.port("two"), "on-two", "u")) {
            sub.subscribe(1, "across");
            pub.publish("across", 1, false, "from two");
            assertThat(sub.inbox().awaitTopic("across")).extracting(Received::payload).contains("from two");
        }
        assertThat(requests).extracting(AuthRequest::clientId, AuthRequest::listenerName)
                .contains(org.assertj.core.groups.Tuple.tuple("on-one", "one"),
                        org.assertj.core.groups.Tuple.tuple("on-two", "two"));
        assertThat(only(events, BrokerEvent.ClientConnected.class, "on-two").listener()).isEqualTo("two");
    }

    @Test
    void eachListenerAppliesItsOwnAnonymousPolicyAndPermissions() throws Exception {
        Broker broker = start(Broker.builder()
                .listener(ListenerConfig.tcp("closed", "127.0.0.1", 0))
                .listener(ListenerConfig.tcp("readonly", "127.0.0.1", 0).withAnonymous(AnonymousAccess.ALLOW)
                        .withAnonymousPermissions(Permissions.builder().allow(Action.SUBSCRIBE, "#").build()))
                .listener(ListenerConfig.tcp("default", "127.0.0.1", 0).withAnonymous(AnonymousAccess.ALLOW))
                .defaultPermissions(Permissions.builder().allow(Action.ALL, "public/#").build()));
        for (io.netty.handler.codec.mqtt.MqttVersion v : List.of(io.netty.handler.codec.mqtt.MqttVersion.MQTT_3_1_1,
                io.netty.handler.codec.mqtt.MqttVersion.MQTT_5)) {
            boolean v5 = v == io.netty.handler.codec.mqtt.MqttVersion.MQTT_5;
            try (RawMqttClient refused = new RawMqttClient(broker.port("closed"), v)) {
                refused.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.connect().protocolVersion(v)
                        .clientId("anon-" + v).cleanSession(true).build());
                MqttMessage ack = readType(refused, MqttMessageType.CONNACK);
                assertThat(ack).isNotNull();
                assertThat(((io.netty.handler.codec.mqtt.MqttConnAckMessage) ack).variableHeader()
                        .connectReturnCode().byteValue() & 0xFF).as("not authorized").isEqualTo(v5 ? 0x87 : 5);
            }
            int denied = v5 ? 0x87 : 0x80;
            try (RawMqttClient ro = rawConnect(broker.port("readonly"), v, "ro-" + v, null);
                 RawMqttClient dflt = rawConnect(broker.port("default"), v, "dflt-" + v, null)) {
                assertThat(PermissionTestSupport.rawSubscribe(ro, 1, 0, "anything/#")).containsExactly(0);
                assertThat(PermissionTestSupport.rawSubscribe(dflt, 1, 0, "anything/#", "public/#"))
                        .as("the broker's default permissions").containsExactly(denied, 0);
                if (v5) {
                    assertThat(PermissionTestSupport.rawPublish(ro, "anything/x", 1, false, 2)).isEqualTo(0x87);
                    assertThat(PermissionTestSupport.rawPublish(dflt, "public/x", 1, false, 2)).isLessThan(0x80);
                }
            }
        }
    }

    // ---- validation ----

    @Test
    void limitsRejectBadValuesNamingTheField() {
        Limits d = Limits.defaults();
        expectInvalid(() -> d.withMaxPacketSize(0), "maxPacketSize");
        expectInvalid(() -> d.withMaxClientIdLength(0), "maxClientIdLength");
        expectInvalid(() -> d.withReceiveMaximum(0), "receiveMaximum");
        expectInvalid(() -> d.withReceiveMaximum(65536), "receiveMaximum");
        expectInvalid(() -> d.withMaxInflight(0), "maxInflight");
        expectInvalid(() -> d.withMaxQueuedMessages(0), "maxQueuedMessages");
        expectInvalid(() -> d.withMaxRetainedMessages(-1), "maxRetainedMessages");
        expectInvalid(() -> d.withTopicAliasMaximum(-1), "topicAliasMaximum");
        expectInvalid(() -> d.withServerKeepAlive(-1), "serverKeepAlive");
        expectInvalid(() -> d.withServerKeepAlive(65536), "serverKeepAlive");
        expectInvalid(() -> d.withMaxSessionExpiry(Duration.ofSeconds(-1)), "maxSessionExpiry");
        expectInvalid(() -> d.withConnectTimeout(Duration.ZERO), "timeout");
        expectInvalid(() -> d.withAuthTimeout(Duration.ofSeconds(-1)), "timeout");
        assertThatThrownBy(() -> d.withConnectTimeout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> d.withDeniedPublishAction(null)).isInstanceOf(NullPointerException.class);

        assertThat(d.withReceiveMaximum(65535).withTopicAliasMaximum(0).withServerKeepAlive(0).receiveMaximum())
                .as("the edges are valid").isEqualTo(65535);
    }

    @Test
    void builderAndListenerConfigRejectBadValues() {
        expectInvalid(() -> ListenerConfig.tcp("x", "127.0.0.1", 65536), "port");
        expectInvalid(() -> ListenerConfig.tcp("x", "127.0.0.1", -1), "port");
        expectInvalid(() -> Broker.builder().ioThreads(0), "ioThreads");
        assertThatThrownBy(() -> Broker.builder().build()).as("no listener").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Broker.builder()
                .listener(ListenerConfig.tcp("same", "127.0.0.1", 0))
                .listener(ListenerConfig.tcp("same", "127.0.0.1", 0))
                .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("unique");
    }

    // ---- helpers ----

    private static void expectInvalid(ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(field);
    }

    private static void await(List<BrokerEvent> events, Predicate<BrokerEvent> what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.stream().noneMatch(what) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(events).as("events").anyMatch(what);
    }

    /** The single event of {@code type} for {@code clientId}. */
    private static <T extends BrokerEvent> T only(List<BrokerEvent> events, Class<T> type, String clientId) {
        List<T> matching = events.stream().filter(type::isInstance).map(type::cast)
                .filter(e -> e.clientId().equals(clientId)).toList();
        assertThat(matching).as("%s for %s in %s", type.getSimpleName(), clientId, events).hasSize(1);
        return matching.get(0);
    }
}

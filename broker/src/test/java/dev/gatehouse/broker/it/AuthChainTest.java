package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.AuthTestSupport.HOST;
import static dev.gatehouse.broker.it.AuthTestSupport.WAIT;
import static dev.gatehouse.broker.it.AuthTestSupport.answering;
import static dev.gatehouse.broker.it.AuthTestSupport.connect;
import static dev.gatehouse.broker.it.AuthTestSupport.deciding;
import static dev.gatehouse.broker.it.AuthTestSupport.eventually;
import static dev.gatehouse.broker.it.AuthTestSupport.expect;
import static dev.gatehouse.broker.it.AuthTestSupport.expectConnAck;
import static dev.gatehouse.broker.it.AuthTestSupport.hive3;
import static dev.gatehouse.broker.it.AuthTestSupport.hive5;
import static dev.gatehouse.broker.it.AuthTestSupport.paho5Options;
import static dev.gatehouse.broker.it.AuthTestSupport.pubAckCode;
import static dev.gatehouse.broker.it.AuthTestSupport.publishQos1;
import static dev.gatehouse.broker.it.AuthTestSupport.uniqueId;
import static dev.gatehouse.broker.it.AuthTestSupport.utf8;
import static dev.gatehouse.broker.it.AuthTestSupport.withPaho5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.authn.spi.UserProperty;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.it.AuthTestSupport.Events;
import dev.gatehouse.broker.it.AuthTestSupport.Scripted;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The authenticator chain on CONNECT: order, abstain, the first decision wins, failure reasons on the
 * wire, broken and slow authenticators, the auth timeout, the anonymous policy, what an authenticator
 * is told, and the events and log lines that come out of it.
 */
class AuthChainTest {
    private static final Duration SHORT = Duration.ofMillis(200);
    /** Netty's protocol versions, for raw clients (the SPI's {@link MqttVersion} is what authenticators see). */
    private static final io.netty.handler.codec.mqtt.MqttVersion WIRE_311 = io.netty.handler.codec.mqtt.MqttVersion.MQTT_3_1_1;
    private static final io.netty.handler.codec.mqtt.MqttVersion WIRE_5 = io.netty.handler.codec.mqtt.MqttVersion.MQTT_5;

    private final List<TestBroker> brokers = new ArrayList<>();
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);

    @AfterEach
    void tearDown() {
        Collections.reverse(brokers);
        brokers.forEach(TestBroker::close);
        executor.shutdownNow();
    }

    private TestBroker start(ListenerConfig listener, Consumer<Broker.Builder> customize) {
        TestBroker b = TestBroker.start(listener, customize);
        brokers.add(b);
        return b;
    }

    private TestBroker start(Consumer<Broker.Builder> customize) {
        return start(ListenerConfig.tcp(TestBroker.LISTENER, HOST, 0), customize);
    }

    private static ListenerConfig listener(AnonymousAccess access) {
        return ListenerConfig.tcp(TestBroker.LISTENER, HOST, 0).withAnonymous(access)
                .withAnonymousPermissions(Permissions.allowAll());
    }

    private static AuthDecision admit(String principal) {
        return AuthDecision.success(principal, Permissions.allowAll());
    }

    // ---- connecting with each client; each returns the CONNACK code (0 = admitted, then disconnected) ----

    private static int hiveV3(TestBroker b, String username, byte[] password) {
        Mqtt3BlockingClient c = hive3(b.port(), uniqueId("h3"));
        try {
            c.connectWith().simpleAuth().username(username).password(password).applySimpleAuth().send();
            c.disconnect();
            return 0;
        } catch (Mqtt3ConnAckException e) {
            return e.getMqttMessage().getReturnCode().getCode();
        }
    }

    private static int hiveV5(TestBroker b, String username, byte[] password) {
        Mqtt5BlockingClient c = hive5(b.port(), uniqueId("h5")).buildBlocking();
        try {
            c.connectWith().simpleAuth().username(username).password(password).applySimpleAuth().send();
            c.disconnect();
            return 0;
        } catch (Mqtt5ConnAckException e) {
            return e.getMqttMessage().getReasonCode().getCode();
        }
    }

    private static int pahoV3(TestBroker b, int mqttVersion, String username, String password) throws Exception {
        try (var c = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://" + HOST + ":" + b.port(),
                uniqueId("p3"), new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence())) {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(mqttVersion);
            o.setConnectionTimeout(5);
            o.setUserName(username);
            o.setPassword(password.toCharArray());
            try {
                c.connect(o);
                c.disconnect();
                return 0;
            } catch (MqttException e) {
                return e.getReasonCode();
            }
        }
    }

    private static int pahoV5(TestBroker b, String username, String password) throws Exception {
        int[] code = new int[1];
        withPaho5(b.port(), uniqueId("p5"), c -> {
            var o = paho5Options();
            o.setUserName(username);
            o.setPassword(utf8(password));
            try {
                c.connect(o);
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                code[0] = e.getReasonCode();
            }
        });
        return code[0];
    }

    // ---- order and the first decision ----

    @Test
    void authenticatorsAreAskedInOrderAndAbstainPassesOn() {
        List<String> journal = new CopyOnWriteArrayList<>();
        Scripted first = deciding("first", journal, AuthDecision.abstain());
        Scripted second = deciding("second", journal, AuthDecision.abstain());
        Scripted third = deciding("third", journal, admit("p3"));
        Scripted fourth = deciding("fourth", journal, admit("p4"));
        Events events = new Events();
        TestBroker b = start(x -> x.authenticator(first).authenticator(second).authenticator(third)
                .authenticator(fourth).eventListener(events));

        Mqtt5BlockingClient c = hive5(b.port(), uniqueId("order")).buildBlocking();
        c.connect();
        String id = c.getConfig().getClientIdentifier().orElseThrow().toString();
        c.disconnect();

        assertThat(journal).containsExactly("first", "second", "third");
        BrokerEvent.ClientConnected connected = events.awaitOne(BrokerEvent.ClientConnected.class, id);
        assertThat(connected.authenticator()).isEqualTo("third");
        assertThat(connected.principal()).isEqualTo("p3");
    }

    @Test
    void firstFailureDecidesEvenIfALaterAuthenticatorWouldAdmit() {
        List<String> journal = new CopyOnWriteArrayList<>();
        Scripted refuser = deciding("refuser", journal, AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "no"));
        Scripted admitter = deciding("admitter", journal, admit("someone"));
        TestBroker b = start(x -> x.authenticator(refuser).authenticator(admitter));

        assertThat(hiveV3(b, "u", utf8("p"))).isEqualTo(4);
        assertThat(hiveV5(b, "u", utf8("p"))).isEqualTo(0x86);
        assertThat(journal).containsOnly("refuser");
    }

    @Test
    void firstSuccessDecidesEvenIfALaterAuthenticatorWouldRefuse() {
        List<String> journal = new CopyOnWriteArrayList<>();
        Scripted admitter = deciding("admitter", journal, admit("someone"));
        Scripted refuser = deciding("refuser", journal, AuthDecision.failure(FailureReason.BANNED, "no"));
        TestBroker b = start(x -> x.authenticator(admitter).authenticator(refuser));

        assertThat(hiveV3(b, "u", utf8("p"))).isZero();
        assertThat(hiveV5(b, "u", utf8("p"))).isZero();
        assertThat(journal).containsOnly("admitter");
    }

    // ---- failure reasons on the wire ----

    @ParameterizedTest(name = "{0} -> 3.1.1 code {1}, 5.0 reason {2}")
    @CsvSource({"BAD_CREDENTIALS, 4, 134", "NOT_AUTHORIZED, 5, 135", "SERVER_UNAVAILABLE, 3, 136", "BANNED, 5, 138"})
    void failureReasonMapsToTheReturnCodeOfEachProtocol(FailureReason reason, int v3Code, int v5Code) throws Exception {
        TestBroker b = start(x -> x.authenticator(deciding("refuser", r -> AuthDecision.failure(reason, "test"))));

        assertThat(hiveV3(b, "u", utf8("p"))).as("HiveMQ 3.1.1").isEqualTo(v3Code);
        assertThat(pahoV3(b, MqttConnectOptions.MQTT_VERSION_3_1_1, "u", "p")).as("Paho 3.1.1").isEqualTo(v3Code);
        assertThat(pahoV3(b, MqttConnectOptions.MQTT_VERSION_3_1, "u", "p")).as("Paho 3.1").isEqualTo(v3Code);
        assertThat(hiveV5(b, "u", utf8("p"))).as("HiveMQ 5").isEqualTo(v5Code);
        assertThat(pahoV5(b, "u", "p")).as("Paho 5").isEqualTo(v5Code);
        try (RawMqttClient raw = new RawMqttClient(b.port(), WIRE_5)) {
            raw.send(connect(WIRE_5, uniqueId("raw")));
            assertThat(expectConnAck(raw)).as("raw 5").isEqualTo(v5Code);
            assertThat(raw.closedWithin(WAIT)).isTrue();
        }
    }

    // ---- broken authenticators never admit ----

    enum Breakage {
        THROWS, FAILED_STAGE, NULL_STAGE, COMPLETES_WITH_NULL, FAILS_LATER_ON_ANOTHER_THREAD
    }

    private CompletionStage<AuthDecision> broken(Breakage how) {
        return switch (how) {
            case THROWS -> throw new IllegalStateException("authenticator bug");
            case FAILED_STAGE -> CompletableFuture.failedFuture(new IllegalStateException("backend down"));
            case NULL_STAGE -> null;
            case COMPLETES_WITH_NULL -> CompletableFuture.completedFuture(null);
            case FAILS_LATER_ON_ANOTHER_THREAD -> {
                CompletableFuture<AuthDecision> f = new CompletableFuture<>();
                executor.schedule(() -> f.completeExceptionally(new IllegalStateException("timeout upstream")),
                        50, TimeUnit.MILLISECONDS);
                yield f;
            }
        };
    }

    @ParameterizedTest
    @EnumSource(Breakage.class)
    void brokenAuthenticatorRefusesAsServerUnavailableAndNeverAdmits(Breakage how) {
        List<String> journal = new CopyOnWriteArrayList<>();
        Scripted admitter = deciding("admitter", journal, admit("someone"));
        Events events = new Events();
        TestBroker b = start(listener(AnonymousAccess.ALLOW), x -> x.authenticator(answering("broken", r -> broken(how)))
                .authenticator(admitter).eventListener(events));

        assertThat(hiveV3(b, "u", utf8("p"))).isEqualTo(3);
        assertThat(hiveV5(b, "u", utf8("p"))).isEqualTo(0x88);
        // Neither the next authenticator nor the (permissive) anonymous policy may step in.
        assertThat(journal).isEmpty();
        assertThat(events.of(BrokerEvent.ClientConnected.class)).isEmpty();
        assertThat(eventually(() -> events.of(BrokerEvent.AuthenticationFailed.class).size() == 2)).isTrue();
        assertThat(events.of(BrokerEvent.AuthenticationFailed.class))
                .allSatisfy(e -> assertThat(e.reason()).isEqualTo(FailureReason.SERVER_UNAVAILABLE));
    }

    // ---- everyone abstains: the listener's anonymous policy ----

    @Test
    void allAbstainWithTheDefaultPolicyRefusesAsNotAuthorized() throws Exception {
        TestBroker b = start(x -> x.authenticator(deciding("shy", r -> AuthDecision.abstain())));

        assertThat(hiveV3(b, "u", utf8("p"))).isEqualTo(5);
        assertThat(pahoV3(b, MqttConnectOptions.MQTT_VERSION_3_1_1, "u", "p")).isEqualTo(5);
        assertThat(hiveV5(b, "u", utf8("p"))).isEqualTo(0x87);
        assertThat(pahoV5(b, "u", "p")).isEqualTo(0x87);
    }

    @Test
    void noAuthenticatorsAtAllAndDefaultPolicyRefuses() {
        TestBroker b = start(x -> { });
        Mqtt3BlockingClient c = hive3(b.port(), uniqueId("nobody"));
        Mqtt3ConnAckException e = catchThrowableOfType(c::connect, Mqtt3ConnAckException.class);
        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    @Test
    void allAbstainWithAllowAdmitsAsAnonymous() throws Exception {
        Events events = new Events();
        TestBroker b = start(listener(AnonymousAccess.ALLOW),
                x -> x.authenticator(deciding("shy", r -> AuthDecision.abstain())).eventListener(events));

        assertThat(hiveV3(b, "u", utf8("p"))).isZero();
        assertThat(hiveV5(b, "u", utf8("p"))).isZero();
        assertThat(pahoV3(b, MqttConnectOptions.MQTT_VERSION_3_1, "u", "p")).isZero();
        assertThat(pahoV5(b, "u", "p")).isZero();
        assertThat(eventually(() -> events.of(BrokerEvent.ClientConnected.class).size() == 4)).isTrue();
        assertThat(events.of(BrokerEvent.ClientConnected.class)).allSatisfy(e -> {
            assertThat(e.principal()).isEqualTo("anonymous");
            assertThat(e.authenticator()).isEqualTo("anonymous");
        });
    }

    @Test
    void loopbackOnlyAdmitsAClientFromLoopback() {
        TestBroker b = start(listener(AnonymousAccess.LOOPBACK_ONLY), x -> { });
        assertThat(hiveV3(b, "u", utf8("p"))).isZero();
        assertThat(hiveV5(b, "u", utf8("p"))).isZero();
    }

    @Test
    void anonymousClientsGetTheListenersAnonymousPermissions() {
        Permissions anonymous = Permissions.builder().allow(Action.PUBLISH, "anon/#").build();
        TestBroker b = start(ListenerConfig.tcp(TestBroker.LISTENER, HOST, 0).withAnonymous(AnonymousAccess.ALLOW)
                .withAnonymousPermissions(anonymous), x -> { });
        Mqtt5BlockingClient c = hive5(b.port(), uniqueId("anon")).buildBlocking();
        c.connect();
        assertThat(pubAckCode(c, "anon/1")).isLessThan(0x80);
        assertThat(pubAckCode(c, "other/1")).isEqualTo(0x87);
        c.disconnect();
    }

    // ---- asynchronous and slow authenticators ----

    @Test
    void authenticatorAnsweringLaterFromAnotherThreadAdmits() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        TestBroker b = start(x -> x.authenticator(answering("slow", r -> {
            CompletableFuture<AuthDecision> f = new CompletableFuture<>();
            executor.schedule(() -> {
                threads.add(Thread.currentThread().getName());
                f.complete(admit("late:" + r.username().orElse("")));
            }, SHORT.toMillis(), TimeUnit.MILLISECONDS);
            return f;
        })));

        assertThat(hiveV3(b, "u", utf8("p"))).isZero();
        assertThat(hiveV5(b, "u", utf8("p"))).isZero();
        assertThat(pahoV3(b, MqttConnectOptions.MQTT_VERSION_3_1_1, "u", "p")).isZero();
        assertThat(pahoV5(b, "u", "p")).isZero();
        assertThat(threads).hasSize(4);
    }

    @Test
    void pendingAuthenticationDoesNotBlockOtherClients() throws Exception {
        CompletableFuture<AuthDecision> gate = new CompletableFuture<>();
        // One I/O thread: if the broker waited for the pending answer, nobody else could connect.
        TestBroker b = start(x -> x.ioThreads(1).authenticator(answering("gated",
                r -> r.username().orElse("").equals("slow") ? gate : CompletableFuture.completedFuture(admit("fast")))));

        try (RawMqttClient slow = new RawMqttClient(b.port(), WIRE_311)) {
            slow.send(connect(WIRE_311, uniqueId("slow"),
                    c -> c.hasUser(true).username("slow")));
            assertThat(eventually(() -> !gate.isDone() && b.broker().connectionCount() == 0)).isTrue();

            assertThat(hiveV3(b, "fast", utf8("p"))).isZero();
            assertThat(hiveV5(b, "fast", utf8("p"))).isZero();
            assertThat(gate).isNotDone();

            executor.execute(() -> gate.complete(admit("slow")));
            assertThat(expectConnAck(slow)).isZero();
        }
    }

    @Test
    void packetsPipelinedBehindConnectWaitForASlowAuthenticator() throws Exception {
        TestBroker b = start(x -> x.authenticator(answering("slow", r -> {
            CompletableFuture<AuthDecision> f = new CompletableFuture<>();
            executor.schedule(() -> f.complete(admit("slow")), SHORT.toMillis(), TimeUnit.MILLISECONDS);
            return f;
        })));
        try (RawMqttClient c = new RawMqttClient(b.port(), WIRE_311)) {
            // MQTT 3.1.1 §3.1.4 / 5.0 §3.1.4: a client need not wait for CONNACK before sending more packets.
            c.send(connect(WIRE_311, uniqueId("pipelined")));
            c.send(publishQos1("pipe/1", 7));
            assertThat(expectConnAck(c)).isZero();
            MqttMessage ack = expect(c, MqttMessageType.PUBACK);
            assertThat(((io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader) ack.variableHeader()).messageId())
                    .isEqualTo(7);
        }
    }

    @Test
    void publishAndDisconnectPipelinedBehindConnectAreHandledInOrder() throws Exception {
        TestBroker b = start(x -> x.authenticator(answering("slow-for-some", r -> {
            CompletableFuture<AuthDecision> f = new CompletableFuture<>();
            long delay = r.username().orElse("").equals("slow") ? SHORT.toMillis() : 0;
            executor.schedule(() -> f.complete(admit("p")), delay, TimeUnit.MILLISECONDS);
            return f;
        })));
        Mqtt5BlockingClient sub = hive5(b.port(), uniqueId("sub")).buildBlocking();
        sub.connect();
        sub.subscribeWith().topicFilter("fire/#").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
        try (var incoming = AuthTestSupport.publishes(sub);
             RawMqttClient c = new RawMqttClient(b.port(), WIRE_311)) {
            // Fire-and-forget, as a sensor script would: CONNECT, PUBLISH, DISCONNECT in one write.
            c.sendBytes(AuthTestSupport.encode311(
                    connect(WIRE_311, uniqueId("fire"),
                            x -> x.hasUser(true).username("slow")),
                    publishQos1("fire/1", 3),
                    io.netty.handler.codec.mqtt.MqttMessageBuilders.disconnect().build()));
            // The DISCONNECT comes after the PUBLISH, so the PUBLISH must be processed first.
            var got = incoming.receive(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(got).hasValueSatisfying(p -> assertThat(p.getTopic().toString()).isEqualTo("fire/1"));
        } finally {
            sub.disconnect();
        }
    }

    @Test
    void connectTimeoutDoesNotCutOffAnAuthenticatorStillWithinTheAuthTimeout() {
        // The CONNECT arrived in time; from then on only the (longer) auth timeout applies.
        TestBroker b = start(x -> x.limits(Limits.defaults().withConnectTimeout(SHORT).withAuthTimeout(WAIT))
                .authenticator(answering("slow", r -> {
                    CompletableFuture<AuthDecision> f = new CompletableFuture<>();
                    executor.schedule(() -> f.complete(admit("slow")), SHORT.toMillis() * 3, TimeUnit.MILLISECONDS);
                    return f;
                })));
        assertThat(hiveV3(b, "u", utf8("p"))).isZero();
        assertThat(hiveV5(b, "u", utf8("p"))).isZero();
    }

    @Test
    void authenticatorThatNeverAnswersIsCutOffByTheAuthTimeout() throws Exception {
        List<CompletableFuture<AuthDecision>> pending = new CopyOnWriteArrayList<>();
        Events events = new Events();
        TestBroker b = start(listener(AnonymousAccess.ALLOW), x -> x.limits(Limits.defaults().withAuthTimeout(SHORT))
                .eventListener(events).authenticator(answering("stuck", r -> {
                    CompletableFuture<AuthDecision> f = new CompletableFuture<>();
                    pending.add(f);
                    return f;
                })));

        assertThat(hiveV3(b, "u", utf8("p"))).isNotZero();
        try (RawMqttClient c = new RawMqttClient(b.port(), WIRE_5)) {
            c.send(connect(WIRE_5, uniqueId("stuck")));
            assertThat(expectConnAck(c)).isGreaterThanOrEqualTo(0x80);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        // A verdict that arrives after the timeout must not resurrect the connection.
        pending.forEach(f -> f.complete(admit("too late")));
        Thread.sleep(100);
        assertThat(b.broker().connectionCount()).isZero();
        assertThat(events.of(BrokerEvent.ClientConnected.class)).isEmpty();
        assertThat(events.of(BrokerEvent.AuthenticationFailed.class)).hasSize(2);
    }

    // ---- what the authenticator is told ----

    @Test
    void mqtt311RequestCarriesClientIdUsernamePasswordBytesAndOrigin() {
        Scripted seen = deciding("seen", r -> admit("x"));
        TestBroker b = start(x -> x.authenticator(seen));
        byte[] password = {0, 1, 2, (byte) 0xFE, (byte) 0xFF};
        String id = uniqueId("fields3");

        Mqtt3BlockingClient c = hive3(b.port(), id);
        c.connectWith().simpleAuth().username("alice").password(password).applySimpleAuth().send();
        c.disconnect();

        AuthRequest r = seen.onlyRequest();
        assertThat(r.clientId()).isEqualTo(id);
        assertThat(r.username()).contains("alice");
        assertThat(r.password()).hasValueSatisfying(p -> assertThat(p).containsExactly(password));
        assertThat(r.protocolVersion()).isEqualTo(MqttVersion.V3_1_1);
        assertThat(r.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(r.listenerName()).isEqualTo(TestBroker.LISTENER);
        assertThat(r.authenticationMethod()).isEmpty();
        assertThat(r.authenticationData()).isEmpty();
        assertThat(r.peerCertificates()).isEmpty();
        assertThat(r.userProperties()).isEmpty();
        assertThat(r.reauthentication()).isFalse();
    }

    @Test
    void mqtt5RequestCarriesUserPropertiesInOrder() {
        Scripted seen = deciding("seen", r -> admit("x"));
        TestBroker b = start(x -> x.authenticator(seen));
        String id = uniqueId("fields5");

        Mqtt5BlockingClient c = hive5(b.port(), id).buildBlocking();
        c.connectWith().simpleAuth().username("bob").password(utf8("pw")).applySimpleAuth()
                .userProperties().add("k", "v1").add("k", "v2").add("role", "sensor").applyUserProperties().send();
        c.disconnect();

        AuthRequest r = seen.onlyRequest();
        assertThat(r.clientId()).isEqualTo(id);
        assertThat(r.username()).contains("bob");
        assertThat(r.password()).hasValueSatisfying(p -> assertThat(p).containsExactly(utf8("pw")));
        assertThat(r.protocolVersion()).isEqualTo(MqttVersion.V5);
        assertThat(r.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(r.listenerName()).isEqualTo(TestBroker.LISTENER);
        assertThat(r.userProperties()).containsExactly(new UserProperty("k", "v1"), new UserProperty("k", "v2"),
                new UserProperty("role", "sensor"));
        assertThat(r.authenticationMethod()).isEmpty();
    }

    @Test
    void mqtt5RequestWithoutUsernameOrPasswordHasEmptyOptionals() {
        Scripted seen = deciding("seen", r -> admit("x"));
        TestBroker b = start(x -> x.authenticator(seen));
        Mqtt5BlockingClient c = hive5(b.port(), uniqueId("bare")).buildBlocking();
        c.connect();
        c.disconnect();
        AuthRequest r = seen.onlyRequest();
        assertThat(r.username()).isEmpty();
        assertThat(r.password()).isEmpty();
    }

    @Test
    void mqtt5EmptyClientIdReachesTheAuthenticatorAsTheAssignedOne() {
        Scripted seen = deciding("seen", r -> admit("x"));
        TestBroker b = start(x -> x.authenticator(seen));
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().serverHost(HOST).serverPort(b.port())
                .buildBlocking();
        Mqtt5ConnAck ack = c.connect();
        c.disconnect();
        assertThat(ack.getAssignedClientIdentifier()).isPresent();
        assertThat(seen.onlyRequest().clientId()).isEqualTo(ack.getAssignedClientIdentifier().get().toString());
    }

    @Test
    void mqtt31RequestIsReportedAsVersion31() throws Exception {
        Scripted seen = deciding("seen", r -> admit("x"));
        TestBroker b = start(x -> x.authenticator(seen));
        assertThat(pahoV3(b, MqttConnectOptions.MQTT_VERSION_3_1, "carol", "pw31")).isZero();
        AuthRequest r = seen.onlyRequest();
        assertThat(r.protocolVersion()).isEqualTo(MqttVersion.V3_1);
        assertThat(r.username()).contains("carol");
        assertThat(r.password()).hasValueSatisfying(p -> assertThat(p).containsExactly(utf8("pw31")));
    }

    // ---- events ----

    @Test
    void connectAndDisconnectEventsCarryTheClientsFacts() {
        Events events = new Events();
        TestBroker b = start(x -> x.eventListener(events)
                .authenticator(deciding("users", r -> admit("principal-" + r.username().orElse("?")))));
        String id = uniqueId("ev");

        Mqtt5BlockingClient c = hive5(b.port(), id).buildBlocking();
        c.connectWith().simpleAuth().username("alice").password(utf8("pw")).applySimpleAuth().send();
        BrokerEvent.ClientConnected in = events.awaitOne(BrokerEvent.ClientConnected.class, id);
        c.disconnect();
        BrokerEvent.ClientDisconnected out = events.awaitOne(BrokerEvent.ClientDisconnected.class, id);

        assertThat(in.principal()).isEqualTo("principal-alice");
        assertThat(in.authenticator()).isEqualTo("users");
        assertThat(in.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(in.listener()).isEqualTo(TestBroker.LISTENER);
        assertThat(in.version()).isEqualTo(MqttVersion.V5);
        assertThat(in.sessionPresent()).isFalse();
        assertThat(in.at()).isNotNull();
        assertThat(out.principal()).isEqualTo("principal-alice");
        assertThat(out.reason()).containsIgnoringCase("disconnect");
        assertThat(out.willPublished()).isFalse();
        assertThat(events.of(BrokerEvent.AuthenticationFailed.class)).isEmpty();
    }

    @Test
    void connectedEventReportsAResumedSession() {
        Events events = new Events();
        TestBroker b = start(x -> x.eventListener(events).authenticator(deciding("users", r -> admit("p"))));
        String id = uniqueId("resume");
        for (int i = 0; i < 2; i++) {
            Mqtt3BlockingClient c = hive3(b.port(), id);
            c.connectWith().cleanSession(false).send();
            c.disconnect();
        }
        assertThat(eventually(() -> events.of(BrokerEvent.ClientConnected.class).size() == 2)).isTrue();
        List<BrokerEvent.ClientConnected> connected = events.of(BrokerEvent.ClientConnected.class);
        assertThat(connected.get(0).sessionPresent()).isFalse();
        assertThat(connected.get(1).sessionPresent()).isTrue();
        assertThat(connected.get(1).version()).isEqualTo(MqttVersion.V3_1_1);
    }

    @Test
    void refusalFiresAuthenticationFailedWithReasonAndAuthenticator() {
        Events events = new Events();
        TestBroker b = start(x -> x.eventListener(events).authenticator(deciding("users",
                r -> AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "wrong password for " + r.username().get()))));
        String id = uniqueId("refused");

        Mqtt3BlockingClient c = hive3(b.port(), id);
        catchThrowableOfType(() -> c.connectWith().simpleAuth().username("alice").password(utf8("hunter2"))
                .applySimpleAuth().send(), Mqtt3ConnAckException.class);

        BrokerEvent.AuthenticationFailed f = events.awaitOne(BrokerEvent.AuthenticationFailed.class, id);
        assertThat(f.reason()).isEqualTo(FailureReason.BAD_CREDENTIALS);
        assertThat(f.authenticator()).isEqualTo("users");
        assertThat(f.listener()).isEqualTo(TestBroker.LISTENER);
        assertThat(f.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(f.message()).contains("alice").doesNotContain("hunter2");
        assertThat(events.of(BrokerEvent.ClientConnected.class)).isEmpty();
        assertThat(events.of(BrokerEvent.ClientDisconnected.class)).isEmpty();
    }

    @Test
    void anonymousRefusalIsReportedAsByTheAnonymousPolicy() {
        Events events = new Events();
        TestBroker b = start(x -> x.eventListener(events));
        String id = uniqueId("anon-refused");
        catchThrowableOfType(hive3(b.port(), id)::connect, Mqtt3ConnAckException.class);
        BrokerEvent.AuthenticationFailed f = events.awaitOne(BrokerEvent.AuthenticationFailed.class, id);
        assertThat(f.reason()).isEqualTo(FailureReason.NOT_AUTHORIZED);
        assertThat(f.authenticator()).isEqualTo("anonymous");
    }

    @Test
    void eventListenerThatThrowsDoesNotDisturbConnections() {
        Events events = new Events();
        TestBroker b = start(x -> x.eventListener(e -> {
            throw new IllegalStateException("listener bug");
        }).eventListener(events).authenticator(deciding("users", r -> admit("p"))));
        String id = uniqueId("throwing-listener");
        Mqtt5BlockingClient c = hive5(b.port(), id).buildBlocking();
        c.connect();
        assertThat(pubAckCode(c, "t/1")).isLessThan(0x80);
        c.disconnect();
        // The next listener still hears about it.
        assertThat(events.awaitOne(BrokerEvent.ClientDisconnected.class, id).principal()).isEqualTo("p");
    }

    @Test
    void passwordNeverAppearsInEventsOrTheLog() throws Exception {
        String secret = "s3cr3t-" + uniqueId("pw");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = (Logger) LoggerFactory.getLogger("dev.gatehouse");
        Level was = ours.getLevel();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        ours.setLevel(Level.DEBUG);
        try {
            Events events = new Events();
            TestBroker b = start(x -> x.eventListener(events).authenticator(deciding("users",
                    r -> r.username().orElse("").equals("good") ? admit("good")
                            : AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "refused " + r.username().orElse("")))));

            assertThat(hiveV3(b, "good", utf8(secret))).isZero();
            assertThat(hiveV3(b, "bad", utf8(secret))).isEqualTo(4);
            assertThat(hiveV5(b, "good", utf8(secret))).isZero();
            assertThat(hiveV5(b, "bad", utf8(secret))).isEqualTo(0x86);
            assertThat(pahoV3(b, MqttConnectOptions.MQTT_VERSION_3_1, "bad", secret)).isEqualTo(4);
            assertThat(eventually(() -> events.of(BrokerEvent.AuthenticationFailed.class).size() == 3
                    && events.of(BrokerEvent.ClientDisconnected.class).size() == 2)).isTrue();

            assertThat(events.all).allSatisfy(e -> assertThat(e.toString()).doesNotContain(secret));
            assertThat(log.list).isNotEmpty();
            assertThat(log.list).allSatisfy(e -> assertThat(fullText(e)).doesNotContain(secret));
        } finally {
            root.detachAppender(log);
            ours.setLevel(was);
        }
    }

    private static String fullText(ILoggingEvent e) {
        StringBuilder s = new StringBuilder(e.getFormattedMessage());
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
            s.append('\n').append(t.getMessage());
        }
        return s.toString();
    }
}

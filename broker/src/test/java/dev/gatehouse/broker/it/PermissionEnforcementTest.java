package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.PermissionTestSupport.CONNECTION_LOGGER;
import static dev.gatehouse.broker.it.PermissionTestSupport.WAIT;
import static dev.gatehouse.broker.it.PermissionTestSupport.awaitDisconnected;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawConnect;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawPublish;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawPublishNoAck;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawSubscribe;
import static dev.gatehouse.broker.it.PermissionTestSupport.readType;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.Rule;
import dev.gatehouse.broker.DeniedPublishAction;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.it.PermissionTestSupport.ClientKind;
import dev.gatehouse.broker.it.PermissionTestSupport.GrantingAuthenticator;
import dev.gatehouse.broker.it.PermissionTestSupport.LogCapture;
import dev.gatehouse.broker.it.PermissionTestSupport.TestClient;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every PUBLISH topic and SUBSCRIBE filter is checked against the connection's permissions, with the
 * exact codes of docs/permissions.md, and a denied message never reaches a subscriber.
 */
class PermissionEnforcementTest {
    private static final int DENIED_V5 = 0x87;
    private static final int DENIED_V3 = 0x80;
    private static final AtomicInteger IDS = new AtomicInteger();

    private static final GrantingAuthenticator auth = new GrantingAuthenticator();
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        auth.grant("watcher", Permissions.allowAll());
        broker = TestBroker.start(b -> b.authenticator(auth));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** A user name no other test uses, granted {@code p}. */
    private static String user(String base, Permissions p) {
        String name = base + "-" + IDS.incrementAndGet();
        auth.grant(name, p);
        return name;
    }

    private static String clientId(String base) {
        return base + "-" + IDS.incrementAndGet();
    }

    private static TestClient connect(ClientKind kind, String username) throws Exception {
        return kind.connect(broker.port(), clientId(username), username);
    }

    /** An allow-all HiveMQ 5 client subscribed to {@code filter}, to see what gets delivered. */
    private static TestClient watcher(String filter) throws Exception {
        TestClient w = ClientKind.HIVEMQ_5.connect(broker.port(), clientId("watcher"), "watcher");
        assertThat(w.subscribe(2, filter)).containsExactly(2);
        w.barrier();
        return w;
    }

    private static int denied(TestClient c) {
        return c.v5() ? DENIED_V5 : DENIED_V3;
    }

    private static Permissions.Builder rules() {
        return Permissions.builder();
    }

    // ---- SUBSCRIBE ----

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void deniedSubscribeGetsTheVersionsFailureCodePerFilter(ClientKind kind) throws Exception {
        String u = user("sub", rules().allow(Action.SUBSCRIBE, "ok/#").build());
        try (TestClient c = connect(kind, u)) {
            assertThat(c.subscribe(1, "no/a")).containsExactly(denied(c));
            assertThat(c.subscribe(1, "ok/a", "no/a", "ok/b/#")).containsExactly(1, denied(c), 1);
            assertThat(c.connected()).isTrue();
        }
    }

    @Test
    void rawMixedSubscribeGetsPerFilterCodes() throws Exception {
        String u = user("rawsub", rules().allow(Action.SUBSCRIBE, "ok/#").build());
        try (RawMqttClient v5 = rawConnect(broker.port(), MqttVersion.MQTT_5, clientId("raw5"), u);
             RawMqttClient v3 = rawConnect(broker.port(), MqttVersion.MQTT_3_1_1, clientId("raw3"), u)) {
            assertThat(rawSubscribe(v5, 1, 2, "ok/x", "no/x", "ok/+/y", "#"))
                    .containsExactly(2, DENIED_V5, 2, DENIED_V5);
            assertThat(rawSubscribe(v3, 1, 0, "no/x", "ok/x")).containsExactly(DENIED_V3, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void allowingFilterMustCoverTheRequestedFilter(ClientKind kind) throws Exception {
        String u = user("cover", rules()
                .allow(Action.SUBSCRIBE, "a/#")
                .allow(Action.SUBSCRIBE, "b/+")
                .build());
        try (TestClient c = connect(kind, u)) {
            assertThat(c.subscribe(0, "a/+/c", "a", "a/#", "b/x")).containsExactly(0, 0, 0, 0);
            assertThat(c.subscribe(0, "b/#", "b/+/c", "#", "+/x"))
                    .containsExactly(denied(c), denied(c), denied(c), denied(c));
        }
    }

    // ---- PUBLISH ----

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void deniedPublishIsRefusedOrDroppedAndNeverDelivered(ClientKind kind) throws Exception {
        String u = user("pub", rules().allow(Action.PUBLISH, "pub/ok/#").build());
        try (TestClient w = watcher("pub/#"); TestClient c = connect(kind, u)) {
            assertThat(c.publish("pub/no/q0", 0, false, "x")).isZero();
            int q1 = c.publish("pub/no/q1", 1, false, "x");
            int q2 = kind.survivesRefusedQos2() ? c.publish("pub/no/q2", 2, false, "x") : DENIED_V5;
            if (c.v5()) {
                assertThat(q1).as("PUBACK").isEqualTo(DENIED_V5);
                assertThat(q2).as("PUBREC").isEqualTo(DENIED_V5);
            } else {
                assertThat(List.of(q1, q2)).as("3.1.1: acknowledged as usual").containsOnly(0);
            }
            assertThat(c.publish("pub/ok/sentinel", 1, false, "x")).isZero();
            assertThat(w.inbox().topicsUpTo("pub/ok/sentinel"))
                    .doesNotContain("pub/no/q0", "pub/no/q1", "pub/no/q2");
            assertThat(c.connected()).as("a denied publish does not cost the connection").isTrue();
        }
    }

    @Test
    void rawV5DeniedQos2EndsTheFlowWithPubrec0x87AndQos0IsSilentlyDropped() throws Exception {
        String u = user("raw5pub", rules().allow(Action.PUBLISH, "r5/ok/#").build());
        try (TestClient w = watcher("r5/#");
             RawMqttClient raw = rawConnect(broker.port(), MqttVersion.MQTT_5, clientId("raw5pub"), u)) {
            rawPublishNoAck(raw, "r5/no/q0", 0, false, 0);
            assertThat(rawPublish(raw, "r5/no/q1", 1, false, 7)).isEqualTo(DENIED_V5);
            assertThat(rawPublish(raw, "r5/no/q2", 2, false, 8)).isEqualTo(DENIED_V5);
            // PUBREC >= 0x80 ends the QoS 2 flow: the same id is free again and not taken for a duplicate
            assertThat(rawPublish(raw, "r5/ok/q2", 2, false, 8)).isZero();
            assertThat(w.inbox().topicsUpTo("r5/ok/q2")).doesNotContain("r5/no/q0", "r5/no/q1", "r5/no/q2");
            raw.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            assertThat(readType(raw, MqttMessageType.PINGRESP)).as("connection still open").isNotNull();
        }
    }

    @Test
    void rawV3DeniedPublishIsAcknowledgedAsUsual() throws Exception {
        String u = user("raw3pub", rules().allow(Action.PUBLISH, "r3/ok/#").build());
        try (TestClient w = watcher("r3/#");
             RawMqttClient raw = rawConnect(broker.port(), MqttVersion.MQTT_3_1_1, clientId("raw3pub"), u)) {
            assertThat(rawPublish(raw, "r3/no/q1", 1, false, 3)).isZero();
            assertThat(rawPublish(raw, "r3/no/q2", 2, false, 4)).isZero();
            raw.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                    MqttMessageIdVariableHeader.from(4)));
            assertThat(readType(raw, MqttMessageType.PUBCOMP)).isNotNull();
            rawPublishNoAck(raw, "r3/ok/sentinel", 0, false, 0);
            assertThat(w.inbox().topicsUpTo("r3/ok/sentinel")).doesNotContain("r3/no/q1", "r3/no/q2");
        }
    }

    @ParameterizedTest
    @EnumSource(value = ClientKind.class, names = {"HIVEMQ_3", "PAHO_3"})
    void v3DeniedPublishClosesTheConnectionWhenConfigured(ClientKind kind) throws Exception {
        GrantingAuthenticator a = new GrantingAuthenticator()
                .grant("watcher", Permissions.allowAll())
                .grant("dev", rules().allow(Action.PUBLISH, "dc/ok/#").build());
        try (TestBroker b = TestBroker.start(x -> x.authenticator(a)
                .limits(Limits.defaults().withDeniedPublishAction(DeniedPublishAction.DISCONNECT)));
             TestClient w = ClientKind.HIVEMQ_5.connect(b.port(), "w", "watcher");
             TestClient c = kind.connect(b.port(), "dev1", "dev")) {
            assertThat(w.subscribe(1, "dc/#")).containsExactly(1);
            assertThat(c.publish("dc/ok/first", 1, false, "x")).isZero();
            try {
                c.publish("dc/no/x", 1, false, "x");
            } catch (Exception expected) {
                // the client may notice the close while waiting for its PUBACK
            }
            awaitDisconnected(c);
            // routed after the close: a leaked denied message would have been queued before it
            try (TestClient other = ClientKind.HIVEMQ_5.connect(b.port(), "w2", "watcher")) {
                other.publish("dc/ok/sentinel", 1, false, "x");
            }
            assertThat(w.inbox().topicsUpTo("dc/ok/sentinel")).doesNotContain("dc/no/x");
        }
    }

    @Test
    void disconnectActionClosesV3WithItsWillWhileV5StillGets0x87() throws Exception {
        GrantingAuthenticator a = new GrantingAuthenticator()
                .grant("watcher", Permissions.allowAll())
                .grant("dev", rules().allow(Action.PUBLISH, "dw/will").build());
        try (TestBroker b = TestBroker.start(x -> x.authenticator(a)
                .limits(Limits.defaults().withDeniedPublishAction(DeniedPublishAction.DISCONNECT)));
             TestClient w = ClientKind.HIVEMQ_5.connect(b.port(), "w", "watcher");
             RawMqttClient v5 = rawConnect(b.port(), MqttVersion.MQTT_5, "v5dev", "dev");
             RawMqttClient v3 = new RawMqttClient(b.port(), MqttVersion.MQTT_3_1_1)) {
            assertThat(w.subscribe(1, "dw/#")).containsExactly(1);
            v3.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId("v3dev")
                    .cleanSession(true).username("dev").password("pw".getBytes(StandardCharsets.UTF_8))
                    .willFlag(true).willTopic("dw/will").willMessage("gone".getBytes(StandardCharsets.UTF_8))
                    .willQoS(MqttQoS.AT_LEAST_ONCE).build());
            assertThat(readType(v3, MqttMessageType.CONNACK)).isNotNull();
            rawPublishNoAck(v3, "dw/no", 1, false, 1);
            assertThat(readType(v3, MqttMessageType.PUBACK)).as("no PUBACK before the close").isNull();
            assertThat(v3.closedWithin(WAIT)).isTrue();
            assertThat(w.inbox().topicsUpTo("dw/will")).doesNotContain("dw/no");
            // MQTT 5 clients are told 0x87 and keep their connection whatever the setting
            assertThat(rawPublish(v5, "dw/no", 1, false, 2)).isEqualTo(DENIED_V5);
            assertThat(rawSubscribe(v5, 3, 0, "dw/no")).containsExactly(DENIED_V5);
        }
    }

    @Test
    void disconnectActionAlsoAppliesToADeniedQos0Publish() throws Exception {
        GrantingAuthenticator a = new GrantingAuthenticator().grant("dev", rules().allow(Action.PUBLISH, "ok").build());
        try (TestBroker b = TestBroker.start(x -> x.authenticator(a)
                .limits(Limits.defaults().withDeniedPublishAction(DeniedPublishAction.DISCONNECT)));
             RawMqttClient v3 = rawConnect(b.port(), MqttVersion.MQTT_3_1_1, "q0dev", "dev")) {
            rawPublishNoAck(v3, "not-ok", 0, false, 0);
            assertThat(v3.closedWithin(WAIT)).isTrue();
        }
    }

    // ---- rule semantics ----

    @ParameterizedTest
    @EnumSource(value = ClientKind.class, names = {"HIVEMQ_5", "PAHO_5"})
    void firstMatchingRuleWins(ClientKind kind) throws Exception {
        String denyFirst = user("fm1", rules()
                .deny(Action.PUBLISH, "fm/x")
                .allow(Action.ALL, "fm/#")
                .build());
        String allowFirst = user("fm2", rules()
                .allow(Action.ALL, "fm/x")
                .deny(Action.ALL, "fm/#")
                .defaultEffect(Effect.ALLOW)
                .build());
        try (TestClient c1 = connect(kind, denyFirst); TestClient c2 = connect(kind, allowFirst)) {
            assertThat(c1.publish("fm/x", 1, false, "x")).isEqualTo(DENIED_V5);
            assertThat(c1.publish("fm/y", 1, false, "x")).isLessThan(0x80);
            assertThat(c1.subscribe(0, "fm/x")).as("the publish-only deny does not govern SUBSCRIBE")
                    .containsExactly(0);
            assertThat(c2.publish("fm/x", 1, false, "x")).isLessThan(0x80);
            assertThat(c2.publish("fm/y", 1, false, "x")).isEqualTo(DENIED_V5);
            assertThat(c2.publish("other", 1, false, "x")).as("default allow").isLessThan(0x80);
            assertThat(c2.subscribe(0, "fm/x", "fm/y", "fm/#")).containsExactly(0, DENIED_V5, DENIED_V5);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void qosRestrictedRulesApplyOnlyToTheirLevels(ClientKind kind) throws Exception {
        String u = user("qos", rules()
                .rule(Rule.allow(Action.PUBLISH, "qr/#").withQos(0, 1))
                .rule(Rule.allow(Action.SUBSCRIBE, "qr/#").withQos(0))
                .build());
        try (TestClient w = watcher("qr/#"); TestClient c = connect(kind, u)) {
            assertThat(c.subscribe(0, "qr/a")).containsExactly(0);
            assertThat(c.subscribe(1, "qr/b")).containsExactly(denied(c));
            assertThat(c.publish("qr/q1", 1, false, "x")).isLessThan(0x80);
            if (kind.survivesRefusedQos2()) {
                int q2 = c.publish("qr/q2", 2, false, "x");
                if (c.v5()) {
                    assertThat(q2).isEqualTo(DENIED_V5);
                }
            }
            c.publish("qr/sentinel", 0, false, "x");
            assertThat(w.inbox().topicsUpTo("qr/sentinel")).contains("qr/q1").doesNotContain("qr/q2");
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void retainRestrictedRulesApplyOnlyToThatFlag(ClientKind kind) throws Exception {
        String u = user("ret", rules()
                .rule(Rule.deny(Action.PUBLISH, "rt/#").withRetain(true))
                .allow(Action.ALL, "rt/#")
                .build());
        String prefix = "rt/" + kind;
        try (TestClient w = watcher(prefix + "/#"); TestClient c = connect(kind, u)) {
            int retained = c.publish(prefix + "/kept", 1, true, "x");
            if (c.v5()) {
                assertThat(retained).isEqualTo(DENIED_V5);
            }
            assertThat(c.publish(prefix + "/live", 1, false, "x")).isLessThan(0x80);
            assertThat(w.inbox().topicsUpTo(prefix + "/live")).doesNotContain(prefix + "/kept");
        }
        // nothing was retained: a new subscriber gets only what is published after it subscribed
        try (TestClient late = watcher(prefix + "/#"); TestClient c = connect(ClientKind.HIVEMQ_5, u)) {
            c.publish(prefix + "/sentinel", 0, false, "x");
            assertThat(late.inbox().topicsUpTo(prefix + "/sentinel")).doesNotContain(prefix + "/kept");
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void eqRuleMatchesOnlyTheLiteralFilter(ClientKind kind) throws Exception {
        String u = user("eq", rules().allow(Action.ALL, "eq sensors/#").build());
        try (TestClient c = connect(kind, u)) {
            assertThat(c.subscribe(0, "sensors/#", "sensors/x", "sensors/+", "#"))
                    .containsExactly(0, denied(c), denied(c), denied(c));
            if (c.v5()) {
                assertThat(c.publish("sensors/x", 1, false, "x")).as("no topic name equals sensors/#")
                        .isEqualTo(DENIED_V5);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void eqRuleDoesNotReplacePlaceholders(ClientKind kind) throws Exception {
        String u = user("eqph", rules().allow(Action.SUBSCRIBE, "eq users/${username}/#").build());
        try (TestClient c = connect(kind, u)) {
            assertThat(c.subscribe(0, "users/" + u + "/#", "users/${username}/#"))
                    .containsExactly(denied(c), 0);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void defaultEffectDecidesWhenNoRuleMatches(ClientKind kind) throws Exception {
        String open = user("defallow", rules().deny(Action.ALL, "locked/#").defaultEffect(Effect.ALLOW).build());
        String closed = user("defdeny", rules().allow(Action.ALL, "mine/#").build());
        try (TestClient w = watcher("de/#"); TestClient o = connect(kind, open); TestClient c = connect(kind, closed)) {
            assertThat(o.subscribe(0, "de/x", "locked/x", "locked/#")).containsExactly(0, denied(o), denied(o));
            assertThat(c.subscribe(0, "mine/x", "de/x")).containsExactly(0, denied(c));
            assertThat(o.publish("de/open", 1, false, "x")).isLessThan(0x80);
            int refused = c.publish("de/closed", 1, false, "x");
            if (c.v5()) {
                assertThat(refused).isEqualTo(DENIED_V5);
            }
            o.publish("de/sentinel", 0, false, "x");
            assertThat(w.inbox().topicsUpTo("de/sentinel")).contains("de/open").doesNotContain("de/closed");
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void overlappingDenyIsGrantedButItsTopicsAreNotDeliveredLiveOrRetained(ClientKind kind) throws Exception {
        String prefix = "ov" + kind.ordinal();
        String u = user("ov", rules()
                .deny(Action.SUBSCRIBE, prefix + "/secret/#")
                .deny(Action.SUBSCRIBE, prefix + "/+/hidden")
                .allow(Action.SUBSCRIBE, prefix + "/#")
                .build());
        try (TestClient pub = ClientKind.HIVEMQ_5.connect(broker.port(), clientId("ovpub"), "watcher")) {
            pub.publish(prefix + "/secret/retained", 1, true, "r");
            pub.publish(prefix + "/open/retained", 1, true, "r");
            try (TestClient c = connect(kind, u)) {
                assertThat(c.subscribe(1, prefix + "/#")).containsExactly(1);
                // also the barrier: the retained messages of prefix/# are queued before this SUBACK
                assertThat(c.subscribe(1, prefix + "/secret/x")).containsExactly(denied(c));
                pub.publish(prefix + "/secret/x", 1, false, "s");
                pub.publish(prefix + "/any/hidden", 1, false, "h");
                pub.publish(prefix + "/any/shown", 1, false, "o");
                pub.publish(prefix + "/open/x", 1, false, "o");
                assertThat(c.inbox().topicsUpTo(prefix + "/open/x"))
                        .contains(prefix + "/open/retained", prefix + "/any/shown")
                        .doesNotContain(prefix + "/secret/x", prefix + "/secret/retained", prefix + "/any/hidden");
            } finally {
                pub.publish(prefix + "/secret/retained", 1, true, "");
                pub.publish(prefix + "/open/retained", 1, true, "");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void allowAllDoesNotReachDollarTopics(ClientKind kind) throws Exception {
        String everything = user("all", rules().allow(Action.ALL, "#").build());
        String sys = user("sys", rules().allow(Action.SUBSCRIBE, "$SYS/#").build());
        try (TestClient c = connect(kind, everything); TestClient s = connect(kind, sys)) {
            assertThat(c.subscribe(0, "$SYS/#", "$SYS/broker/x", "#")).containsExactly(denied(c), denied(c), 0);
            if (c.v5()) {
                assertThat(c.publish("$SYS/broker/x", 1, false, "x")).isEqualTo(DENIED_V5);
            }
            assertThat(s.subscribe(0, "$SYS/#")).as("a rule naming $SYS explicitly grants it").containsExactly(0);
            broker.broker().publish("$SYS/hidden", "x".getBytes(StandardCharsets.UTF_8), 0, false).join();
            broker.broker().publish("dollar/sentinel", "x".getBytes(StandardCharsets.UTF_8), 0, false).join();
            assertThat(c.inbox().topicsUpTo("dollar/sentinel")).doesNotContain("$SYS/hidden");
            assertThat(s.inbox().topicsUpTo("$SYS/hidden")).contains("$SYS/hidden");
        }
    }

    @Test
    void retainedDollarTopicsAreNotDeliveredToAWildcardSubscription() throws Exception {
        String everything = user("allret", rules().allow(Action.ALL, "#").build());
        byte[] x = "x".getBytes(StandardCharsets.UTF_8);
        broker.broker().publish("$SYS/retained", x, 1, true).join();
        broker.broker().publish("dollarret/retained", x, 1, true).join();
        try (TestClient c = connect(ClientKind.HIVEMQ_5, everything)) {
            assertThat(c.subscribe(1, "#")).containsExactly(1);
            c.barrier();
            broker.broker().publish("dollarret/sentinel", x, 1, false).join();
            assertThat(c.inbox().topicsUpTo("dollarret/sentinel"))
                    .contains("dollarret/retained").doesNotContain("$SYS/retained");
        } finally {
            broker.broker().publish("$SYS/retained", new byte[0], 1, true).join();
            broker.broker().publish("dollarret/retained", new byte[0], 1, true).join();
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void deniedSubscribeDeliversNoRetainedMessage(ClientKind kind) throws Exception {
        String prefix = "rs" + kind.ordinal();
        String u = user("rs", rules().allow(Action.SUBSCRIBE, prefix + "/open").build());
        try (TestClient pub = ClientKind.HIVEMQ_5.connect(broker.port(), clientId("rspub"), "watcher")) {
            pub.publish(prefix + "/secret", 1, true, "r");
            try (TestClient c = connect(kind, u)) {
                assertThat(c.subscribe(1, prefix + "/secret", prefix + "/+", prefix + "/open"))
                        .containsExactly(denied(c), denied(c), 1);
                c.barrier();
                pub.publish(prefix + "/open", 1, false, "sentinel");
                assertThat(c.inbox().topicsUpTo(prefix + "/open")).doesNotContain(prefix + "/secret");
            } finally {
                pub.publish(prefix + "/secret", 1, true, "");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void willOnADeniedTopicIsNotPublished(MqttVersion version) throws Exception {
        String u = user("will", rules().allow(Action.PUBLISH, "wl/allowed/#").build());
        String prefix = "wl/" + version;
        try (TestClient w = watcher("wl/#")) {
            int connections = broker.broker().connectionCount();
            for (String topic : List.of(prefix + "/denied", "wl/allowed/" + version)) {
                RawMqttClient raw = new RawMqttClient(broker.port(), version);
                raw.send(MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId("will"))
                        .cleanSession(true).username(u).password("pw".getBytes(StandardCharsets.UTF_8))
                        .willFlag(true).willTopic(topic).willMessage("gone".getBytes(StandardCharsets.UTF_8))
                        .willQoS(MqttQoS.AT_LEAST_ONCE).build());
                assertThat(readType(raw, MqttMessageType.CONNACK)).isNotNull();
                raw.close(); // no DISCONNECT: the will is due, if permitted
                // one at a time, so that the allowed will is routed after the denied one
                awaitConnectionCount(connections);
            }
            assertThat(w.inbox().topicsUpTo("wl/allowed/" + version)).doesNotContain(prefix + "/denied");
        }
    }

    @Test
    void topicAliasesCannotSmuggleADeniedTopic() throws Exception {
        String u = user("alias", rules().allow(Action.PUBLISH, "ta/ok").build());
        try (TestClient w = watcher("ta/#");
             RawMqttClient raw = rawConnect(broker.port(), MqttVersion.MQTT_5, clientId("alias"), u)) {
            assertThat(aliasedPublish(raw, "ta/ok", 1, 1)).isLessThan(0x80);
            assertThat(aliasedPublish(raw, "ta/secret", 2, 2)).isEqualTo(DENIED_V5);
            assertThat(aliasedPublish(raw, "", 2, 3)).as("alias 2 still means ta/secret").isEqualTo(DENIED_V5);
            assertThat(aliasedPublish(raw, "", 1, 4)).as("alias 1 still means ta/ok").isLessThan(0x80);
            assertThat(w.inbox().topicsUpTo("ta/ok")).doesNotContain("ta/secret");
        }
    }

    private static int aliasedPublish(RawMqttClient raw, String topic, int alias, int packetId) throws Exception {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS.value(), alias));
        raw.send(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).messageId(packetId)
                .properties(props).payload(Unpooled.wrappedBuffer(new byte[] {1})).build());
        MqttMessage ack = readType(raw, MqttMessageType.PUBACK);
        assertThat(ack).as("PUBACK %d", packetId).isNotNull();
        return PermissionTestSupport.replyCode(ack);
    }

    // ---- compiled once, logged once ----

    @Test
    void permissionsAreThoseGrantedAtConnectForTheWholeConnection() throws Exception {
        String u = user("fixed", rules().allow(Action.ALL, "fixed/#").build());
        try (TestClient c = connect(ClientKind.HIVEMQ_5, u)) {
            auth.grant(u, Permissions.denyAll());
            assertThat(c.subscribe(0, "fixed/a")).containsExactly(0);
            assertThat(c.publish("fixed/a", 1, false, "x")).isLessThan(0x80);
            assertThat(c.publish("other", 1, false, "x")).isEqualTo(DENIED_V5);
        }
        assertThat(auth.requests.stream().filter(r -> r.username().orElse("").equals(u)).count())
                .as("the authenticator is asked once per connection, not per packet").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void everyDenialIsLoggedOnceWithClientTopicAndRuleAndNoPassword(ClientKind kind) throws Exception {
        String u = user("log", rules()
                .deny(Action.PUBLISH, "log/secret/#")
                .allow(Action.SUBSCRIBE, "log/open")
                .build());
        String id = clientId("logger");
        String password = "pw-" + UUID.randomUUID();
        String secretTopic = "log/secret/" + kind;
        try (LogCapture logs = new LogCapture();
             TestClient c = kind.connect(broker.port(), id, u, password)) {
            c.publish(secretTopic, 1, false, "x");
            c.publish(secretTopic + "/q0", 0, false, "x");
            assertThat(c.subscribe(0, "log/denied", "log/open")).containsExactly(denied(c), 0);

            List<String> lines = logs.linesOf(CONNECTION_LOGGER);
            assertThat(lines.stream().filter(l -> l.contains(secretTopic) && !l.contains(secretTopic + "/q0")))
                    .as("QoS 1 denial").singleElement().satisfies(l -> assertThat(l)
                            .contains(id).contains("rule #1").contains("deny publish log/secret/#"));
            assertThat(lines.stream().filter(l -> l.contains(secretTopic + "/q0")))
                    .as("a dropped QoS 0 publish is logged too").singleElement()
                    .satisfies(l -> assertThat(l).contains(id).contains("rule #1"));
            assertThat(lines.stream().filter(l -> l.contains("log/denied")))
                    .as("SUBSCRIBE denial").singleElement()
                    .satisfies(l -> assertThat(l).contains(id).contains("default deny"));
            assertThat(logs.lines()).noneMatch(l -> l.contains(password));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ClientKind.class, names = {"HIVEMQ_5", "PAHO_3"})
    void refusedConnectLogsNoPassword(ClientKind kind) throws Exception {
        String password = "pw-" + UUID.randomUUID();
        try (LogCapture logs = new LogCapture()) {
            try (TestClient c = kind.connect(broker.port(), clientId("stranger"), "no-grant-" + IDS.get(), password)) {
                assertThat(c.connected()).as("a user without a grant must not connect").isFalse();
            } catch (Exception refused) {
                // expected: CONNACK refusal
            }
            assertThat(logs.linesOf(CONNECTION_LOGGER)).anyMatch(l -> l.contains("refused"));
            assertThat(logs.lines()).noneMatch(l -> l.contains(password));
        }
    }

    private static void awaitConnectionCount(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (broker.broker().connectionCount() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(broker.broker().connectionCount()).isEqualTo(expected);
    }

}

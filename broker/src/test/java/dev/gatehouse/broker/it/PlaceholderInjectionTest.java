package dev.gatehouse.broker.it;

import static dev.gatehouse.broker.it.PermissionTestSupport.admitting;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawPublish;
import static dev.gatehouse.broker.it.PermissionTestSupport.rawSubscribe;
import static dev.gatehouse.broker.it.PermissionTestSupport.readType;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.TopicFilters;
import dev.gatehouse.broker.it.PermissionTestSupport.ClientKind;
import dev.gatehouse.broker.it.PermissionTestSupport.TestClient;
import dev.gatehouse.broker.testing.RawMqttClient;
import dev.gatehouse.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client cannot widen its permissions through its user name or client id: an unsafe placeholder
 * value makes an allow rule match nothing and cuts a deny rule to {@code #} (docs/permissions.md).
 */
class PlaceholderInjectionTest {
    private static final int DENIED_V5 = 0x87;
    private static final int DENIED_V3 = 0x80;
    /** User names that would reach other users' topics if substituted as they are. */
    private static final List<String> UNSAFE_USERNAMES = List.of("+", "#", "a/b", "", "$SYS", "al+ce");
    private static final List<String> UNSAFE_CLIENT_IDS = List.of("+", "#", "a/b");
    private static final AtomicInteger IDS = new AtomicInteger();

    /** Each user may use only its own subtree and its device's. */
    private static final Permissions SCOPED = Permissions.builder()
            .allow(Action.ALL, "users/${username}/#")
            .allow(Action.ALL, "devices/${clientid}/#")
            .allow(Action.ALL, "certs/${cert_cn}/#")
            .build();
    /** Everything except each user's admin topic and each device's secret. */
    private static final Permissions GUARDED = Permissions.builder()
            .deny(Action.PUBLISH, "users/${username}/admin")
            .deny(Action.SUBSCRIBE, "devices/${clientid}/secret")
            .allow(Action.ALL, "#")
            .build();

    private static TestBroker scoped;
    private static TestBroker guarded;

    @BeforeAll
    static void start() {
        scoped = TestBroker.start(b -> b.authenticator(admitting(
                r -> r.username().filter("watcher"::equals).isPresent() ? Permissions.allowAll() : SCOPED)));
        guarded = TestBroker.start(b -> b.authenticator(admitting(GUARDED)));
    }

    @AfterAll
    static void stop() {
        scoped.close();
        guarded.close();
    }

    static Stream<Arguments> kindsAndUnsafeUsernames() {
        return combine(List.of(ClientKind.values()), UNSAFE_USERNAMES);
    }

    /** MQTT 5 only: 3.1.1 acknowledges a denied publish like an allowed one (covered with raw clients below). */
    static Stream<Arguments> v5KindsAndUnsafeUsernames() {
        return combine(List.of(ClientKind.HIVEMQ_5, ClientKind.PAHO_5), UNSAFE_USERNAMES);
    }

    private static Stream<Arguments> combine(List<ClientKind> kinds, List<String> values) {
        List<Arguments> out = new ArrayList<>();
        for (ClientKind k : kinds) {
            for (String v : values) {
                out.add(Arguments.of(k, v));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> kindsAndUnsafeClientIds() {
        return combine(List.of(ClientKind.values()), UNSAFE_CLIENT_IDS);
    }

    private static String safeId(String base) {
        return base + IDS.incrementAndGet();
    }

    private static int denied(TestClient c) {
        return c.v5() ? DENIED_V5 : DENIED_V3;
    }

    /** {@code <prefix>/<value>/<rest>} when that is a valid filter (with the value "#" it is not), else null. */
    private static String substituted(String prefix, String value, String rest) {
        String f = prefix + "/" + value + "/" + rest;
        return TopicFilters.isValidFilter(f) ? f : null;
    }

    // ---- allow rules with unsafe values match nothing ----

    @ParameterizedTest(name = "{0} user name \"{1}\"")
    @MethodSource("kindsAndUnsafeUsernames")
    void unsafeUsernameGainsNoAccessToOtherUsersTopics(ClientKind kind, String username) throws Exception {
        String id = safeId("inj");
        try (TestClient w = kind.v5() ? null : watcher();
             TestClient c = kind.connect(scoped.port(), id, username)) {
            List<String> filters = new ArrayList<>(List.of("users/#", "users/+/#", "users/bob/#", "users/+"));
            String own = substituted("users", username, "#");
            if (own != null) {
                filters.add(own);
            }
            List<Integer> codes = c.subscribe(0, filters.toArray(String[]::new));
            assertThat(codes).as("SUBACK for %s", filters).hasSize(filters.size()).containsOnly(denied(c));
            assertThat(c.subscribe(0, "devices/" + id + "/#")).as("its own device rule still works")
                    .containsExactly(0);

            if (c.v5()) {
                assertThat(c.publish("users/bob/x", 1, false, "x")).isEqualTo(DENIED_V5);
            } else {
                c.publish("users/bob/x", 1, false, "x");
                c.publish("devices/" + id + "/sentinel", 1, false, "x");
                assertThat(w.inbox().topicsUpTo("devices/" + id + "/sentinel")).doesNotContain("users/bob/x");
            }
        }
    }

    @Test
    void unsafeUsernamePublishesNeverReachTheVictim() throws Exception {
        try (TestClient bob = ClientKind.HIVEMQ_5.connect(scoped.port(), safeId("bob"), "bob")) {
            assertThat(bob.subscribe(1, "users/bob/#")).containsExactly(1);
            for (String u : UNSAFE_USERNAMES) {
                // HiveMQ for both versions keeps this quick; every kind is covered one by one above
                for (ClientKind kind : List.of(ClientKind.HIVEMQ_3, ClientKind.HIVEMQ_5)) {
                    try (TestClient c = kind.connect(scoped.port(), safeId("atk"), u)) {
                        c.publish("users/bob/from-" + kind, 1, false, u);
                    }
                }
            }
            bob.publish("users/bob/sentinel", 1, false, "x");
            assertThat(bob.inbox().topicsUpTo("users/bob/sentinel")).containsExactly("users/bob/sentinel");
        }
    }

    @ParameterizedTest(name = "{0} client id \"{1}\"")
    @MethodSource("kindsAndUnsafeClientIds")
    void unsafeClientIdGainsNoAccessToOtherDevices(ClientKind kind, String clientId) throws Exception {
        try (TestClient c = kind.connect(scoped.port(), clientId, "mallory")) {
            List<String> filters = new ArrayList<>(List.of("devices/#", "devices/+/#", "devices/bob/#"));
            String own = substituted("devices", clientId, "#");
            if (own != null) {
                filters.add(own);
            }
            assertThat(c.subscribe(0, filters.toArray(String[]::new))).hasSize(filters.size()).containsOnly(denied(c));
            assertThat(c.subscribe(0, "users/mallory/#")).as("its user name rule still works").containsExactly(0);
            if (c.v5()) {
                assertThat(c.publish("devices/bob/x", 1, false, "x")).isEqualTo(DENIED_V5);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void safeUsernameWorksOnItsOwnSubtreeOnly(ClientKind kind) throws Exception {
        String id = safeId("alice");
        try (TestClient alice = kind.connect(scoped.port(), id, "alice")) {
            assertThat(alice.subscribe(1, "users/alice/#", "devices/" + id + "/+", "users/bob/#"))
                    .containsExactly(1, 1, denied(alice));
            assertThat(alice.subscribe(1, "certs/+/#", "certs//#")).as("no TLS certificate: ${cert_cn} is missing")
                    .containsExactly(denied(alice), denied(alice));
            int denied = alice.publish("users/bob/x", 1, false, "x");
            if (alice.v5()) {
                assertThat(denied).isEqualTo(DENIED_V5);
            }
            assertThat(alice.publish("users/alice/x", 1, false, "x")).isZero();
            assertThat(alice.inbox().topicsUpTo("users/alice/x")).containsExactly("users/alice/x");
        }
    }

    @Test
    void assignedClientIdIsWhatClientIdPlaceholdersSee() throws Exception {
        try (RawMqttClient raw = new RawMqttClient(scoped.port(), MqttVersion.MQTT_5)) {
            raw.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId("")
                    .cleanSession(true).username("carol").build());
            MqttConnAckMessage ack = (MqttConnAckMessage) readType(raw, MqttMessageType.CONNACK);
            assertThat(ack).isNotNull();
            assertThat(ack.variableHeader().connectReturnCode().byteValue()).isZero();
            var assigned = ack.variableHeader().properties()
                    .getProperty(MqttProperties.MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value());
            assertThat(assigned).as("Assigned Client Identifier").isNotNull();
            String id = (String) assigned.value();
            assertThat(rawSubscribe(raw, 1, 0, "devices/" + id + "/#", "devices/+/#", "devices//#"))
                    .containsExactly(0, DENIED_V5, DENIED_V5);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void missingUsernameMatchesNoAllowRule(MqttVersion version) throws Exception {
        try (RawMqttClient raw = connectRaw(scoped.port(), version, safeId("anon"), null)) {
            int denied = version == MqttVersion.MQTT_5 ? DENIED_V5 : DENIED_V3;
            assertThat(rawSubscribe(raw, 1, 0, "users/#", "users/+/#")).containsExactly(denied, denied);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void nulInUsernameIsRefusedOrGainsNothing(MqttVersion version) throws Exception {
        try (RawMqttClient raw = new RawMqttClient(scoped.port(), version)) {
            raw.sendBytes(connectWithUsername(version, "bob\u0000")); // Netty's encoder refuses to write it
            MqttMessage ack = readType(raw, MqttMessageType.CONNACK);
            if (ack == null || ((MqttConnAckMessage) ack).variableHeader().connectReturnCode().byteValue() != 0) {
                return; // refusing a user name with U+0000 (MQTT §1.5.4) is the stricter, fine answer
            }
            int denied = version == MqttVersion.MQTT_5 ? DENIED_V5 : DENIED_V3;
            assertThat(rawSubscribe(raw, 1, 0, "users/bob/#", "users/+/#", "users/#"))
                    .containsExactly(denied, denied, denied);
        }
    }

    // ---- deny rules with unsafe values are cut to '#' ----

    @ParameterizedTest(name = "{0} user name \"{1}\"")
    @MethodSource("v5KindsAndUnsafeUsernames")
    void denyRuleWithUnsafeUsernameStillDeniesTheWholeSubtree(ClientKind kind, String username) throws Exception {
        try (TestClient c = kind.connect(guarded.port(), safeId("cut"), username)) {
            assertThat(c.publish("users/x/admin", 1, false, "x")).isEqualTo(DENIED_V5);
            assertThat(c.publish("users/a/b/admin", 1, false, "x")).isEqualTo(DENIED_V5);
            assertThat(c.publish("users/anything", 1, false, "x")).as("cut to users/#").isEqualTo(DENIED_V5);
            assertThat(c.publish("elsewhere/x", 1, false, "x")).isLessThan(0x80);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void denyRuleWithMissingUsernameStillDenies(MqttVersion version) throws Exception {
        try (TestClient w = ClientKind.HIVEMQ_5.connect(guarded.port(), safeId("w"), "watcher");
             RawMqttClient raw = connectRaw(guarded.port(), version, safeId("nouser"), null)) {
            assertThat(w.subscribe(1, "users/#", "probe/#")).containsExactly(1, 1);
            int code = rawPublish(raw, "users/bob/admin", 1, false, 1);
            if (version == MqttVersion.MQTT_5) {
                assertThat(code).isEqualTo(DENIED_V5);
            }
            rawPublish(raw, "probe/sentinel", 1, false, 2);
            assertThat(w.inbox().topicsUpTo("probe/sentinel")).doesNotContain("users/bob/admin");
        }
    }

    @ParameterizedTest(name = "{0} client id \"{1}\"")
    @MethodSource("kindsAndUnsafeClientIds")
    void denyRuleWithUnsafeClientIdStillDenies(ClientKind kind, String clientId) throws Exception {
        try (TestClient c = kind.connect(guarded.port(), clientId, "mallory")) {
            List<String> filters = new ArrayList<>(List.of("devices/x", "devices/#", "devices/bob/secret"));
            String own = substituted("devices", clientId, "secret");
            if (own != null) {
                filters.add(own);
            }
            assertThat(c.subscribe(0, filters.toArray(String[]::new))).hasSize(filters.size()).containsOnly(denied(c));
            assertThat(c.subscribe(0, "elsewhere/#")).containsExactly(0);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void denyRuleWithSafeValuesDeniesOnlyThatTopic(ClientKind kind) throws Exception {
        String id = safeId("dev");
        try (TestClient c = kind.connect(guarded.port(), id, "alice")) {
            assertThat(c.subscribe(0, "devices/" + id + "/secret", "devices/" + id + "/open", "devices/other/secret"))
                    .containsExactly(denied(c), 0, 0);
            if (c.v5()) {
                assertThat(c.publish("users/alice/admin", 1, false, "x")).isEqualTo(DENIED_V5);
                assertThat(c.publish("users/alice/x", 1, false, "x")).isLessThan(0x80);
                assertThat(c.publish("users/bob/admin", 1, false, "x")).isLessThan(0x80);
            }
        }
    }

    // ---- helpers ----

    private static TestClient watcher() throws Exception {
        TestClient w = ClientKind.HIVEMQ_5.connect(scoped.port(), safeId("watcher"), "watcher");
        assertThat(w.subscribe(1, "users/#", "devices/#")).containsExactly(1, 1);
        return w;
    }

    /** A CONNECT by hand (Netty's encoder validates user names), clean start, client id "nul". */
    private static byte[] connectWithUsername(MqttVersion version, String username) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x00, 0x04, 'M', 'Q', 'T', 'T', version.protocolLevel(), (byte) 0x82, 0x00, 0x3C});
        if (version == MqttVersion.MQTT_5) {
            b.write(0x00);
        }
        for (String field : List.of("nul", username)) {
            byte[] f = field.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            b.write(f.length >> 8);
            b.write(f.length);
            b.writeBytes(f);
        }
        byte[] body = b.toByteArray();
        byte[] out = new byte[body.length + 2];
        out[0] = 0x10;
        out[1] = (byte) body.length;
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }

    /** A raw client; {@code username} null sends a CONNECT without the user name flag. */
    private static RawMqttClient connectRaw(int port, MqttVersion version, String clientId, String username)
            throws Exception {
        RawMqttClient raw = new RawMqttClient(port, version);
        var b = MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId).cleanSession(true);
        if (username != null) {
            b.username(username);
        }
        raw.send(b.build());
        MqttMessage ack = readType(raw, MqttMessageType.CONNACK);
        assertThat(ack).isNotNull();
        assertThat(((MqttConnAckMessage) ack).variableHeader().connectReturnCode().byteValue()).isZero();
        return raw;
    }
}

package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.Rule;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.DeniedPublishAction;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every validation message, asserted exactly; settings are read without opening ports. */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    private static GatehouseSettings settings(String hocon) {
        return settings(hocon, Map.of());
    }

    private static GatehouseSettings settings(String hocon, Map<String, String> env) {
        return ConfiguredBroker.validate(GatehouseConfig.parseString(hocon, Path.of(""), env),
                ConfiguredBroker.Options.defaults());
    }

    private static List<String> problems(String hocon) {
        try {
            settings(hocon);
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).collect(Collectors.toList());
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void referenceDefaultsAreOneLoopbackListenerThatRefusesAnonymousClientsAndTheBrokerLimits() {
        GatehouseSettings s = settings("");
        assertThat(s.listeners()).containsExactly(ListenerConfig.tcp("default", "127.0.0.1", 1883));
        assertThat(s.limits()).isEqualTo(Limits.defaults());
        assertThat(s.defaultPermissions()).isEqualTo(Permissions.denyAll());
        assertThat(s.authentication()).isEmpty();
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsPath() {
        List<String> p = problems("""
                gatehouse {
                  listeners = [
                    { name = a, type = tcpp, bind = "127.0.0.1:99999", anonymous = maybe }
                    { bind = "nohost" }
                  ]
                  limits { max-packet-size = 0, connect-timeout = soon, max-inflight = 70000 }
                  default-permissions = [ { permission = permit, action = publish } ]
                }
                """);
        assertThat(p).containsExactlyInAnyOrder(
                "gatehouse.listeners.0.type: expected one of tcp, tls, ws, wss but found \"tcpp\" (did you mean tcp?)",
                "gatehouse.listeners.0.bind: port must be 0..65535, not 99999",
                "gatehouse.listeners.0.anonymous: expected one of deny, loopback-only, allow but found \"maybe\"",
                "gatehouse.listeners.1.name: is required but not set",
                "gatehouse.listeners.1.bind: expected HOST:PORT but found \"nohost\"",
                "gatehouse.limits.max-packet-size: must be 1 to 268435455 bytes, not 0",
                "gatehouse.limits.connect-timeout: No number in duration value 'soon'",
                "gatehouse.limits.max-inflight: maxInflight must be 1..65535, not 70000",
                "gatehouse.default-permissions.0.permission: expected one of allow, deny but found \"permit\"",
                "gatehouse.default-permissions.0.topic: is required but not set");
    }

    @Test
    void unknownKeysAreErrorsWithDidYouMean() {
        assertThat(problems("""
                gatehouse.limits.max-packet-sise = 10
                gatehouse.listners = []
                gatehouse.listeners = [ { name = a, bind = "127.0.0.1:0", anonymus = allow, zzz = 1 } ]
                gatehouse.default-permissions = [ { permission = allow, action = all, topic = "#", retian = true } ]
                gatehuose.io-threads = 1
                """)).containsExactlyInAnyOrder(
                "gatehouse.limits.max-packet-sise: unknown key (did you mean max-packet-size?)",
                "gatehouse.listners: unknown key (did you mean listeners?)",
                "gatehouse.listeners.0.anonymus: unknown key (did you mean anonymous?)",
                "gatehouse.listeners.0.zzz: unknown key",
                "gatehouse.default-permissions.0.retian: unknown key (did you mean retain?)",
                "gatehuose: unknown key (did you mean gatehouse?)");
    }

    @Test
    void unknownAuthenticatorTypeListsTheKnownTypes() {
        assertThat(problems("gatehouse.authentication = [ { type = pasword-file } ]")).containsExactly(
                "gatehouse.authentication.0.type: unknown authenticator type \"pasword-file\" (known: "
                        + String.join(", ", knownTypes()) + ") (did you mean password-file?)");
    }

    private static Set<String> knownTypes() {
        return dev.gatehouse.authn.spi.AuthenticatorFactories.discover(ConfigErrorsTest.class.getClassLoader()).keySet();
    }

    @Test
    void authenticatorProblemsAreReportedTogetherWithTheOthers() {
        List<String> p = problems("""
                gatehouse.listeners = [ { name = a, bind = "127.0.0.1:0", type = udp } ]
                gatehouse.authentication = [ { type = password-file, file = "missing.passwd", colour = blue } ]
                """);
        assertThat(p).hasSize(2);
        assertThat(p.get(0)).isEqualTo("gatehouse.listeners.0.type: expected one of tcp, tls, ws, wss but found \"udp\"");
        assertThat(p.get(1)).startsWith("gatehouse.authentication.0.file: no such file: ").endsWith("missing.passwd");
    }

    @Test
    void keysAnAuthenticatorNeverReadAreUnknown() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "");
        assertThat(problems("gatehouse.authentication = [ { type = password-file, file = \"" + passwd
                + "\", colour = blue } ]")).containsExactly(
                "gatehouse.authentication.0.colour: unknown key for authenticator type password-file");
    }

    @Test
    void tlsListenersNeedKeyMaterialAndTheFilesMustExist() {
        assertThat(problems("""
                gatehouse.listeners = [
                  { name = a, type = tls, bind = "127.0.0.1:0" }
                  { name = b, type = tcp, bind = "127.0.0.1:0", tls { cert = x } }
                  { name = c, type = wss, bind = "127.0.0.1:0", tls { cert = "/nonexistent/c.crt", key = "/nonexistent/c.key", client-auth = required } }
                  { name = d, type = tls, bind = "127.0.0.1:0", tls { pkcs12 = "/nonexistent/d.p12", cert = "/x" } }
                  { name = e, type = tcp, bind = "127.0.0.1:0", websocket-path = "/mqtt" }
                  { name = a, type = ws, bind = "127.0.0.1:0", websocket-path = "mqtt" }
                ]
                """)).containsExactlyInAnyOrder(
                "gatehouse.listeners.0.tls: a tls listener needs tls { cert, key } or tls { pkcs12, password }",
                "gatehouse.listeners.1.tls: only tls and wss listeners take TLS settings",
                "gatehouse.listeners.2.tls.cert: no such file: /nonexistent/c.crt",
                "gatehouse.listeners.2.tls.key: no such file: /nonexistent/c.key",
                "gatehouse.listeners.2.tls.ca: client-auth = required needs a CA bundle (PEM) to verify clients with",
                "gatehouse.listeners.3.tls: set either cert and key (PEM) or pkcs12, not both",
                "gatehouse.listeners.4.websocket-path: only ws and wss listeners have a WebSocket path",
                "gatehouse.listeners.5.websocket-path: must start with /, not \"mqtt\"");
    }

    @Test
    void duplicateListenerNamesAndAnEmptyListAreErrors() {
        assertThat(problems("""
                gatehouse.listeners = [ { name = a, bind = "127.0.0.1:0" }, { name = a, bind = "127.0.0.1:0" } ]
                """)).containsExactly("gatehouse.listeners.1.name: another listener is already called \"a\"");
        assertThat(problems("gatehouse.listeners = []"))
                .containsExactly("gatehouse.listeners: at least one listener is needed");
    }

    @Test
    void connectionTopicAndKeepAliveLimitsAreValidated() {
        assertThat(problems("gatehouse.limits { max-connections = -1, max-sessions = -2, max-topic-length = 70000, "
                + "min-keep-alive = 90s, max-keep-alive = 60s }")).containsExactlyInAnyOrder(
                "gatehouse.limits.max-connections: must be 0 (no limit) or positive, not -1",
                "gatehouse.limits.max-sessions: must be 0 (no limit) or positive, not -2",
                "gatehouse.limits.max-topic-length: must be 1 to 65535 bytes, not 70000",
                "gatehouse.limits.min-keep-alive: keep-alive bounds must satisfy 0 <= minKeepAlive <= maxKeepAlive"
                        + " <= 65535 (and maxKeepAlive >= 1), not 90..60");
    }

    @Test
    void everyLimitIsReadWithHoconDurationsAndSizes() {
        Limits l = settings("""
                gatehouse.limits {
                  max-packet-size = 256k, max-client-id-length = 64, connect-timeout = 3s, auth-timeout = 1m
                  receive-maximum = 10, max-inflight = 20, max-queued-messages = 30, max-subscriptions-per-session = 40
                  max-session-expiry = 2h, server-keep-alive = 60s, topic-alias-maximum = 0
                  max-retained-messages = 50, denied-publish-action = disconnect
                  max-connections = 500, max-topic-length = 1k, max-topic-levels = 12
                  min-keep-alive = 5s, max-keep-alive = 10m, max-sessions = 70

                }
                """).limits();
        assertThat(l).isEqualTo(new Limits(256 * 1024, 64, Duration.ofSeconds(3), Duration.ofMinutes(1), 10, 20, 30, 40,
                Duration.ofHours(2), Optional.of(60), 0, 50, DeniedPublishAction.DISCONNECT, 500, 1024, 12, 5, 600, 70));
        assertThat(problems("gatehouse.limits.server-keep-alive = 1500ms")).containsExactly(
                "gatehouse.limits.server-keep-alive: must be whole seconds from 0 to 65535s, not PT1.5S");
        assertThat(problems("gatehouse.limits.denied-publish-action = drop")).containsExactly(
                "gatehouse.limits.denied-publish-action: expected one of ack-and-drop, disconnect but found \"drop\"");
    }

    @Test
    void quotedPlaceholdersArePermissionPlaceholders() {
        GatehouseSettings s = settings("""
                gatehouse.default-permissions = [
                  { permission = allow, action = publish, topic = "devices/${clientid}/#", qos = [0, 1], retain = false }
                  { permission = deny, action = all, topic = "eq a/#" }
                ]
                """);
        assertThat(s.defaultPermissions()).isEqualTo(Permissions.of(List.of(
                Rule.allow(Action.PUBLISH, "devices/${clientid}/#").withQos(0, 1).withRetain(false),
                Rule.deny(Action.ALL, "eq a/#")), Effect.DENY));
    }

    @Test
    void unquotedPlaceholdersAreRejectedWithAHint() {
        assertThatThrownBy(() -> settings("""
                gatehouse.default-permissions = [ { permission = allow, action = publish, topic = devices/${clientid}/up } ]
                """)).isInstanceOf(ConfigException.class).hasMessage("String: 1: ${clientid} outside quotes is a HOCON "
                + "substitution, not a permission placeholder; quote the whole topic, e.g. topic = \"devices/${clientid}/#\"");
        // Unquoted, a '#' even starts a HOCON comment: one more reason to quote every topic.
    }

    @Test
    void badRulesNameTheirFieldAndUnknownPlaceholdersAreCaught() {
        assertThat(problems("""
                gatehouse.default-permissions = [
                  { permission = allow, action = pub, topic = "a" }
                  { permission = allow, action = all, topic = "a/${tenant}" }
                  { permission = allow, action = all, topic = "a/#/b", qos = [3], retain = maybe }
                  nope
                ]
                """)).containsExactlyInAnyOrder(
                "gatehouse.default-permissions.0.action: expected one of publish, subscribe, all but found \"pub\"",
                "gatehouse.default-permissions.1.topic: unknown placeholder ${tenant} in a/${tenant} "
                        + "(known: ${clientid}, ${username}, ${cert_cn})",
                "gatehouse.default-permissions.2.qos: QoS levels are 0, 1 and 2, not 3",
                "gatehouse.default-permissions.2.retain: expected true or false but found \"maybe\"",
                "gatehouse.default-permissions.3: expected a rule object {permission, action, topic} but found \"nope\"");
        assertThat(problems("gatehouse.default-permissions = everything")).containsExactly(
                "gatehouse.default-permissions: expected allow-all, deny-all or a list of rules but found \"everything\"");
    }

    @Test
    void environmentVariablesFillOptionalSubstitutions() {
        String hocon = """
                port = 1883
                port = ${?GATEHOUSE_PORT}
                gatehouse.listeners = [ { name = a, bind = "127.0.0.1:"${port}, anonymous = ${?GATEHOUSE_ANON} } ]
                """;
        // The helper key "port" is not a gatehouse key: validate only the gatehouse subtree for this test.
        GatehouseConfig c = GatehouseConfig.parseString(hocon, Path.of(""),
                Map.of("GATEHOUSE_PORT", "2883", "GATEHOUSE_ANON", "allow"));
        assertThat(c.config().getConfigList("gatehouse.listeners").get(0).getString("bind")).isEqualTo("127.0.0.1:2883");
        assertThat(c.config().getConfigList("gatehouse.listeners").get(0).getString("anonymous")).isEqualTo("allow");
        GatehouseConfig unset = GatehouseConfig.parseString(hocon, Path.of(""), Map.of());
        assertThat(unset.config().getConfigList("gatehouse.listeners").get(0).getString("bind")).isEqualTo("127.0.0.1:1883");
        assertThat(unset.config().getConfigList("gatehouse.listeners").get(0).hasPath("anonymous")).isFalse();
        assertThatThrownBy(() -> GatehouseConfig.parseString("gatehouse.io-threads = ${GATEHOUSE_THREADS}", Path.of(""),
                Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("String: 1: Could not resolve substitution to a value: ${GATEHOUSE_THREADS}");
    }

    @Test
    void includeReadsAnotherFileRelativeToTheIncludingOne() throws Exception {
        Files.writeString(dir.resolve("listeners.conf"), """
                gatehouse.listeners = [ { name = inc, type = ws, bind = "127.0.0.1:0", anonymous = loopback-only,
                                          anonymous-permissions = allow-all, websocket-path = "/ws" } ]
                """);
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "include \"listeners.conf\"\ngatehouse.io-threads = 2\n");
        GatehouseSettings s = ConfiguredBroker.validate(GatehouseConfig.parseFile(main, Map.of()),
                ConfiguredBroker.Options.defaults());
        ListenerConfig l = s.listeners().get(0);
        assertThat(l.name()).isEqualTo("inc");
        assertThat(l.transport()).isEqualTo(Transport.WS);
        assertThat(l.anonymous()).isEqualTo(AnonymousAccess.LOOPBACK_ONLY);
        assertThat(l.anonymousPermissions()).contains(Permissions.allowAll());
        assertThat(l.webSocketPath()).isEqualTo("/ws");
        assertThat(s.ioThreads()).isEqualTo(2);
    }

    @Test
    void syntaxErrorsNameTheFileAndLine() throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "gatehouse {\n  io-threads = = 2\n");
        assertThatThrownBy(() -> GatehouseConfig.parseFile(bad, Map.of())).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p.path()).contains("bad.conf").contains("2")));
        assertThatThrownBy(() -> GatehouseConfig.parseFile(dir.resolve("nope.conf"), Map.of()))
                .hasMessageEndingWith("nope.conf: no such configuration file");
    }

    @Test
    void renderMasksSecrets() {
        String out = GatehouseConfig.parseString("""
                gatehouse.authentication = [ { type = jwt, secret = "hunter2", issuer = "me" } ]
                gatehouse.listeners = [ { name = t, type = tls, bind = "0.0.0.0:8883", tls { pkcs12 = "a.p12", password = "pw123" } } ]
                """, Path.of(""), Map.of()).render(true);
        assertThat(out).doesNotContain("hunter2").doesNotContain("pw123").contains("issuer").contains("a.p12")
                .contains("\"***\"");
    }
}

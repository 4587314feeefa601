package dev.gatehouse.authn.jwt;

import static dev.gatehouse.authn.jwt.testing.Harness.ask;
import static dev.gatehouse.authn.jwt.testing.Harness.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.authn.jwt.acl.AclParser;
import dev.gatehouse.authn.jwt.acl.AclPolicy;
import dev.gatehouse.authn.jwt.acl.MalformedAclException;
import dev.gatehouse.authn.jwt.testing.TestContext;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.CompiledPermissions;
import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.PlaceholderValues;
import dev.gatehouse.authn.spi.acl.Rule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Both EMQX ACL claim forms become Permissions; anything malformed refuses the client. */
class AclClaimTest {
    static final String SECRET = "acl-test-secret-0123456789abcdefghij";
    final TestContext ctx = new TestContext();

    @AfterEach
    void close() throws Exception {
        ctx.close();
    }

    @Test
    void objectFormIsAllowLists() throws Exception {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("pub", List.of("devices/${clientid}/up", "eq literal/#"));
        claim.put("sub", List.of("devices/${clientid}/down/#"));
        claim.put("all", List.of("shared/${username}/+"));
        List<Rule> rules = AclParser.parse(claim);
        assertThat(rules).containsExactly(
                Rule.allow(Action.PUBLISH, "devices/${clientid}/up"),
                Rule.allow(Action.PUBLISH, "eq literal/#"),
                Rule.allow(Action.SUBSCRIBE, "devices/${clientid}/down/#"),
                Rule.allow(Action.ALL, "shared/${username}/+"));
        CompiledPermissions p = Permissions.of(rules, Effect.DENY).compile(PlaceholderValues.of("d1", "u", null));
        assertThat(p.checkPublish("devices/d1/up", 1, false).allowed()).isTrue();
        assertThat(p.checkPublish("devices/d2/up", 1, false).allowed()).isFalse();
        assertThat(p.checkSubscribe("devices/d1/down/x", 1).allowed()).isTrue();
        assertThat(p.checkSubscribe("literal/#", 0).allowed()).isFalse();
    }

    @Test
    void ruleListFormKeepsOrderQosAndRetain() throws Exception {
        List<Object> claim = List.of(
                Map.of("permission", "deny", "action", "publish", "topic", "devices/${clientid}/config"),
                Map.of("permission", "allow", "action", "all", "topic", "devices/${clientid}/#", "qos", List.of(0, 1)),
                Map.of("permission", "allow", "action", "pub", "topics", List.of("a", "b"), "retain", false),
                Map.of("permission", "allow", "action", "subscribe", "topic", "c/#", "qos", 2, "retain", "all"));
        List<Rule> rules = AclParser.parse(claim);
        assertThat(rules).containsExactly(
                Rule.deny(Action.PUBLISH, "devices/${clientid}/config"),
                Rule.allow(Action.ALL, "devices/${clientid}/#").withQos(0, 1),
                Rule.allow(Action.PUBLISH, "a").withRetain(false),
                Rule.allow(Action.PUBLISH, "b").withRetain(false),
                new Rule(Effect.ALLOW, Action.SUBSCRIBE, "c/#", Set.of(2), Optional.empty()));
    }

    @Test
    void malformedClaimsAreRejected() {
        List<Object> bad = List.of(
                "pub",
                42,
                Map.of("publish", List.of("a")),
                Map.of("pub", "a/b"),
                Map.of("pub", List.of(1)),
                Map.of("pub", List.of("a/#/b")),
                Map.of("pub", List.of("${secret}/x")),
                List.of("allow all #"),
                List.of(Map.of("permission", "maybe", "action", "all", "topic", "#")),
                List.of(Map.of("permission", "allow", "action", "read", "topic", "#")),
                List.of(Map.of("permission", "allow", "topic", "#")),
                List.of(Map.of("permission", "allow", "action", "all")),
                List.of(Map.of("permission", "allow", "action", "all", "topic", "#", "qos", 3)),
                List.of(Map.of("permission", "allow", "action", "all", "topic", "#", "retain", "sometimes")),
                List.of(Map.of("permission", "allow", "action", "all", "topic", "#", "extra", 1)),
                List.of(Map.of("permission", "allow", "action", "all", "topic", "", "qos", List.of())));
        for (Object b : bad) {
            assertThatThrownBy(() -> AclParser.parse(b)).as("%s", b).isInstanceOf(MalformedAclException.class);
        }
    }

    @Test
    void absentClaimUsesDefaultsAndFallThroughIsOptIn() throws Exception {
        Permissions defaults = AclPolicy.parseDefaults(List.of(
                Map.of("permission", "allow", "action", "subscribe", "topic", "public/#")));
        AclPolicy strict = new AclPolicy("acl", defaults, false);
        AclPolicy lenient = new AclPolicy("acl", defaults, true);
        assertThat(strict.permissionsFor(null)).isEqualTo(defaults);
        Map<String, Object> claim = Map.of("pub", List.of("x"));
        assertThat(strict.permissionsFor(claim).rules()).hasSize(1);
        assertThat(strict.permissionsFor(claim).defaultEffect()).isEqualTo(Effect.DENY);
        assertThat(lenient.permissionsFor(claim).rules()).hasSize(2);
        assertThat(AclPolicy.parseDefaults("allow-all")).isEqualTo(Permissions.allowAll());
        assertThat(AclPolicy.parseDefaults("deny-all")).isEqualTo(Permissions.denyAll());
        assertThatThrownBy(() -> AclPolicy.parseDefaults("everything")).isInstanceOf(MalformedAclException.class);
    }

    @Test
    void aMalformedAclClaimRefusesTheConnection() {
        var a = create(ctx, Map.of("secret", SECRET, "default-permissions", "allow-all"));
        String t = JWT.create().withSubject("d").withExpiresAt(ctx.clock.instant().plusSeconds(60))
                .withClaim("acl", Map.of("pub", "not-a-list")).sign(Algorithm.HMAC256(SECRET));
        AuthDecision d = ask(a, t);
        assertThat(d).isInstanceOfSatisfying(AuthDecision.Failure.class, f -> {
            assertThat(f.reason()).isEqualTo(FailureReason.NOT_AUTHORIZED);
            assertThat(f.logMessage()).startsWith("malformed acl claim: claim acl: pub must be a list");
        });
        String asString = JWT.create().withSubject("d").withExpiresAt(ctx.clock.instant().plusSeconds(60))
                .withClaim("acl", "pub=#").sign(Algorithm.HMAC256(SECRET));
        assertThat(ask(a, asString)).isInstanceOf(AuthDecision.Failure.class);
    }

    @Test
    void aCustomClaimNameIsRead() {
        var a = create(ctx, Map.of("secret", SECRET, "acl-claim", "mqtt_acl"));
        String t = JWT.create().withSubject("d").withExpiresAt(ctx.clock.instant().plusSeconds(60))
                .withClaim("mqtt_acl", Map.of("sub", List.of("s/#"))).sign(Algorithm.HMAC256(SECRET));
        assertThat(ask(a, t)).isInstanceOfSatisfying(AuthDecision.Success.class,
                s -> assertThat(s.permissions().rules()).containsExactly(Rule.allow(Action.SUBSCRIBE, "s/#")));
    }
}

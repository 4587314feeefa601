package dev.gatehouse.authn.jwt;

import static dev.gatehouse.authn.jwt.testing.Harness.ask;
import static dev.gatehouse.authn.jwt.testing.Harness.create;
import static dev.gatehouse.authn.jwt.testing.Harness.withPassword;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.authn.jwt.testing.TestContext;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.FailureReason;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** exp / nbf / iat with leeway, required claims, issuer, audience and verify-claims with placeholders. */
class ClaimChecksTest {
    static final String SECRET = "claims-test-secret-0123456789abcdef";
    final TestContext ctx = new TestContext();

    @AfterEach
    void close() throws Exception {
        ctx.close();
    }

    private JwtAuthenticator auth(Map<String, Object> extra) {
        Map<String, Object> s = new HashMap<>(Map.of("secret", SECRET));
        s.putAll(extra);
        return create(ctx, s);
    }

    private Instant now() {
        return ctx.clock.instant();
    }

    private static String sign(JWTCreator.Builder b) {
        return b.sign(Algorithm.HMAC256(SECRET));
    }

    private static AuthDecision.Failure failure(AuthDecision d) {
        assertThat(d).isInstanceOf(AuthDecision.Failure.class);
        return (AuthDecision.Failure) d;
    }

    @Test
    void expiryHonoursTheLeeway() {
        var a = auth(Map.of("leeway", "10s"));
        String t = sign(JWT.create().withSubject("d").withExpiresAt(now().plusSeconds(5)));
        assertThat(ask(a, t)).isInstanceOfSatisfying(AuthDecision.Success.class,
                s -> assertThat(s.expiresAt()).contains(now().plusSeconds(15)));
        ctx.clock.advance(Duration.ofSeconds(14));
        assertThat(ask(a, t)).as("within leeway").isInstanceOf(AuthDecision.Success.class);
        ctx.clock.advance(Duration.ofSeconds(1));
        AuthDecision.Failure f = failure(ask(a, t));
        assertThat(f.reason()).isEqualTo(FailureReason.BAD_CREDENTIALS);
        assertThat(f.logMessage()).startsWith("token expired").contains("sub=d");
        assertThat(f.reasonString()).contains("token expired");
    }

    @Test
    void defaultLeewayIsThirtySecondsAndExpIsRequiredByDefault() {
        var a = auth(Map.of());
        String t = sign(JWT.create().withSubject("d").withExpiresAt(now().minusSeconds(29)));
        assertThat(ask(a, t)).isInstanceOf(AuthDecision.Success.class);
        assertThat(failure(ask(a, sign(JWT.create().withSubject("d").withExpiresAt(now().minusSeconds(31)))))
                .logMessage()).startsWith("token expired");
        assertThat(failure(ask(a, sign(JWT.create().withSubject("d")))).logMessage())
                .startsWith("missing claim: claim exp is required");
        var noExpNeeded = auth(Map.of("require", List.of()));
        assertThat(ask(noExpNeeded, sign(JWT.create().withSubject("d")))).isInstanceOfSatisfying(
                AuthDecision.Success.class, s -> assertThat(s.expiresAt()).isEmpty());
    }

    @Test
    void notBeforeAndIssuedAtInTheFutureAreRefused() {
        var a = auth(Map.of("leeway", "5s"));
        Instant exp = now().plusSeconds(3600);
        assertThat(failure(ask(a, sign(JWT.create().withExpiresAt(exp).withNotBefore(now().plusSeconds(60)))))
                .logMessage()).startsWith("token not yet valid");
        assertThat(ask(a, sign(JWT.create().withExpiresAt(exp).withNotBefore(now().plusSeconds(4)))))
                .isInstanceOf(AuthDecision.Success.class);
        assertThat(failure(ask(a, sign(JWT.create().withExpiresAt(exp).withIssuedAt(now().plusSeconds(60)))))
                .logMessage()).startsWith("token issued in the future");
        var aged = auth(Map.of("max-age", "1h", "leeway", "0s"));
        assertThat(failure(ask(aged, sign(JWT.create().withExpiresAt(exp).withIssuedAt(now().minusSeconds(7200)))))
                .logMessage()).startsWith("token too old");
    }

    @Test
    void numericDatesMustBeNumbers() {
        var a = auth(Map.of());
        String t = sign(JWT.create().withClaim("exp", "tomorrow"));
        assertThat(failure(ask(a, t)).logMessage()).startsWith("malformed token");
    }

    @Test
    void issuerAndAudienceAreAnyOf() {
        var a = auth(Map.of("issuer", List.of("https://idp-a", "https://idp-b"), "audience", List.of("mqtt", "gatehouse")));
        Instant exp = now().plusSeconds(60);
        assertThat(ask(a, sign(JWT.create().withExpiresAt(exp).withIssuer("https://idp-b").withAudience("other", "mqtt"))))
                .isInstanceOf(AuthDecision.Success.class);
        AuthDecision.Failure wrongIss = failure(ask(a, sign(JWT.create().withExpiresAt(exp).withIssuer("https://evil")
                .withAudience("mqtt"))));
        assertThat(wrongIss.reason()).isEqualTo(FailureReason.NOT_AUTHORIZED);
        assertThat(wrongIss.logMessage()).startsWith("issuer not accepted");
        AuthDecision.Failure wrongAud = failure(ask(a, sign(JWT.create().withExpiresAt(exp).withIssuer("https://idp-a")
                .withAudience("other"))));
        assertThat(wrongAud.logMessage()).startsWith("audience not accepted");
        assertThat(failure(ask(a, sign(JWT.create().withExpiresAt(exp).withIssuer("https://idp-a")))).logMessage())
                .startsWith("audience not accepted");
        var single = auth(Map.of("issuer", "https://idp-a"));
        assertThat(ask(single, sign(JWT.create().withExpiresAt(exp).withIssuer("https://idp-a"))))
                .isInstanceOf(AuthDecision.Success.class);
    }

    @Test
    void verifyClaimsWithPlaceholdersScalarsAndArrays() {
        Map<String, Object> vc = new HashMap<>();
        vc.put("sub", "${clientid}");
        vc.put("owner", "user-${username}");
        vc.put("level", 3);
        vc.put("active", true);
        vc.put("groups", "sensors");
        var a = auth(Map.of("verify-claims", vc));
        Instant exp = now().plusSeconds(60);
        JWTCreator.Builder good = JWT.create().withExpiresAt(exp).withSubject("dev-7").withClaim("owner", "user-alice")
                .withClaim("level", 3).withClaim("active", true).withClaim("groups", List.of("admins", "sensors"));
        assertThat(ask(a, withPassword("dev-7", "alice", sign(good)))).isInstanceOf(AuthDecision.Success.class);

        AuthDecision.Failure otherClient = failure(ask(a, withPassword("dev-8", "alice", sign(good))));
        assertThat(otherClient.reason()).isEqualTo(FailureReason.NOT_AUTHORIZED);
        assertThat(otherClient.logMessage()).startsWith("claim mismatch: claim sub");
        assertThat(failure(ask(a, withPassword("dev-7", "bob", sign(good)))).logMessage()).contains("claim owner");
        assertThat(failure(ask(a, withPassword("dev-7", "alice", sign(good.withClaim("level", 4))))).logMessage())
                .contains("claim level");
        assertThat(failure(ask(a, withPassword("dev-7", "alice", sign(good.withClaim("level", 3)
                .withClaim("active", false))))).logMessage()).contains("claim active");
        assertThat(failure(ask(a, withPassword("dev-7", "alice", sign(good.withClaim("active", true)
                .withClaim("groups", List.of("admins")))))).logMessage()).contains("claim groups");
        // A missing user name never satisfies ${username}.
        assertThat(failure(ask(a, withPassword("dev-7", null, sign(good.withClaim("groups", List.of("sensors"))))))
                .logMessage()).contains("claim owner");
    }
}

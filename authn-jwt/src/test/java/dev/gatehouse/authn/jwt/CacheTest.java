package dev.gatehouse.authn.jwt;

import static dev.gatehouse.authn.jwt.testing.Harness.ask;
import static dev.gatehouse.authn.jwt.testing.Harness.create;
import static dev.gatehouse.authn.jwt.testing.Harness.withPassword;
import static dev.gatehouse.authn.jwt.testing.Tokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.authn.jwt.cache.VerifiedTokenCache;
import dev.gatehouse.authn.jwt.testing.MutableClock;
import dev.gatehouse.authn.jwt.testing.TestContext;
import dev.gatehouse.authn.jwt.testing.TestKeys;
import dev.gatehouse.authn.spi.AuthDecision;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The verified-token cache: bounded, valid until exp, per key-set generation, claims re-checked. */
class CacheTest {
    final TestContext ctx = new TestContext();

    @AfterEach
    void close() throws Exception {
        ctx.close();
    }

    private static DecodedJWT jwt(Instant exp) {
        return JWT.decode(JWT.create().withExpiresAt(exp).sign(Algorithm.HMAC256("x".repeat(32))));
    }

    @Test
    void boundedLeastRecentlyUsedFirst() {
        MutableClock clock = MutableClock.atSystemNow();
        VerifiedTokenCache c = new VerifiedTokenCache(2, Duration.ofMinutes(10), clock);
        DecodedJWT j = jwt(clock.instant().plusSeconds(60));
        ByteBuffer a = VerifiedTokenCache.keyOf("a");
        ByteBuffer b = VerifiedTokenCache.keyOf("b");
        ByteBuffer d = VerifiedTokenCache.keyOf("d");
        c.put(a, j, null, 1);
        c.put(b, j, null, 1);
        assertThat(c.get(a, 1)).isPresent();
        c.put(d, j, null, 1);
        assertThat(c.size()).isEqualTo(2);
        assertThat(c.get(b, 1)).as("least recently used went first").isEmpty();
        assertThat(c.get(a, 1)).isPresent();
        assertThat(c.get(d, 1)).isPresent();
    }

    @Test
    void validUntilExpOrTtlAndOnlyForItsGeneration() {
        MutableClock clock = MutableClock.atSystemNow();
        VerifiedTokenCache c = new VerifiedTokenCache(10, Duration.ofMinutes(10), clock);
        ByteBuffer k = VerifiedTokenCache.keyOf("t");
        c.put(k, jwt(clock.instant().plusSeconds(30)), "kid", 7);
        assertThat(c.get(k, 8)).as("another key-set generation").isEmpty();
        c.put(k, jwt(clock.instant().plusSeconds(30)), "kid", 7);
        clock.advance(Duration.ofSeconds(29));
        assertThat(c.get(k, 7)).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(c.get(k, 7)).as("expired with the token").isEmpty();

        c.put(k, jwt(clock.instant().plus(Duration.ofDays(1))), "kid", 7);
        clock.advance(Duration.ofMinutes(10));
        assertThat(c.get(k, 7)).as("ttl caps tokens that live long").isEmpty();

        c.put(k, jwt(clock.instant().plusSeconds(60)), "kid", 7);
        c.clear();
        assertThat(c.get(k, 7)).isEmpty();

        VerifiedTokenCache off = new VerifiedTokenCache(0, Duration.ofMinutes(10), clock);
        off.put(k, jwt(clock.instant().plusSeconds(60)), null, 1);
        assertThat(off.get(k, 1)).isEmpty();
    }

    @Test
    void aReconnectStormCostsOneRsaVerificationButClaimsAreCheckedEveryTime() {
        KeyPair rsa = TestKeys.rsa();
        var a = create(ctx, Map.of("public-key", TestKeys.publicPem(rsa), "leeway", "0s",
                "verify-claims", Map.of("sub", "${clientid}")));
        String t = token(ctx.clock, "dev-1").withExpiresAt(ctx.clock.instant().plusSeconds(100)).sign(TestKeys.rs256(rsa));
        for (int i = 0; i < 20; i++) {
            assertThat(ask(a, withPassword("dev-1", null, t))).isInstanceOf(AuthDecision.Success.class);
        }
        assertThat(a.cache().size()).isEqualTo(1);
        assertThat(a.cache().hits()).isEqualTo(19);
        assertThat(ask(a, withPassword("dev-2", null, t))).as("claims are not cached")
                .isInstanceOf(AuthDecision.Failure.class);
        ctx.clock.advance(Duration.ofSeconds(100));
        assertThat(ask(a, withPassword("dev-1", null, t))).as("expiry is not cached")
                .isInstanceOf(AuthDecision.Failure.class);
    }

    @Test
    void aBadSignatureIsNeverCached() {
        KeyPair rsa = TestKeys.rsa();
        var a = create(ctx, Map.of("public-key", TestKeys.publicPem(rsa)));
        String forged = token(ctx.clock, "x").sign(TestKeys.rs256(TestKeys.rsa()));
        assertThat(ask(a, forged)).isInstanceOf(AuthDecision.Failure.class);
        assertThat(ask(a, forged)).isInstanceOf(AuthDecision.Failure.class);
        assertThat(a.cache().size()).isZero();
    }
}

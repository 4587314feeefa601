package dev.gatehouse.authn.jwt;

import static dev.gatehouse.authn.jwt.testing.Harness.ask;
import static dev.gatehouse.authn.jwt.testing.Harness.create;
import static dev.gatehouse.authn.jwt.testing.Tokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.authn.jwt.testing.TestContext;
import dev.gatehouse.authn.jwt.testing.TestKeys;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.FailureReason;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every supported algorithm verifies with its configured key, and only the configured ones are accepted. */
class AlgorithmTest {
    static KeyPair rsa;
    static KeyPair otherRsa;
    final TestContext ctx = new TestContext();

    @BeforeAll
    static void keys() {
        rsa = TestKeys.rsa();
        otherRsa = TestKeys.rsa();
    }

    @AfterEach
    void close() throws Exception {
        ctx.close();
    }

    private static void admitted(AuthDecision d) {
        assertThat(d).isInstanceOf(AuthDecision.Success.class);
    }

    private static void refused(AuthDecision d, String why) {
        assertThat(d).isInstanceOfSatisfying(AuthDecision.Failure.class, f -> {
            assertThat(f.reason()).isEqualTo(FailureReason.BAD_CREDENTIALS);
            assertThat(f.logMessage()).contains(why);
        });
    }

    @Test
    void hmacWithRawAndBase64Secrets() {
        byte[] secret = TestKeys.secret(64);
        String b64 = Base64.getEncoder().encodeToString(secret);
        var a = create(ctx, Map.of("secret", b64, "secret-base64", true, "algorithms", List.of("HS256", "HS384", "HS512")));
        admitted(ask(a, token(ctx.clock, "d").sign(Algorithm.HMAC256(secret))));
        admitted(ask(a, token(ctx.clock, "d").sign(Algorithm.HMAC384(secret))));
        admitted(ask(a, token(ctx.clock, "d").sign(Algorithm.HMAC512(secret))));
        refused(ask(a, token(ctx.clock, "d").sign(Algorithm.HMAC256(TestKeys.secret(64)))), "bad signature");

        String raw = "a-raw-secret-that-is-long-enough-for-hs256";
        var r = create(ctx, Map.of("secret", raw));
        admitted(ask(r, token(ctx.clock, "d").sign(Algorithm.HMAC256(raw))));
        refused(ask(r, token(ctx.clock, "d").sign(Algorithm.HMAC384("a-raw-secret-that-is-long-enough-for-hs256-and-hs384!!"))),
                "algorithm not allowed");
        assertThat(ctx.blockingThreads).as("HMAC runs inline").isEmpty();
    }

    @Test
    void rsaFamilyOffTheCallingThread() {
        var a = create(ctx, Map.of("public-key", TestKeys.publicPem(rsa),
                "algorithms", List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")));
        RSAPublicKey pub = (RSAPublicKey) rsa.getPublic();
        RSAPrivateKey priv = (RSAPrivateKey) rsa.getPrivate();
        for (Algorithm alg : List.of(Algorithm.RSA256(pub, priv), Algorithm.RSA384(pub, priv), Algorithm.RSA512(pub, priv),
                Algorithm.RSA256PSS(pub, priv), Algorithm.RSA384PSS(pub, priv), Algorithm.RSA512PSS(pub, priv))) {
            admitted(ask(a, token(ctx.clock, alg.getName()).sign(alg)));
        }
        refused(ask(a, token(ctx.clock, "d").sign(TestKeys.rs256(otherRsa))), "bad signature");
        assertThat(ctx.blockingThreads).as("RSA runs on the blocking executor").isNotEmpty();
    }

    @Test
    void ecdsaOnEachCurveAndOnlyWithItsOwnAlgorithm() {
        KeyPair p256 = TestKeys.ec("secp256r1");
        KeyPair p384 = TestKeys.ec("secp384r1");
        KeyPair p521 = TestKeys.ec("secp521r1");
        var a = create(ctx, Map.of("keys", List.of(
                Map.of("kid", "p256", "public-key", TestKeys.publicPem(p256)),
                Map.of("kid", "p384", "public-key", TestKeys.publicPem(p384)),
                Map.of("kid", "p521", "public-key", TestKeys.publicPem(p521)))));
        assertThat(a.config().algorithms()).containsExactlyInAnyOrder(
                dev.gatehouse.authn.jwt.keys.JwtAlgorithm.ES256, dev.gatehouse.authn.jwt.keys.JwtAlgorithm.ES384,
                dev.gatehouse.authn.jwt.keys.JwtAlgorithm.ES512);
        admitted(ask(a, token(ctx.clock, "d").withKeyId("p256").sign(es(p256, 256))));
        admitted(ask(a, token(ctx.clock, "d").withKeyId("p384").sign(es(p384, 384))));
        admitted(ask(a, token(ctx.clock, "d").withKeyId("p521").sign(es(p521, 512))));
        refused(ask(a, token(ctx.clock, "d").withKeyId("nope").sign(es(p256, 256))), "unknown key");
        refused(ask(a, token(ctx.clock, "d").withKeyId("p384").sign(es(p256, 256))), "unknown key");
    }

    @Test
    void ed25519OnBouncyCastle() {
        TestKeys.Ed25519 ed = TestKeys.ed25519();
        var a = create(ctx, Map.of("public-key", ed.publicPem(), "algorithms", List.of("EdDSA")));
        admitted(ask(a, token(ctx.clock, "tiny-device").sign(ed.signer())));
        refused(ask(a, token(ctx.clock, "tiny-device").sign(TestKeys.ed25519().signer())), "bad signature");
    }

    @Test
    void algorithmsOutsideTheConfiguredSetAreRefusedEvenWithAFittingKey() {
        var a = create(ctx, Map.of("public-key", TestKeys.publicPem(rsa), "algorithms", List.of("RS256")));
        RSAPublicKey pub = (RSAPublicKey) rsa.getPublic();
        RSAPrivateKey priv = (RSAPrivateKey) rsa.getPrivate();
        refused(ask(a, token(ctx.clock, "d").sign(Algorithm.RSA512(pub, priv))), "alg RS512 is not among");
        refused(ask(a, token(ctx.clock, "d").sign(Algorithm.RSA256PSS(pub, priv))), "alg PS256 is not among");
    }

    @Test
    void tokensWithAKidStillVerifyWithASingleKidlessKey() {
        var a = create(ctx, Map.of("public-key", TestKeys.publicPem(rsa)));
        admitted(ask(a, token(ctx.clock, "d").withKeyId("issuer-key-7").sign(TestKeys.rs256(rsa))));
    }

    private static Algorithm es(KeyPair p, int bits) {
        ECPublicKey pub = (ECPublicKey) p.getPublic();
        ECPrivateKey priv = (ECPrivateKey) p.getPrivate();
        return bits == 256 ? Algorithm.ECDSA256(pub, priv) : bits == 384 ? Algorithm.ECDSA384(pub, priv)
                : Algorithm.ECDSA512(pub, priv);
    }
}

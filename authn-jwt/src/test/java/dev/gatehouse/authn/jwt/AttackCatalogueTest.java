package dev.gatehouse.authn.jwt;

import static dev.gatehouse.authn.jwt.testing.Harness.ask;
import static dev.gatehouse.authn.jwt.testing.Harness.create;
import static dev.gatehouse.authn.jwt.testing.Tokens.b64;
import static dev.gatehouse.authn.jwt.testing.Tokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.authn.jwt.testing.Jwks;
import dev.gatehouse.authn.jwt.testing.JwksServer;
import dev.gatehouse.authn.jwt.testing.TestContext;
import dev.gatehouse.authn.jwt.testing.TestKeys;
import dev.gatehouse.authn.jwt.testing.Tokens;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.FailureReason;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Known JWT attacks: each is refused, with a log message saying why. */
class AttackCatalogueTest {
    static KeyPair rsa;
    static KeyPair attacker;
    static final String SECRET = "an-hmac-secret-that-is-at-least-32-bytes-long";
    final TestContext ctx = new TestContext();

    @BeforeAll
    static void keys() {
        rsa = TestKeys.rsa();
        attacker = TestKeys.rsa();
    }

    @AfterEach
    void close() throws Exception {
        ctx.close();
    }

    private JwtAuthenticator rsaOnly() {
        return create(ctx, Map.of("public-key", TestKeys.publicPem(rsa), "algorithms", List.of("RS256")));
    }

    private static void refused(AuthDecision d, String why) {
        assertThat(d).isInstanceOfSatisfying(AuthDecision.Failure.class, f -> {
            assertThat(f.reason()).isEqualTo(FailureReason.BAD_CREDENTIALS);
            assertThat(f.logMessage()).contains(why);
            assertThat(f.reasonString()).isPresent();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE", ""})
    void algNoneIsRefused(String alg) {
        String forged = Tokens.unsigned("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", Tokens.payload(ctx.clock, "admin"));
        refused(ask(rsaOnly(), forged), "algorithm not allowed");
        refused(ask(create(ctx, Map.of("secret", SECRET)), forged), "algorithm not allowed");
        String noAlg = Tokens.unsigned("{\"typ\":\"JWT\"}", Tokens.payload(ctx.clock, "admin"));
        refused(ask(rsaOnly(), noAlg), "alg missing");
    }

    @Test
    void hs256SignedWithTheRsaPublicKeyIsRefused() {
        String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        String payload = Tokens.payload(ctx.clock, "admin");
        byte[] pemBytes = TestKeys.publicPem(rsa).getBytes(StandardCharsets.UTF_8);
        byte[] derBytes = rsa.getPublic().getEncoded();
        // Only RS256 configured: HS256 is not even considered.
        refused(ask(rsaOnly(), Tokens.hs256(header, payload, pemBytes)), "algorithm not allowed");
        refused(ask(rsaOnly(), Tokens.hs256(header, payload, derBytes)), "algorithm not allowed");
        // Both families configured: HS256 only ever uses the configured secret, never the public key.
        var both = create(ctx, Map.of("secret", SECRET, "public-key", TestKeys.publicPem(rsa),
                "algorithms", List.of("RS256", "HS256")));
        refused(ask(both, Tokens.hs256(header, payload, pemBytes)), "bad signature");
        refused(ask(both, Tokens.hs256(header, payload, derBytes)), "bad signature");
        assertThat(ask(both, Tokens.hs256(header, payload, SECRET.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(AuthDecision.Success.class);
    }

    @Test
    void strippedOrSwappedSignaturesAreRefused() {
        String good = token(ctx.clock, "dev").sign(TestKeys.rs256(rsa));
        String[] parts = good.split("\\.");
        refused(ask(rsaOnly(), parts[0] + "." + parts[1] + "."), "signature is empty");
        refused(ask(rsaOnly(), parts[0] + "." + parts[1]), "malformed");
        String other = token(ctx.clock, "admin").sign(TestKeys.rs256(rsa));
        String[] o = other.split("\\.");
        refused(ask(rsaOnly(), o[0] + "." + o[1] + "." + parts[2]), "bad signature");
        String tampered = parts[0] + "." + b64(Tokens.payload(ctx.clock, "admin")) + "." + parts[2];
        refused(ask(rsaOnly(), tampered), "bad signature");
        refused(ask(rsaOnly(), token(ctx.clock, "x").sign(TestKeys.rs256(attacker))), "bad signature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../../etc/passwd", "/dev/null", "file:///etc/shadow", "..\\..\\windows",
            "k1' OR '1'='1", "https://evil.example/jwks.json"})
    void kidWithPathCharactersIsJustAnUnknownKid(String kid) throws Exception {
        var keyed = create(ctx, Map.of("keys", List.of(Map.of("kid", "k1", "public-key", TestKeys.publicPem(rsa)))));
        refused(ask(keyed, token(ctx.clock, "x").withKeyId(kid).sign(TestKeys.rs256(attacker))), "unknown key");
        refused(ask(keyed, token(ctx.clock, "x").withKeyId(kid).sign(TestKeys.rs256(rsa))), "unknown key");
    }

    @Test
    void kidWithControlCharactersIsMalformed() {
        var keyed = create(ctx, Map.of("keys", List.of(Map.of("kid", "k1", "public-key", TestKeys.publicPem(rsa)))));
        refused(ask(keyed, token(ctx.clock, "x").withKeyId("k1\u0000\n").sign(TestKeys.rs256(rsa))), "kid is not");
        refused(ask(keyed, token(ctx.clock, "x").withKeyId("k".repeat(300)).sign(TestKeys.rs256(rsa))), "kid is not");
    }

    @Test
    void jkuX5uAndJwkHeadersAreIgnored() throws Exception {
        try (JwksServer evil = new JwksServer(Jwks.set().rsa("evil", attacker.getPublic()).json())) {
            var a = rsaOnly();
            String jku = token(ctx.clock, "admin").withKeyId("evil")
                    .withHeader(Map.of("jku", evil.url().toString())).sign(TestKeys.rs256(attacker));
            String x5u = token(ctx.clock, "admin").withKeyId("evil")
                    .withHeader(Map.of("x5u", evil.url("/cert.pem").toString())).sign(TestKeys.rs256(attacker));
            Map<String, Object> jwk = Map.of("kty", "RSA", "kid", "evil", "n", Jwks.b64(
                    ((java.security.interfaces.RSAPublicKey) attacker.getPublic()).getModulus().toByteArray()), "e", "AQAB");
            String embedded = token(ctx.clock, "admin").withHeader(Map.of("jwk", jwk)).sign(TestKeys.rs256(attacker));
            refused(ask(a, jku), "bad signature");
            refused(ask(a, x5u), "bad signature");
            refused(ask(a, embedded), "bad signature");
            assertThat(evil.requests()).as("nothing is ever fetched from a token's header").isZero();
        }
    }

    @Test
    void critHeadersOversizedTokensAndGarbageAreRefused() {
        String crit = token(ctx.clock, "x").withHeader(Map.of("crit", List.of("exp"), "exp", 1)).sign(TestKeys.rs256(rsa));
        refused(ask(rsaOnly(), crit), "crit");
        String big = token(ctx.clock, "x").withClaim("pad", "p".repeat(10_000)).sign(TestKeys.rs256(rsa));
        refused(ask(rsaOnly(), big), "longer than");
        refused(ask(rsaOnly(), "not-a-token"), "malformed");
        refused(ask(rsaOnly(), "a.b.c"), "malformed");
        refused(ask(rsaOnly(), b64("{\"alg\":\"RS256\"}") + "." + b64("[1,2]") + ".c2ln"), "malformed");
    }

    @Test
    void anHmacTokenIsNeverVerifiedWithAnRsaKeyNorTheOtherWayRound() {
        var a = create(ctx, Map.of("secret", SECRET, "algorithms", List.of("HS256", "RS256")
                , "public-key", TestKeys.publicPem(rsa)));
        // RS256 signed by the attacker with a kid: no HMAC secret is ever tried for RS256.
        refused(ask(a, token(ctx.clock, "x").sign(TestKeys.rs256(attacker))), "bad signature");
        assertThat(ask(a, token(ctx.clock, "x").sign(Algorithm.HMAC256(SECRET)))).isInstanceOf(AuthDecision.Success.class);
        assertThat(ask(a, token(ctx.clock, "x").sign(TestKeys.rs256(rsa)))).isInstanceOf(AuthDecision.Success.class);
    }
}

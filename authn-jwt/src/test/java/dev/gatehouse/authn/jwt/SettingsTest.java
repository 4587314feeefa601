package dev.gatehouse.authn.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.jwt.keys.JwtAlgorithm;
import dev.gatehouse.authn.jwt.testing.TestContext;
import dev.gatehouse.authn.jwt.testing.TestKeys;
import dev.gatehouse.authn.spi.AuthenticatorFactories;
import dev.gatehouse.authn.spi.AuthenticatorFactory;
import dev.gatehouse.authn.spi.MapSettings;
import dev.gatehouse.authn.spi.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory is found by type, reads every option, and names the setting path in every error. */
class SettingsTest {
    static final String ROOT = "gatehouse.authentication.0";
    static final String SECRET = "settings-test-secret-0123456789abcdef";
    final TestContext ctx = new TestContext();

    @AfterEach
    void close() throws Exception {
        ctx.close();
    }

    private static AuthenticatorFactory factory() {
        return AuthenticatorFactories.find("jwt", SettingsTest.class.getClassLoader()).orElseThrow();
    }

    private JwtAuthenticator create(Map<String, ?> s) {
        return (JwtAuthenticator) factory().create(MapSettings.of(ROOT, s), ctx.context());
    }

    private void fails(Map<String, ?> s, String path, String problem) {
        assertThatThrownBy(() -> create(s)).isInstanceOfSatisfying(SettingsException.class, e -> {
            assertThat(e.path()).isEqualTo(ROOT + "." + path);
            assertThat(e.problem()).contains(problem);
        });
    }

    @Test
    void foundByServiceLoaderWithSensibleDefaults() {
        assertThat(factory()).isInstanceOf(JwtAuthenticatorFactory.class);
        JwtAuthenticator a = create(Map.of("secret", SECRET));
        JwtConfig c = a.config();
        assertThat(a.name()).isEqualTo("jwt");
        assertThat(a.authenticationMethods()).containsExactly("JWT");
        assertThat(c.from()).isEqualTo(TokenSource.PASSWORD);
        assertThat(c.algorithms()).containsExactly(JwtAlgorithm.HS256);
        assertThat(c.claims().leeway()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.claims().required()).containsExactly("exp");
        assertThat(c.acl().claim()).isEqualTo("acl");
        assertThat(c.disconnectOnExpiry()).isTrue();
        assertThat(c.cacheSize()).isEqualTo(10_000);
    }

    @Test
    void readsEveryOption(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("key.pem");
        Files.writeString(pem, TestKeys.publicPem(TestKeys.ec("secp256r1")));
        Map<String, Object> s = new HashMap<>();
        s.put("name", "devices-jwt");
        s.put("from", "username");
        s.put("method", "OAUTH-JWT");
        s.put("algorithms", List.of("es256", "RS256"));
        s.put("public-key-file", pem.toString());
        s.put("jwks", Map.of("url", "https://idp.example/.well-known/jwks.json", "refresh-interval", "10m",
                "min-refresh-gap", "1m", "connect-timeout", "2s", "read-timeout", "3s", "max-size", 65536));
        s.put("leeway", "5s");
        s.put("require", List.of("exp", "sub"));
        s.put("issuer", "https://idp.example/");
        s.put("audience", List.of("mqtt"));
        s.put("verify-claims", Map.of("sub", "${clientid}", "tier", 2));
        s.put("max-age", "1d");
        s.put("acl-claim", "permissions");
        s.put("acl-fall-through", true);
        s.put("default-permissions", Map.of("sub", List.of("public/#")));
        s.put("disconnect-on-expiry", false);
        s.put("cache", Map.of("size", 5, "ttl", "1m"));
        s.put("max-token-size", 4096);
        s.put("principal-claim", "email");
        s.put("non-jwt", "abstain");
        JwtAuthenticator a = create(s);
        JwtConfig c = a.config();
        assertThat(a.name()).isEqualTo("devices-jwt");
        assertThat(a.authenticationMethods()).containsExactly("OAUTH-JWT");
        assertThat(c.from()).isEqualTo(TokenSource.USERNAME);
        assertThat(c.algorithms()).containsExactlyInAnyOrder(JwtAlgorithm.ES256, JwtAlgorithm.RS256);
        assertThat(c.jwks()).hasValueSatisfying(j -> {
            assertThat(j.refreshInterval()).isEqualTo(Duration.ofMinutes(10));
            assertThat(j.minRefreshGap()).isEqualTo(Duration.ofMinutes(1));
            assertThat(j.maxBytes()).isEqualTo(65536);
        });
        assertThat(c.claims().required()).isEqualTo(Set.of("exp", "sub"));
        assertThat(c.claims().issuers()).containsExactly("https://idp.example/");
        assertThat(c.claims().verifyClaims()).containsEntry("tier", 2);
        assertThat(c.claims().maxAge()).contains(Duration.ofDays(1));
        assertThat(c.acl().fallThrough()).isTrue();
        assertThat(c.acl().defaults().rules()).hasSize(1);
        assertThat(c.disconnectOnExpiry()).isFalse();
        assertThat(c.cacheSize()).isEqualTo(5);
        assertThat(c.principalClaim()).isEqualTo("email");
        assertThat(c.abstainOnNonJwt()).isTrue();
        a.close();

        JwtAuthenticator noMethod = create(Map.of("secret", SECRET, "enhanced-auth", false));
        assertThat(noMethod.authenticationMethods()).isEmpty();
    }

    @Test
    void errorsNameTheSetting() {
        fails(Map.of(), "secret", "no key configured");
        fails(Map.of("secret", SECRET, "algoritms", List.of("HS256")), "algoritms", "unknown setting");
        fails(Map.of("secret", SECRET, "algorithms", List.of("none")), "algorithms.0", "never accepted");
        fails(Map.of("secret", SECRET, "algorithms", List.of("HS257")), "algorithms", "unknown algorithm");
        fails(Map.of("secret", "short"), "secret", "at least as long");
        fails(Map.of("secret", SECRET, "algorithms", List.of("HS512")), "secret", "64 bytes");
        fails(Map.of("secret", "!!!", "secret-base64", true), "secret", "base64");
        fails(Map.of("secret", SECRET, "algorithms", List.of("RS256")), "algorithms", "RS256 is configured but no");
        fails(Map.of("public-key", TestKeys.publicPem(TestKeys.ec("secp256r1")), "algorithms", List.of("HS256")),
                "algorithms", "HS256 is configured but no");
        fails(Map.of("public-key", "garbage"), "public-key", "no PEM block");
        fails(Map.of("public-key-file", "/nonexistent/key.pem"), "public-key-file", "cannot read");
        fails(Map.of("jwks", Map.of("url", "http://idp.example/jwks")), "jwks.url", "loopback");
        fails(Map.of("jwks", Map.of("url", "ftp://idp.example/jwks")), "jwks.url", "https");
        fails(Map.of("jwks", Map.of("url", "https://idp.example/jwks", "refresh", "1m")), "jwks.refresh",
                "unknown setting");
        fails(Map.of("jwks", Map.of("url", "https://idp.example/jwks", "refresh-interval", "0s")),
                "jwks.refresh-interval", "positive");
        fails(Map.of("jwks", Map.of("url", "https://idp.example/jwks", "ca-file", "/nonexistent.pem")),
                "jwks.ca-file", "cannot read");
        fails(Map.of("secret", SECRET, "from", "header"), "from", "password or username");
        fails(Map.of("secret", SECRET, "verify-claims", Map.of("sub", "${client}")), "verify-claims.sub",
                "unknown placeholder");
        fails(Map.of("secret", SECRET, "default-permissions", "everything"), "default-permissions", "allow-all");
        fails(Map.of("secret", SECRET, "default-permissions", List.of(Map.of("permission", "allow"))),
                "default-permissions", "action");
        fails(Map.of("secret", SECRET, "leeway", "-1"), "leeway", "duration");
        fails(Map.of("keys", List.of(Map.of("kid", "a", "secret", SECRET), Map.of("kid", "a", "secret", SECRET))),
                "keys.1.kid", "duplicate");
        fails(Map.of("keys", List.of(Map.of("kid", "a"))), "keys.0.kid", "exactly one of");
        fails(Map.of("keys", List.of(Map.of("kid", "a", "secret", SECRET, "algorithm", "RS256"))),
                "keys.0.algorithm", "does not fit");
        fails(Map.of("secret", SECRET, "cache", Map.of("size", -1)), "cache.size", "negative");
        fails(Map.of("secret", SECRET, "non-jwt", "maybe"), "non-jwt", "refuse or abstain");
    }

    @Test
    void loopbackHttpJwksIsAllowed() {
        JwtAuthenticator a = create(Map.of("jwks", Map.of("url", "http://127.0.0.1:9/jwks.json")));
        assertThat(a.config().algorithms()).doesNotContain(JwtAlgorithm.HS256, JwtAlgorithm.HS384, JwtAlgorithm.HS512)
                .contains(JwtAlgorithm.RS256, JwtAlgorithm.ES256, JwtAlgorithm.EdDSA);
        a.close();
    }
}

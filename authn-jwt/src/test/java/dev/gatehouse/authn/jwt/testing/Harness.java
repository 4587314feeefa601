package dev.gatehouse.authn.jwt.testing;

import dev.gatehouse.authn.jwt.JwtAuthenticator;
import dev.gatehouse.authn.jwt.JwtAuthenticatorFactory;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.MapSettings;
import dev.gatehouse.authn.spi.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds authenticators from settings maps and asks them synchronously (bounded wait). */
public final class Harness {
    private Harness() {
    }

    public static JwtAuthenticator create(TestContext ctx, Map<String, ?> settings) {
        return new JwtAuthenticatorFactory().create(MapSettings.of("gatehouse.authentication.0", settings), ctx.context());
    }

    /** A v5 CONNECT request with the token as password. */
    public static AuthRequest withPassword(String clientId, String username, String token) {
        return AuthRequest.builder(clientId, MqttVersion.V5).username(username)
                .password(token == null ? null : token.getBytes(StandardCharsets.UTF_8)).build();
    }

    public static AuthDecision ask(JwtAuthenticator a, AuthRequest r) {
        try {
            return a.authenticate(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("authenticator did not answer", e);
        }
    }

    public static AuthDecision ask(JwtAuthenticator a, String token) {
        return ask(a, withPassword("dev1", "user1", token));
    }
}

package dev.gatehouse.authn.nkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.AuthenticatorFactories;
import dev.gatehouse.authn.spi.MapSettings;
import dev.gatehouse.authn.spi.SettingsException;
import io.nats.client.NKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FactorySettingsTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AuthenticatorContext ctx = new AuthenticatorContext(Clock.systemUTC(), Runnable::run, scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private void fails(Map<String, Object> settings, String path) {
        assertThatThrownBy(() -> new NKeyAuthenticatorFactory().create(MapSettings.of("gatehouse.authentication.0", settings), ctx))
                .isInstanceOf(SettingsException.class)
                .satisfies(e -> assertThat(((SettingsException) e).path()).isEqualTo("gatehouse.authentication.0." + path));
    }

    @Test
    void foundByServiceLoader() {
        assertThat(AuthenticatorFactories.find("nkey", getClass().getClassLoader())).isPresent()
                .get().isInstanceOf(NKeyAuthenticatorFactory.class);
    }

    @Test
    void errorsNameThePath() {
        NKey user = Nats.user();
        NKey op = Nats.operator();
        NKey acct = Nats.account();
        String userKey = Nats.pub(user);
        fails(Map.of("type", "nkey"), "users");
        fails(Map.of("users", List.of(Map.of("nkey", Nats.pub(acct)))), "users.0.nkey");
        fails(Map.of("users", List.of(Map.of("nkey", userKey), Map.of("nkey", userKey))), "users.1.nkey");
        fails(Map.of("users", List.of(Map.of("nkey", userKey, "colour", "red"))), "users.0.colour");
        fails(Map.of("users", List.of(Map.of("nkey", userKey,
                "rules", List.of(Map.of("permission", "allow", "topic", "a/#/b"))))), "users.0.rules.0.topic");
        fails(Map.of("users", List.of(Map.of("nkey", userKey)), "nonce-size", 8), "nonce-size");
        fails(Map.of("users", List.of(Map.of("nkey", userKey)), "subject-syntax", "xml"), "subject-syntax");
        fails(Map.of("operators", List.of(Nats.pub(op))), "resolver");
        fails(Map.of("operators", List.of("not-a-key")), "operators.0");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "ldap")), "resolver.type");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "directory", "path", "/nonexistent/x")),
                "resolver.path");
        String wrongKey = Nats.pub(Nats.account());
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "memory",
                "accounts", Map.of(wrongKey, Nats.accountJwt(op, acct, Map.of())))), "resolver.accounts." + wrongKey);
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "memory",
                "accounts", List.of("garbage"))), "resolver.accounts.0");
    }
}

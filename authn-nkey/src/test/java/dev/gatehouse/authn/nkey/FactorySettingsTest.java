package dev.gatehouse.authn.nkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.AuthenticatorFactories;
import dev.gatehouse.authn.spi.MapSettings;
import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.authn.spi.Settings;
import dev.gatehouse.authn.spi.SettingsException;
import io.nats.client.NKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        Map<String, Object> memory = Map.of("type", "memory", "accounts", List.of(Nats.accountJwt(op, acct, Map.of())));
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", memory, "listener-connection-types",
                Map.of("ws", "MQTT_WS")), "listener-connection-types");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", memory, "connection-type", "MQTT"),
                "connection-type");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", memory, "recheck-interval", "1h"),
                "recheck-interval");
        String url = "http://127.0.0.1:1/accounts";
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "url", "url", url,
                "cache-size", 0)), "resolver.cache-size");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "url", "url", url,
                "max-concurrent-fetches", 0)), "resolver.max-concurrent-fetches");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "url", "url", url,
                "negative-ttl", java.time.Duration.ofSeconds(-1))), "resolver.negative-ttl");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "url", "url", url,
                "cache-ttl", "0s")), "resolver.cache-ttl");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "directory",
                "path", System.getProperty("java.io.tmpdir"), "cache-size", -3)), "resolver.cache-size");
        fails(Map.of("operators", List.of(Nats.pub(op)), "resolver", Map.of("type", "memory", "refresh-interval", "1s",
                "accounts", List.of(Nats.accountJwt(op, acct, Map.of())))), "resolver.refresh-interval");
        assertThatThrownBy(() -> new NKeyAuthenticatorFactory().create(MapSettings.of("a", Map.of("users",
                List.of(Map.of("nkey", userKey)), "listener-connection-types", Map.of("ws", "MQTT_WS"))), ctx))
                .hasMessageContaining("comes from the listener");
    }

    @Test
    void relativeFilesResolveAgainstTheConfigurationFolder(@TempDir Path conf) throws Exception {
        NKey op = Nats.operator();
        NKey acct = Nats.account();
        Files.writeString(conf.resolve("operator.jwt"), Nats.operatorJwt(op, List.of(), false) + "\n");
        Files.createDirectories(conf.resolve("nats/accounts"));
        Files.writeString(conf.resolve("nats/accounts/" + Nats.pub(acct) + ".jwt"), Nats.accountJwt(op, acct, Map.of()));
        Map<String, Object> s = Map.of("type", "nkey", "operators", List.of("operator.jwt"),
                "resolver", Map.of("type", "directory", "path", "nats/accounts"));
        // not found against the working directory ...
        assertThatThrownBy(() -> new NKeyAuthenticatorFactory().create(MapSettings.of("a", s), ctx))
                .isInstanceOf(SettingsException.class);
        // ... but found against the configuration file's folder
        NKeyAuthenticator a = (NKeyAuthenticator) new NKeyAuthenticatorFactory().create(
                new BasedSettings(MapSettings.of("a", s), conf), ctx);
        NKey user = Nats.user();
        String jwt = Nats.userJwt(acct, acct, user, Nats.claim(acct));
        AuthDecision d = a.authenticate(AuthRequest.builder("c1", MqttVersion.V5).authenticationMethod("NKEY")
                .authenticationData(jwt.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(d).isInstanceOf(AuthDecision.Challenge.class); // the chain (operator file + account file) held
        a.close();
    }

    /** Settings read from a configuration file in {@code base}. */
    private static final class BasedSettings implements Settings {
        private final Settings d;
        private final Path base;

        BasedSettings(Settings delegate, Path base) {
            this.d = delegate;
            this.base = base;
        }

        @Override public Path baseDirectory() { return base; }
        @Override public String path() { return d.path(); }
        @Override public java.util.Set<String> keys() { return d.keys(); }
        @Override public boolean has(String p) { return d.has(p); }
        @Override public String getString(String p) { return d.getString(p); }
        @Override public int getInt(String p) { return d.getInt(p); }
        @Override public long getLong(String p) { return d.getLong(p); }
        @Override public boolean getBoolean(String p) { return d.getBoolean(p); }
        @Override public java.time.Duration getDuration(String p) { return d.getDuration(p); }
        @Override public List<String> getStringList(String p) { return d.getStringList(p); }
        @Override public Settings getSettings(String p) { return new BasedSettings(d.getSettings(p), base); }
        @Override public List<Settings> getSettingsList(String p) {
            return d.getSettingsList(p).stream().<Settings>map(x -> new BasedSettings(x, base)).toList();
        }
        @Override public Object getValue(String p) { return d.getValue(p); }
    }
}

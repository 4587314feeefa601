package com.example.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.AuthenticatorFactories;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.MapSettings;
import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.authn.spi.SettingsException;
import dev.gatehouse.authn.spi.acl.PlaceholderValues;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The example as a plugin author would test it: against the SPI alone, no broker. */
class DeviceKeyAuthenticatorTest {
    private static final String SECRET = "factory-secret";
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AuthenticatorContext context = new AuthenticatorContext(Clock.systemUTC(), Runnable::run, scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private Authenticator authenticator() {
        return new DeviceKeyAuthenticatorFactory(Map.of("DEVICE_KEY_SECRET", SECRET)).create(
                MapSettings.of("gatehouse.authentication.0", Map.of("type", "device-key",
                        "secret-env", "DEVICE_KEY_SECRET", "topic-root", "devices")), context);
    }

    private AuthDecision connect(String clientId, String password) {
        AuthRequest.Builder b = AuthRequest.builder(clientId, MqttVersion.V3_1_1);
        if (password != null) {
            b.password(password.getBytes(StandardCharsets.UTF_8));
        }
        return authenticator().authenticate(b.build()).toCompletableFuture().join();
    }

    @Test
    void serviceLoaderFindsTheFactoryByType() {
        assertThat(AuthenticatorFactories.find("device-key", getClass().getClassLoader()))
                .get().isInstanceOf(DeviceKeyAuthenticatorFactory.class);
    }

    @Test
    void theRightKeyAdmitsTheDeviceToItsOwnSubtree() {
        String key = DeviceKeyAuthenticator.keyFor(SECRET.getBytes(StandardCharsets.UTF_8), "dev-7");
        AuthDecision d = connect("dev-7", key);
        assertThat(d).isInstanceOf(AuthDecision.Success.class);
        var permissions = ((AuthDecision.Success) d).permissions()
                .compile(PlaceholderValues.of("dev-7", null, null));
        assertThat(permissions.checkPublish("devices/dev-7/temp", 1, false).allowed()).isTrue();
        assertThat(permissions.checkPublish("devices/dev-8/temp", 1, false).allowed()).isFalse();
    }

    @Test
    void anotherDevicesKeyIsRefused() {
        String key = DeviceKeyAuthenticator.keyFor(SECRET.getBytes(StandardCharsets.UTF_8), "dev-8");
        AuthDecision d = connect("dev-7", key);
        assertThat(d).isInstanceOfSatisfying(AuthDecision.Failure.class,
                f -> assertThat(f.reason()).isEqualTo(FailureReason.BAD_CREDENTIALS));
    }

    @Test
    void noPasswordIsNotOurs() {
        assertThat(connect("dev-7", null)).isEqualTo(AuthDecision.abstain());
    }

    @Test
    void aMissingSecretIsAConfigurationProblemNamingTheKey() {
        assertThatThrownBy(() -> new DeviceKeyAuthenticatorFactory(Map.of()).create(
                MapSettings.of("gatehouse.authentication.0", Map.of("secret-env", "NOPE")), context))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("gatehouse.authentication.0.secret-env")
                .hasMessageContaining("NOPE");
    }
}

package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.authn.spi.AuthenticatorFactories;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfiguredBroker;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.GatehouseSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** examples/jwt.conf with the jwt authenticator the jar carries (the config module cannot see it). */
class JwtExampleTest {
    private static final Path EXAMPLE = Path.of("..", "examples", "jwt.conf").toAbsolutePath().normalize();

    @Test
    void jwtExampleLoadsWithTheSecretFromTheEnvironmentAndFailsWithoutIt() {
        assumeTrue(AuthenticatorFactories.find("jwt", getClass().getClassLoader()).isPresent(),
                "gatehouse-authn-jwt provides no jwt factory yet");
        GatehouseSettings s = ConfiguredBroker.validate(GatehouseConfig.parseFile(EXAMPLE,
                Map.of("GATEHOUSE_JWT_SECRET", "an-example-secret-of-at-least-32-bytes!")),
                ConfiguredBroker.Options.defaults());
        assertThat(s.authentication()).extracting(GatehouseSettings.AuthenticatorEntry::type).containsExactly("jwt");
        try {
            ConfiguredBroker.validate(GatehouseConfig.parseFile(EXAMPLE, Map.of()), ConfiguredBroker.Options.defaults());
            throw new AssertionError("a jwt entry without its secret must be rejected");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith("gatehouse.authentication.0");
        }
    }
}

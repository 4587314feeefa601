package dev.gatehouse.authn.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapSettingsTest {
    private final Settings root = MapSettings.of("gatehouse.authentication.0", Map.of(
            "secret", "s3cr3t",
            "port", 1883,
            "enabled", "yes",
            "refresh-interval", "5m",
            "gap", "30s",
            "audience", List.of("a", "b"),
            "jwks", Map.of("url", "http://127.0.0.1/jwks", "timeout", "250ms"),
            "users", List.of(Map.of("name", "u1"), Map.of("name", "u2"))));

    @Test
    void typedGetters() {
        assertThat(root.getString("secret")).isEqualTo("s3cr3t");
        assertThat(root.getInt("port")).isEqualTo(1883);
        assertThat(root.getBoolean("enabled")).isTrue();
        assertThat(root.getDuration("refresh-interval")).isEqualTo(Duration.ofMinutes(5));
        assertThat(root.getDuration("gap")).isEqualTo(Duration.ofSeconds(30));
        assertThat(root.getDuration("jwks.timeout")).isEqualTo(Duration.ofMillis(250));
        assertThat(root.getStringList("audience")).containsExactly("a", "b");
        assertThat(root.getString("jwks.url")).startsWith("http://");
        assertThat(root.getSettings("jwks").getString("url")).startsWith("http://");
        assertThat(root.getSettingsList("users")).extracting(s -> s.getString("name")).containsExactly("u1", "u2");
        assertThat(root.getInt("missing", 7)).isEqualTo(7);
        assertThat(root.has("jwks.url")).isTrue();
        assertThat(root.has("jwks.nope")).isFalse();
    }

    @Test
    void errorsNameTheAbsolutePath() {
        assertThatThrownBy(() -> root.getInt("secret"))
                .isInstanceOf(SettingsException.class)
                .hasMessage("gatehouse.authentication.0.secret: expected a whole number but found \"s3cr3t\"");
        assertThatThrownBy(() -> root.getString("issuer"))
                .hasMessage("gatehouse.authentication.0.issuer: is required but not set");
        assertThatThrownBy(() -> root.getSettings("jwks").getDuration("url"))
                .hasMessageStartingWith("gatehouse.authentication.0.jwks.url: expected a duration");
        assertThatThrownBy(() -> root.getSettingsList("users").get(1).getInt("name"))
                .hasMessageStartingWith("gatehouse.authentication.0.users.1.name:");
    }
}

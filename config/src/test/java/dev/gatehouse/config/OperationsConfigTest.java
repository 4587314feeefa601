package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code gatehouse.http.bind} and {@code gatehouse.sys-interval}: defaults, values, and what is refused. */
class OperationsConfigTest {

    private static GatehouseSettings settings(String hocon) {
        return ConfiguredBroker.validate(GatehouseConfig.parseString(hocon, Path.of(""), Map.of()),
                ConfiguredBroker.Options.defaults());
    }

    private static List<String> problems(String hocon) {
        try {
            settings(hocon);
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).collect(Collectors.toList());
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void httpIsOffAndSysEveryTenSecondsByDefault() {
        GatehouseSettings s = settings("");
        assertThat(s.httpBind()).isEmpty();
        assertThat(s.sysInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void bothAreRead() {
        GatehouseSettings s = settings("gatehouse { http { bind = \"127.0.0.1:9100\" }, sys-interval = 0 }");
        assertThat(s.httpBind()).hasValueSatisfying(b -> {
            assertThat(b.host()).isEqualTo("127.0.0.1");
            assertThat(b.port()).isEqualTo(9100);
        });
        assertThat(s.sysInterval()).isZero();
        assertThat(settings("gatehouse.sys-interval = 1m").sysInterval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void badValuesAreReportedWithTheirPath() {
        List<String> p = problems("gatehouse { http { bind = nohost, port = 1 }, sys-interval = 10ms }");
        assertThat(p).anyMatch(x -> x.startsWith("gatehouse.http.bind:"))
                .anyMatch(x -> x.startsWith("gatehouse.http.port: unknown key"))
                .anyMatch(x -> x.startsWith("gatehouse.sys-interval: must be 0 (off) or at least 1s"));
    }
}

package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The files the tar.gz and the .deb carry, checked on every machine (the install test of the .deb runs as root
 * only): both packaged configurations are valid, the launcher is valid sh, the unit has its hardening.
 */
class PackagedFilesTest {
    private static final Path SRC = Path.of("src");

    private record Out(int code, String out, String err) {
    }

    private static Out gatehouse(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theTarballsConfigurationIsValidAndPersistsBesideIt() {
        Out r = gatehouse("check-config", SRC.resolve("dist/conf/gatehouse.conf").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("anonymous=loopback-only", "bind=\"127.0.0.1:1883\"")
                .containsPattern("persistence on: \\S*src/dist/data, sync batch");
    }

    @Test
    void theDebianConfigurationIsValidAndPersistsUnderVarLib() {
        Out r = gatehouse("check-config", SRC.resolve("deb/gatehouse.conf").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("anonymous=loopback-only", "bind=\"127.0.0.1:1883\"",
                "persistence on: /var/lib/gatehouse, sync batch");
    }

    @Test
    void theLauncherIsValidShell() throws Exception {
        DistProcesses.Result r = DistProcesses.run(List.of("sh", "-n", SRC.resolve("dist/bin/gatehouse").toString()),
                Map.of(), 30);
        assertThat(r.exit()).as(r.out()).isZero();
    }

    @Test
    void theUnitRestartsReloadsAndIsHardened() throws Exception {
        String unit = Files.readString(SRC.resolve("deb/gatehouse.service"));
        assertThat(unit).contains("User=gatehouse", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID",
                "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/gatehouse", "PrivateTmp=yes")
                .doesNotContain("\nMemoryDenyWriteExecute="); // the JIT writes code
    }

    @Test
    void versionNamesTheVersionAndACommit() {
        Out r = gatehouse("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out().trim()).matches("gatehouse \\S+ \\(commit ([0-9a-f]{12}|unknown)\\)");
    }

    @Test
    void pluginsWithoutAConfigurationAreAUsageError() {
        Out r = gatehouse("run", "--plugins", ".");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--plugins needs --config");
    }
}

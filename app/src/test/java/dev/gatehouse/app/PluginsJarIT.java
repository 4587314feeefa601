package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --plugins DIR} with the jar of examples/authenticator-example (copied to target/test-plugins by the
 * build, and on no class path of these tests): its {@code device-key} type is found by ServiceLoader and decides
 * who connects.
 */
class PluginsJarIT {
    private static final String SECRET = "plugins-it-secret";

    @TempDir
    Path dir;

    private List<String> jar(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> all = new java.util.ArrayList<>(List.of(java, "-jar",
                DistProcesses.artifact("gatehouse.jar").toString()));
        all.addAll(List.of(args));
        return all;
    }

    @Test
    void thePluginsAuthenticatorAdmitsAndRefuses() throws Exception {
        Path plugins = DistProcesses.artifact("gatehouse.test-plugins");
        assertThat(Plugins.jars(plugins)).hasSize(1);
        int port = DistProcesses.freePort();
        Path conf = Files.writeString(dir.resolve("device-key.conf"), DistProcesses.deviceKeyConfig("127.0.0.1:1"));
        Path log = dir.resolve("broker.log");
        Process p = DistProcesses.start(jar("run", "--plugins", plugins.toString(), "--config", conf.toString(),
                "--bind", "127.0.0.1:" + port, "--warm-up", "0"), Map.of("DEVICE_KEY_SECRET", SECRET), log, port);
        try {
            DistProcesses.assertDeviceKeyDecides(port, SECRET);
        } finally {
            DistProcesses.stop(p);
        }
        assertThat(Files.readString(log)).contains("plugins from " + plugins)
                .contains("authenticator device-key (gatehouse.authentication.0)")
                .contains("device-key: wrong key for client dev-7");
    }

    @Test
    void withoutThePluginTheTypeIsUnknownAndNothingStarts() throws Exception {
        Path conf = Files.writeString(dir.resolve("device-key.conf"), DistProcesses.deviceKeyConfig("127.0.0.1:0"));
        DistProcesses.Result r = DistProcesses.run(jar("run", "--config", conf.toString(), "--warm-up", "0"),
                Map.of("DEVICE_KEY_SECRET", SECRET), 60);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("gatehouse.authentication.0.type: unknown authenticator type \"device-key\"")
                .contains("nothing was started");
    }

    @Test
    void checkConfigLoadsPluginsToo() throws Exception {
        Path plugins = DistProcesses.artifact("gatehouse.test-plugins");
        Path conf = Files.writeString(dir.resolve("device-key.conf"), DistProcesses.deviceKeyConfig("127.0.0.1:0"));
        DistProcesses.Result ok = DistProcesses.run(jar("check-config", "--plugins", plugins.toString(),
                conf.toString()), Map.of("DEVICE_KEY_SECRET", SECRET), 60);
        assertThat(ok.exit()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("OK (1 listener(s), 1 authenticator(s)");
        // The plugin's own validation is reported like a built-in's, with the full path of the key.
        DistProcesses.Result noSecret = DistProcesses.run(jar("check-config", "--plugins", plugins.toString(),
                conf.toString()), Map.of("DEVICE_KEY_SECRET", ""), 60);
        assertThat(noSecret.exit()).isEqualTo(1);
        assertThat(noSecret.out()).contains("gatehouse.authentication.0.secret-env");
    }

    @Test
    void aPluginsDirectoryThatIsNotOneIsAnError() throws Exception {
        Path conf = Files.writeString(dir.resolve("empty.conf"), "gatehouse {}\n");
        DistProcesses.Result r = DistProcesses.run(jar("run", "--plugins", dir.resolve("nope").toString(),
                "--config", conf.toString()), Map.of(), 60);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("--plugins " + dir.resolve("nope") + ": not a directory");
    }
}

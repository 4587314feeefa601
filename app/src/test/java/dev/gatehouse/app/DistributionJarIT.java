package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/gatehouse-VERSION.tar.gz as a user gets it: unpacked, {@code bin/gatehouse} prints the version and commit,
 * runs the broker with the packaged {@code conf/gatehouse.conf} on the JVM of {@code JAVA_HOME} with
 * {@code JAVA_OPTS}, and puts the jars of {@code lib/ext/} on the class path.
 */
class DistributionJarIT {
    @TempDir
    Path dir;

    private Path home;

    @BeforeEach
    void unpack() throws Exception {
        Path tarball = DistProcesses.artifact("gatehouse.tarball");
        DistProcesses.Result r = DistProcesses.run(List.of("tar", "xzf", tarball.toString(), "-C", dir.toString()),
                Map.of(), 120);
        assertThat(r.exit()).as(r.out()).isZero();
        home = dir.resolve("gatehouse-" + DistProcesses.expectedVersion());
    }

    @Test
    void theLayoutIsBinLibExtConf() throws Exception {
        assertThat(home.resolve("bin/gatehouse")).isRegularFile();
        assertThat(Files.getPosixFilePermissions(home.resolve("bin/gatehouse")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(home.resolve("lib/gatehouse.jar")).isRegularFile();
        assertThat(home.resolve("lib/ext")).isDirectory();
        assertThat(home.resolve("conf/gatehouse.conf")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("docs/writing-an-authenticator.md")).isRegularFile();
    }

    @Test
    void versionPrintsTheVersionAndTheGitCommit() throws Exception {
        DistProcesses.Result r = DistProcesses.run(List.of(home.resolve("bin/gatehouse").toString(), "--version"),
                Map.of("JAVA_HOME", DistProcesses.javaHome().toString()), 60);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out().trim()).isEqualTo("gatehouse " + DistProcesses.expectedVersion() + " (commit "
                + DistProcesses.expectedCommit() + ")");
    }

    @Test
    void aJavaHomeWithoutJavaIsRefusedClearly() throws Exception {
        DistProcesses.Result r = DistProcesses.run(List.of(home.resolve("bin/gatehouse").toString(), "--version"),
                Map.of("JAVA_HOME", dir.resolve("no-jdk").toString()), 60);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("JAVA_HOME is set to '" + dir.resolve("no-jdk") + "'");
    }

    @Test
    void theLauncherRunsThePackagedConfigurationWithJavaHomeAndJavaOpts() throws Exception {
        int port = DistProcesses.freePort();
        String marker = "-Dgatehouse.test.marker=" + UUID.randomUUID();
        Path javaHome = DistProcesses.javaHome();
        Path log = dir.resolve("broker.log");
        // relative paths, as the conf file says: run from the unpacked directory
        Process p = DistProcesses.start(List.of("sh", "-c", "cd \"$0\" && exec bin/gatehouse run --config "
                        + "conf/gatehouse.conf --bind 127.0.0.1:" + port + " --warm-up 0", home.toString()),
                Map.of("JAVA_HOME", javaHome.toString(), "JAVA_OPTS", marker + " -Xmx256m"), log, port);
        try {
            // the launcher exec'd the JVM of JAVA_HOME with JAVA_OPTS and lib/ext on the class path
            ProcessHandle.Info info = p.toHandle().info();
            assertThat(Path.of(info.command().orElseThrow()).toRealPath())
                    .isEqualTo(javaHome.resolve("bin/java").toRealPath());
            List<String> args = List.of(info.arguments().orElseThrow());
            assertThat(args).contains(marker, "-Xmx256m", "dev.gatehouse.app.Main");
            assertThat(args.get(args.indexOf("-cp") + 1)).endsWith("/lib/gatehouse.jar:" + home.toRealPath()
                    + "/lib/ext/*");

            // anonymous from loopback, as packaged: a round trip through the broker
            BlockingQueue<String> got = new ArrayBlockingQueue<>(1);
            MqttClient sub = DistProcesses.connect(port, "sub", null);
            sub.subscribe("demo/#", 1, (topic, m) -> got.offer(topic + " " + new String(m.getPayload(),
                    StandardCharsets.UTF_8)));
            MqttClient pub = DistProcesses.connect(port, "pub", null);
            pub.publish("demo/hello", "world".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("demo/hello world");
            pub.disconnect();
            sub.disconnect();
            pub.close();
            sub.close();
        } finally {
            DistProcesses.stop(p);
        }
        String out = Files.readString(log);
        assertThat(out).contains("gatehouse " + DistProcesses.expectedVersion() + " (commit ")
                .contains("started from conf/gatehouse.conf")
                .contains("persistence on: " + home.toRealPath().resolve("data"));
        assertThat(home.resolve("data/CURRENT")).exists(); // the packaged persistence: data/ of the distribution
    }

    @Test
    void jarsInLibExtAddAuthenticatorTypes() throws Exception {
        Path plugins = DistProcesses.artifact("gatehouse.test-plugins");
        for (Path jar : Plugins.jars(plugins)) {
            Files.copy(jar, home.resolve("lib/ext").resolve(jar.getFileName()));
        }
        int port = DistProcesses.freePort();
        Path conf = Files.writeString(home.resolve("conf/device-key.conf"),
                DistProcesses.deviceKeyConfig("127.0.0.1:" + port));
        String secret = "lib-ext-secret";
        Process p = DistProcesses.start(List.of(home.resolve("bin/gatehouse").toString(), "run", "--config",
                        conf.toString(), "--warm-up", "0"),
                Map.of("JAVA_HOME", DistProcesses.javaHome().toString(), "DEVICE_KEY_SECRET", secret),
                dir.resolve("broker.log"), port);
        try {
            DistProcesses.assertDeviceKeyDecides(port, secret);
        } finally {
            DistProcesses.stop(p);
        }
    }
}

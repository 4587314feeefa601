package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/gatehouse_VERSION_all.deb installed for real with {@code dpkg -i} (CI runs as root on a throwaway Debian
 * machine), then: {@code gatehouse --version}, the system user and data directory the maintainer scripts make,
 * the broker started through the installed launcher with the packaged /etc/gatehouse/gatehouse.conf as the
 * {@code gatehouse} user (as the systemd unit runs it; systemd itself does not run in CI containers), a real MQTT
 * client, then {@code dpkg -r} and {@code dpkg --purge}.
 *
 * <p>Skipped, saying why, when not root, without dpkg, or when a gatehouse package is already installed (it is
 * never touched then). Builds of several checkouts on one machine take turns through a lock file.
 */
class DebianPackageJarIT {
    private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "gatehouse-deb-test.lock");

    @TempDir
    Path dir;

    private static DistProcesses.Result sh(String... command) throws Exception {
        return DistProcesses.run(List.of(command), Map.of(), 300);
    }

    private static boolean onPath(String tool) throws Exception {
        return sh("sh", "-c", "command -v " + tool).exit() == 0;
    }

    private static boolean installed() throws Exception {
        DistProcesses.Result r = sh("dpkg-query", "-W", "-f=${Status}", "gatehouse");
        return r.exit() == 0 && r.out().contains("ok installed");
    }

    @Test
    void installRunRemovePurge() throws Exception {
        Path deb = DistProcesses.artifact("gatehouse.deb");
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "not Linux: no .deb test");
        Assumptions.assumeTrue(onPath("dpkg"), "no dpkg on this machine: the .deb install test is skipped");
        Assumptions.assumeTrue("0".equals(sh("id", "-u").out().trim()),
                "not root: the .deb install test (dpkg -i into this system) runs as root only, as in CI");
        try (FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            // the package's Depends: without them dpkg -i cannot configure it (this test installs nothing else)
            Assumptions.assumeTrue(sh("dpkg-query", "-W", "adduser").exit() == 0, "adduser is not installed");
            Assumptions.assumeTrue(sh("sh", "-c", "dpkg-query -W -f='${Package} ${Provides}\\n' "
                    + "| grep -q java17-runtime-headless").exit() == 0,
                    "no installed Debian package provides java17-runtime-headless (the .deb's Depends)");
            Assumptions.assumeFalse(installed(),
                    "a gatehouse package is already installed on this machine: not touching it");
            try {
                installAndRun(deb);
            } finally {
                if (installed() || sh("dpkg-query", "-W", "gatehouse").exit() == 0) {
                    sh("dpkg", "--purge", "gatehouse");
                }
            }
        }
    }

    private void installAndRun(Path deb) throws Exception {
        DistProcesses.Result install = sh("dpkg", "-i", deb.toString());
        assertThat(install.exit()).as(install.out()).isZero();
        assertThat(installed()).isTrue();

        // the launcher on PATH, the real version and commit
        DistProcesses.Result version = sh("/usr/bin/gatehouse", "--version");
        assertThat(version.exit()).as(version.out()).isZero();
        assertThat(version.out().trim()).isEqualTo("gatehouse " + DistProcesses.expectedVersion() + " (commit "
                + DistProcesses.expectedCommit() + ")");

        // what postinst made: a system user without a login shell, its data directory
        DistProcesses.Result user = sh("getent", "passwd", "gatehouse");
        assertThat(user.exit()).as("the gatehouse user").isZero();
        assertThat(user.out().trim()).endsWith(":/var/lib/gatehouse:/usr/sbin/nologin");
        Path data = Path.of("/var/lib/gatehouse");
        assertThat(Files.getOwner(data, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo("gatehouse");
        assertThat(Path.of("/usr/share/gatehouse/lib/ext")).isDirectory();
        assertThat(Files.readString(Path.of("/var/lib/dpkg/info/gatehouse.conffiles")))
                .contains("/etc/gatehouse/gatehouse.conf", "/etc/default/gatehouse");
        String unit = Files.readString(Path.of("/usr/lib/systemd/system/gatehouse.service"));
        assertThat(unit).contains("User=gatehouse", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID",
                "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/gatehouse",
                "ExecStart=/usr/share/gatehouse/bin/gatehouse run --config /etc/gatehouse/gatehouse.conf");
        if (onPath("systemd-analyze")) {
            // offline check of the unit's syntax and paths (no running systemd needed)
            DistProcesses.Result verify = sh("systemd-analyze", "verify", "/usr/lib/systemd/system/gatehouse.service");
            assertThat(verify.out()).as("systemd-analyze verify").doesNotContain("gatehouse.service:");
        }

        // the broker through the installed launcher with the packaged configuration, as the service user
        int port = DistProcesses.freePort();
        Path log = dir.resolve("broker.log");
        Process p = DistProcesses.start(List.of("setpriv", "--reuid=gatehouse", "--regid=gatehouse", "--init-groups",
                        "/usr/bin/gatehouse", "run", "--config", "/etc/gatehouse/gatehouse.conf",
                        "--bind", "127.0.0.1:" + port, "--warm-up", "0"),
                Map.of("JAVA_HOME", DistProcesses.javaHome().toString()), log, port);
        try {
            BlockingQueue<String> got = new ArrayBlockingQueue<>(1);
            MqttClient sub = DistProcesses.connect(port, "sub", null);
            sub.subscribe("demo/#", 1, (topic, m) -> got.offer(topic + " " + new String(m.getPayload(),
                    StandardCharsets.UTF_8)));
            MqttClient pub = DistProcesses.connect(port, "pub", null);
            pub.publish("demo/hello", "world".getBytes(StandardCharsets.UTF_8), 1, true);
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("demo/hello world");
            pub.disconnect();
            sub.disconnect();
            pub.close();
            sub.close();
        } finally {
            DistProcesses.stop(p);
        }
        assertThat(Files.readString(log)).contains("persistence on: /var/lib/gatehouse")
                .contains("started from /etc/gatehouse/gatehouse.conf");
        // the store was written by the service user, in the directory the unit lets it write
        assertThat(Files.getOwner(data.resolve("CURRENT"), LinkOption.NOFOLLOW_LINKS).getName())
                .isEqualTo("gatehouse");

        // remove: the program goes, the configuration and the data stay; purge: both go
        DistProcesses.Result remove = sh("dpkg", "-r", "gatehouse");
        assertThat(remove.exit()).as(remove.out()).isZero();
        assertThat(Path.of("/usr/bin/gatehouse")).doesNotExist();
        assertThat(Path.of("/usr/share/gatehouse/lib/gatehouse.jar")).doesNotExist();
        assertThat(Path.of("/etc/gatehouse/gatehouse.conf")).exists();
        assertThat(data.resolve("CURRENT")).exists();
        DistProcesses.Result purge = sh("dpkg", "--purge", "gatehouse");
        assertThat(purge.exit()).as(purge.out()).isZero();
        assertThat(Path.of("/etc/gatehouse")).doesNotExist();
        assertThat(data).doesNotExist();
    }
}

package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.BindAddress;
import dev.gatehouse.config.ConfiguredBroker;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.passwd.PasswordFile;
import dev.gatehouse.config.passwd.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloads under a live connection: the connected client stays, new clients meet the new settings. */
class ReloadTest {
    @TempDir
    Path dir;

    private ConfiguredBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private Path writeConfig(String authenticationBlock) throws Exception {
        return Files.writeString(dir.resolve("gatehouse.conf"),
                "gatehouse.listeners = [ { name = main, bind = \"127.0.0.1:0\" } ]\n" + authenticationBlock);
    }

    private void user(String passwdFile, String name, String password) throws Exception {
        PasswordFile.upsert(dir.resolve(passwdFile), name,
                PasswordHash.create(password.getBytes(StandardCharsets.UTF_8), 1000, new SecureRandom()));
    }

    private MqttClient connect(String user, String password) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + broker.broker().port("main"), user + "-" + System.nanoTime(),
                new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        o.setAutomaticReconnect(false);
        c.connect(o);
        return c;
    }

    private static void assertRefused(ThrowingConnect connect) {
        assertThatThrownBy(connect::run).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
    }

    interface ThrowingConnect {
        void run() throws Exception;
    }

    @Test
    void aConnectedClientSurvivesAReloadThatRemovesItsUserAndNewClientsMeetTheNewUsers() throws Exception {
        user("old-passwd", "alice", "alice-pw");
        user("new-passwd", "bob", "bob-pw");
        Path conf = writeConfig("gatehouse.authentication = [ { type = password-file, file = old-passwd, "
                + "default-permissions = allow-all } ]\n");
        broker = ConfiguredBroker.create(GatehouseConfig.parseFile(conf), ConfiguredBroker.Options.defaults());
        broker.start().join();
        ConfigReloader reloader = new ConfigReloader(broker, conf);

        MqttClient alice = connect("alice", "alice-pw");
        BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
        alice.subscribe("chat/#", 1, (t, m) -> got.add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));

        writeConfig("gatehouse.authentication = [ { type = password-file, file = new-passwd, "
                + "default-permissions = allow-all } ]\n");
        ConfigReloader.Outcome ok = reloader.reload("test");
        assertThat(ok.applied()).as(ok.problems().toString()).isTrue();
        assertThat(ok.needRestart()).isEmpty();

        // The old connection keeps running with what it was granted at CONNECT.
        assertThat(alice.isConnected()).isTrue();
        alice.publish("chat/alice", "still here".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("chat/alice=still here");
        // New connections are judged by the new file: alice is gone, bob is in.
        assertRefused(() -> connect("alice", "alice-pw"));
        MqttClient bob = connect("bob", "bob-pw");
        bob.publish("chat/bob", "hi".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("chat/bob=hi");

        // A bad file: every problem reported, nothing changes.
        Files.writeString(conf, """
                gatehouse.listeners = [ { name = main, bind = "127.0.0.1:0" } ]
                gatehouse.limits.max-inflite = 3
                gatehouse.authentication = [ { type = password-file, file = no-such-file } ]
                """);
        ConfigReloader.Outcome bad = reloader.reload("test");
        assertThat(bad.applied()).isFalse();
        assertThat(bad.problems()).extracting(Object::toString)
                .anyMatch(p -> p.startsWith("gatehouse.limits.max-inflite: unknown key"))
                .anyMatch(p -> p.startsWith("gatehouse.authentication.0"));
        MqttClient bobAgain = connect("bob", "bob-pw");
        assertRefused(() -> connect("alice", "alice-pw"));
        assertThat(alice.isConnected()).isTrue();

        for (MqttClient c : new MqttClient[] {alice, bob, bobAgain}) {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void listenerAndLimitChangesAreReportedAsNeedingARestartWhileAuthenticationIsApplied() throws Exception {
        user("passwd", "alice", "alice-pw");
        Path conf = writeConfig("");
        // As with --bind: the override applies to the reloaded file too, so an unchanged listener is not reported.
        broker = ConfiguredBroker.create(GatehouseConfig.parseFile(conf),
                ConfiguredBroker.Options.defaults().withBindOverride(new BindAddress("127.0.0.1", 0)));
        broker.start().join();
        ConfigReloader reloader = new ConfigReloader(broker, conf);
        assertThat(reloader.reload("test").needRestart()).isEmpty();

        Files.writeString(conf, """
                gatehouse.listeners = [ { name = main, bind = "127.0.0.1:0", anonymous = allow } ]
                gatehouse.limits.max-inflight = 3
                gatehouse.authentication = [ { type = password-file, file = passwd, default-permissions = allow-all } ]
                """);
        ConfigReloader.Outcome o = reloader.reload("test");
        assertThat(o.applied()).isTrue();
        assertThat(o.needRestart()).containsExactly("gatehouse.listeners", "gatehouse.limits");
        connect("alice", "alice-pw").disconnect();
    }

    @Test
    void theWatcherCallsBackOnceTheFileContentChangedAndNotForNeighbours() throws Exception {
        Path conf = Files.writeString(dir.resolve("watched.conf"), "a = 1\n");
        BlockingQueue<String> changes = new ArrayBlockingQueue<>(8);
        try (ConfigFileWatcher w = ConfigFileWatcher.start(conf, Duration.ofMillis(100), () -> changes.add("changed"))) {
            Files.writeString(dir.resolve("neighbour.txt"), "x");
            Files.writeString(conf, "a = 1\n"); // same content: no reload
            Files.writeString(conf, "a = 2\n");
            assertThat(changes.poll(10, TimeUnit.SECONDS)).isEqualTo("changed");
            // An editor-style replace (write elsewhere, rename over) is a change too.
            Path tmp = Files.writeString(dir.resolve(".watched.conf.swp"), "a = 3\n");
            Files.move(tmp, conf, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertThat(changes.poll(10, TimeUnit.SECONDS)).isEqualTo("changed");
        }
        assertThat(changes).isEmpty();
    }

    @Test
    void sighupInstallsOnThisJvmOrSaysWhyNot() {
        CountDownLatch never = new CountDownLatch(1);
        // Must not throw whatever the platform; on Linux HotSpot it installs.
        boolean installed = SighupTrigger.install(never::countDown);
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertThat(installed).isTrue();
        }
    }
}

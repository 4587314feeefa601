package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as operators run it: a separate JVM, exit codes and output asserted. */
class CliProcessTest {
    @TempDir
    Path dir;

    /** A finished process: exit code and both streams. */
    record Result(int code, String out, String err) {
    }

    private static ProcessBuilder gatehouse(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.gatehouse.app.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    private Result run(String stdin, String... args) throws Exception {
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        Process p = gatehouse(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("gatehouse " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void checkConfigPrintsTheEffectiveConfigWithSecretsMaskedOrEveryProblem() throws Exception {
        Path good = dir.resolve("good.conf");
        Files.writeString(good, """
                gatehouse.listeners = [ { name = local, bind = "127.0.0.1:1883", anonymous = loopback-only } ]
                gatehouse.limits.max-packet-size = 64k
                """);
        Result ok = run(null, "check-config", good.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("max-packet-size=\"64k\"").contains("connect-timeout=\"10s\"").contains("loopback-only").contains(": OK (1 listener(s)");

        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, """
                gatehouse.listeners = [ { name = local, bind = "127.0.0.1", anonymous = nobody } ]
                gatehouse.limits.max-inflite = 3
                """);
        Result no = run(null, "check-config", bad.toString());
        assertThat(no.code()).isEqualTo(1);
        assertThat(no.err()).contains("gatehouse.listeners.0.bind: expected HOST:PORT but found \"127.0.0.1\"")
                .contains("gatehouse.listeners.0.anonymous: expected one of deny, loopback-only, allow but found \"nobody\"")
                .contains("gatehouse.limits.max-inflite: unknown key (did you mean max-inflight?)")
                .contains("3 problem(s)");
    }

    @Test
    void runWithABadConfigExitsNonZeroAndOpensNoPort() throws Exception {
        int port = freePort();
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "gatehouse.listeners = [ { name = a, bind = \"127.0.0.1:" + port + "\", type = tcpx } ]\n"
                + "gatehouse.authentication = [ { type = nope } ]\n");
        Result r = run(null, "run", "--config", bad.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("gatehouse.listeners.0.type: expected one of tcp, tls, ws, wss but found \"tcpx\"")
                .contains("gatehouse.authentication.0.type: unknown authenticator type \"nope\" (known: ")
                .contains("nothing was started");
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void passwdThenRunWithAPasswordFileAdmitsTheUserAndStopsOnSigterm() throws Exception {
        Path passwd = dir.resolve("passwd");
        Result w = run("s3cret\n", "passwd", passwd.toString(), "carol", "--password-stdin", "--iterations", "1000");
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(Files.readString(passwd)).startsWith("carol:$gatehouse-pbkdf2-sha512$1000$").doesNotContain("s3cret");

        Path conf = dir.resolve("gatehouse.conf");
        Files.writeString(conf, """
                gatehouse.listeners = [ { name = main, bind = "127.0.0.1:1" } ]
                gatehouse.authentication = [ { type = password-file, file = passwd, default-permissions = allow-all } ]
                """);
        int port = freePort();
        Path err = dir.resolve("run.err");
        Process p = gatehouse("run", "--config", conf.toString(), "--bind", "127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(err.toFile()).start();
        try {
            awaitPort(port, p);
            MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "carol-1", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName("carol");
            o.setPassword("s3cret".toCharArray());
            c.connect(o);
            c.publish("anything", new byte[] {1}, 1, false);
            c.disconnect();
            c.close();
        } finally {
            p.destroy(); // SIGTERM: the shutdown hook stops the broker gracefully
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        String log = Files.readString(err);
        assertThat(log).contains("listener main: tcp on /127.0.0.1:" + port).contains("authenticator password-file")
                .contains("broker stopped").doesNotContain("s3cret");
    }

    @Test
    void sighupReloadsThePasswordFileWithoutDroppingTheConnectedClient() throws Exception {
        Path passwd = dir.resolve("passwd");
        dev.gatehouse.config.passwd.PasswordFile.upsert(passwd, "carol", dev.gatehouse.config.passwd.PasswordHash
                .create("c-pw".getBytes(StandardCharsets.UTF_8), 1000, new java.security.SecureRandom()));
        int port = freePort();
        Path conf = dir.resolve("gatehouse.conf");
        Files.writeString(conf, "gatehouse.listeners = [ { name = main, bind = \"127.0.0.1:" + port + "\" } ]\n"
                + "gatehouse.authentication = [ { type = password-file, file = passwd, default-permissions = allow-all } ]\n");
        Path log = dir.resolve("run.log");
        Process p = gatehouse("run", "--config", conf.toString(), "--no-watch")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitPort(port, p);
            MqttClient carol = connect(port, "carol", "c-pw");
            dev.gatehouse.config.passwd.PasswordFile.upsert(passwd, "dave", dev.gatehouse.config.passwd.PasswordHash
                    .create("d-pw".getBytes(StandardCharsets.UTF_8), 1000, new java.security.SecureRandom()));
            Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
            assertThat(hup.waitFor(10, TimeUnit.SECONDS)).isTrue();
            awaitLog(log, "reloaded " + conf);
            assertThat(p.isAlive()).as("SIGHUP must not stop the broker").isTrue();
            MqttClient dave = connect(port, "dave", "d-pw");
            assertThat(carol.isConnected()).isTrue();
            carol.publish("x", new byte[] {1}, 1, false);
            dave.disconnect();
            carol.disconnect();
            dave.close();
            carol.close();
        } finally {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static MqttClient connect(int port, String user, String password) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, user + "-1", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        c.connect(o);
        return c;
    }

    private static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in the log within 30 s:\n" + Files.readString(log));
    }

    private static void awaitPort(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                try (InputStream in = p.getInputStream()) {
                    throw new AssertionError("gatehouse exited with " + p.exitValue());
                }
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("gatehouse did not listen on " + port + " within 30 s");
    }
}

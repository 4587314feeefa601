package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Assumptions;

/** What the tests of the packaged artifacts (*JarIT) share: artifact paths, processes, MQTT clients. */
final class DistProcesses {
    private DistProcesses() {
    }

    /** A path the jar-tests execution of app/pom.xml passes as a system property; skips the test without it. */
    static Path artifact(String property) {
        String p = System.getProperty(property);
        Assumptions.assumeTrue(p != null, "no " + property + ": run mvn verify (the jar-tests execution sets it)");
        Path path = Path.of(p);
        assertThat(path).exists();
        return path;
    }

    static String expectedVersion() {
        String v = System.getProperty("gatehouse.version");
        Assumptions.assumeTrue(v != null, "no gatehouse.version: run mvn verify");
        return v;
    }

    /** The commit the build should have baked in: {@code git rev-parse} of the source tree, else "unknown". */
    static String expectedCommit() throws Exception {
        String root = System.getProperty("gatehouse.source-root", ".");
        try {
            Result r = run(List.of("git", "-C", root, "rev-parse", "--short=12", "HEAD"), Map.of(), 30);
            return r.exit() == 0 && !r.out().isBlank() ? r.out().trim() : "unknown";
        } catch (IOException noGit) {
            return "unknown";
        }
    }

    /** The java running this test: its home stands in for JAVA_HOME. */
    static Path javaHome() {
        return Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
    }

    record Result(int exit, String out) {
    }

    /** Run to completion; stdout and stderr together. */
    static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Start a broker process with its output in {@code log}; returns once it listens on {@code port}. */
    static Process start(List<String> command, Map<String, String> env, Path log, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("GATEHOUSE_LOG_LEVEL");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        awaitPort(port, p, log);
        return p;
    }

    /** SIGTERM, as systemd stops the service; a broker that does not stop fails the test. */
    static void stop(Process p) throws Exception {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the broker did not stop on SIGTERM");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Process p, Path log) throws Exception {
        for (int i = 0; i < 1200; i++) {
            if (!p.isAlive()) {
                throw new AssertionError("the broker exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("the broker never listened on " + port + ":\n" + Files.readString(log));
    }

    /** A connected MQTT 3.1.1 client (password null: none); throws the broker's refusal. */
    static MqttClient connect(int port, String clientId, String password) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setConnectionTimeout(10);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (password != null) {
            o.setUserName(clientId);
            o.setPassword(password.toCharArray());
        }
        try {
            c.connect(o);
        } catch (MqttException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The example plugin's device key (examples/authenticator-example): hex HMAC-SHA256(secret, client id). */
    static String deviceKey(String secret, String clientId) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(clientId.getBytes(StandardCharsets.UTF_8)));
    }

    /** A configuration whose only way in is the example plugin's {@code device-key} authenticator. */
    static String deviceKeyConfig(String bind) {
        return "gatehouse {\n"
                + "  listeners = [ { name = default, type = tcp, bind = \"" + bind + "\" } ]\n"
                + "  authentication = [ { type = device-key, secret-env = DEVICE_KEY_SECRET, topic-root = devices } ]\n"
                + "}\n";
    }

    /**
     * Against a broker running {@link #deviceKeyConfig} with {@code secret}: the right key is admitted (and may
     * publish under its own subtree), another device's key is refused as bad credentials (3.1.1 code 4), and no
     * password at all falls to the listener's anonymous policy, deny (code 5).
     */
    static void assertDeviceKeyDecides(int port, String secret) throws Exception {
        MqttClient admitted = connect(port, "dev-7", deviceKey(secret, "dev-7"));
        try {
            admitted.publish("devices/dev-7/temp", "21".getBytes(StandardCharsets.UTF_8), 1, false);
        } finally {
            admitted.disconnect();
            admitted.close();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect(port, "dev-7", deviceKey(secret, "dev-8")))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect(port, "dev-7", null))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
    }
}

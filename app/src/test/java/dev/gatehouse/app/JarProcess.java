package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The packaged jar as a child process for the {@code *JarIT} tests: {@code run --config FILE --warm-up 0
 * --no-watch} with a configuration the test wrote (a loopback tcp listener on a fixed port, anonymous clients
 * allowed everything, persistence in {@code data} next to the file at {@code sync = batch}), started again on the
 * same directory and port after a SIGTERM or a SIGKILL. Each start writes its stderr to its own file.
 */
final class JarProcess implements AutoCloseable {
    private final Path dir;
    private final Path config;
    private final int port;
    private Process process;
    private Path stderr;
    private int starts;

    private JarProcess(Path dir, Path config, int port) {
        this.dir = dir;
        this.config = config;
        this.port = port;
    }

    /** The jar built by {@code package}; the test is skipped without it (an IDE run, {@code -Dtest=...}). */
    static Path jar() {
        String p = System.getProperty("gatehouse.jar");
        Assumptions.assumeTrue(p != null, "no packaged jar: run mvn verify");
        Path jar = Path.of(p);
        assertThat(jar).exists();
        return jar;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Writes {@code dir/gatehouse.conf} (with {@code extraLimits} inside {@code gatehouse.limits}) and starts. */
    static JarProcess start(Path dir, String extraLimits) throws Exception {
        jar();
        int port = freePort();
        Path config = dir.resolve("gatehouse.conf");
        Files.writeString(config, """
                gatehouse {
                  listeners = [
                    { name = test, type = tcp, bind = "127.0.0.1:%d", anonymous = allow, anonymous-permissions = allow-all }
                  ]
                  limits {
                    max-session-expiry = 1d
                    %s
                  }
                  persistence {
                    enabled = true
                    dir = "data"
                    sync = batch
                  }
                }
                """.formatted(port, extraLimits));
        JarProcess p = new JarProcess(dir, config, port);
        p.startAgain();
        return p;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    /** Starts the jar (again) on the same configuration, data directory and port; returns once the port accepts. */
    void startAgain() throws Exception {
        assertThat(process == null || !process.isAlive()).as("the previous process has exited").isTrue();
        String java = ProcessHandle.current().info().command().orElse("java");
        stderr = dir.resolve("stderr-" + (++starts) + ".log");
        ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar().toString(), "run", "--config", config.toString(),
                "--warm-up", "0", "--no-watch")
                .directory(dir.toFile())
                .redirectError(stderr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("GATEHOUSE_LOG_LEVEL");
        process = pb.start();
        awaitPort();
    }

    /** SIGTERM (what {@link Process#destroy()} sends on Linux) and waits for the graceful stop; returns the exit code. */
    int terminate() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the jar did not stop within 30 s of SIGTERM; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux): no shutdown hook, no store close. */
    int kill() throws Exception {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the jar did not die of SIGKILL within 30 s");
        }
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    /** What the current (or last) process wrote to stderr. */
    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    private void awaitPort() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new AssertionError("the jar exited with " + process.exitValue() + "; stderr:\n" + stderr());
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the jar never listened on " + port + "; stderr:\n" + stderr());
    }

    /** Always ends the process (SIGKILL if it is still running): for {@code finally} / {@code @AfterEach}. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar (run by the {@code jar-tests} surefire execution after {@code package}): its log goes
 * through an asynchronous queue, and the last lines of a SIGTERM shutdown must still reach stderr.
 */
class ShutdownLogJarIT {
    @TempDir
    Path dir;

    private static Path jar() {
        String p = System.getProperty("gatehouse.jar");
        // set by the jar-tests execution in app/pom.xml; without it (an IDE, -Dtest=...) there is no jar yet
        Assumptions.assumeTrue(p != null, "no packaged jar: run mvn verify");
        Path jar = Path.of(p);
        assertThat(jar).exists();
        return jar;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Start the jar on a free port, stop it with SIGTERM, return what it wrote to stderr. */
    private String runAndTerminate(String logLevel) throws Exception {
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path err = dir.resolve("err-" + System.nanoTime());
        ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar().toString(), "--bind", "127.0.0.1:" + port)
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (logLevel != null) {
            pb.environment().put("GATEHOUSE_LOG_LEVEL", logLevel);
        } else {
            pb.environment().remove("GATEHOUSE_LOG_LEVEL");
        }
        Process p = pb.start();
        try {
            awaitPort(port, p);
            // the start-up warning: logged once the shutdown hook knows the broker, so SIGTERM now stops it
            awaitText(err, "no configuration", p);
        } finally {
            p.destroy(); // SIGTERM: the shutdown hook stops the broker, then flushes the log queue
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the jar did not stop on SIGTERM");
            }
        }
        return Files.readString(err);
    }

    @Test
    void theShutdownLineReachesStderr() throws Exception {
        String log = runAndTerminate(null);
        assertThat(log).contains("no configuration: anonymous clients are admitted from loopback addresses only")
                .contains("broker stopped");
        assertThat(log.indexOf("broker stopped")).isGreaterThan(log.indexOf("no configuration"));
    }

    @Test
    void gatehouseLogLevelStillApplies() throws Exception {
        String log = runAndTerminate("WARN");
        assertThat(log).contains("WARN").contains("no configuration").doesNotContain("broker stopped");
    }

    private static void awaitText(Path file, String text, Process p) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Files.readString(file).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the jar exited with " + p.exitValue());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the jar never logged " + text + ": " + Files.readString(file));
    }

    private static void awaitPort(int port, Process p) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (!p.isAlive()) {
                throw new AssertionError("the jar exited with " + p.exitValue());
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the jar never listened on " + port);
    }
}

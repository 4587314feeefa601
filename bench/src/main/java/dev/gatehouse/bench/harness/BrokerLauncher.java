package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.Credentials;
import dev.gatehouse.bench.load.Endpoint;
import dev.gatehouse.bench.load.IdleClient;
import dev.gatehouse.bench.load.IoLoop;
import dev.gatehouse.bench.load.MqttClient;
import dev.gatehouse.bench.load.Connector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts one broker at a time on a free loopback port, in its own process, and waits until it answers
 * a CONNECT. JVM brokers get the same heap flags so that memory figures are comparable.
 */
public final class BrokerLauncher {
    private static final List<String> JVM_FLAGS = List.of("-Xms256m", "-Xmx2g", "-XX:+UseG1GC");
    private static final long READY_NANOS = 60_000_000_000L;

    private final BrokerPaths paths;
    private final List<String> gatehouseJvmOptions = new ArrayList<>();
    private final List<String> gatehouseArgs = new ArrayList<>();

    public BrokerLauncher(BrokerPaths paths) {
        this.paths = paths;
    }

    /**
     * Extra JVM options for Gatehouse only (after the common heap flags), for diagnostics such as
     * {@code -XX:StartFlightRecording} or {@code -Xlog:gc}, or to switch its start-up warm-up off for a comparison.
     */
    public BrokerLauncher gatehouseJvmOption(String option) {
        gatehouseJvmOptions.add(option);
        return this;
    }

    /** Null if this broker can be started here, else why not. */
    public String unavailableReason(BrokerKind kind) {
        switch (kind) {
            case GATEHOUSE:
                return Files.isRegularFile(paths.gatehouseJar()) ? null : "no " + paths.gatehouseJar();
            case MOSQUITTO:
                return paths.mosquitto() != null && Files.isExecutable(Path.of(paths.mosquitto()))
                        ? null : "mosquitto not installed";
            case MOQUETTE:
                return Files.isRegularFile(paths.moquetteClasspath()) ? null : "no " + paths.moquetteClasspath();
            case HIVEMQ:
                return Files.isRegularFile(paths.hivemqClasspath()) ? null : "no " + paths.hivemqClasspath();
            default:
                return "unknown broker";
        }
    }

    public RunningBroker start(BrokerKind kind) throws IOException {
        return start(kind, kind.id(), null);
    }

    /** The directory a broker started under {@code name} works in (its config and broker.log go there). */
    public Path workDir(String name) throws IOException {
        return Files.createDirectories(paths.workDir().resolve(name));
    }

    /** Extra command-line arguments for Gatehouse's {@code run} (after {@code --bind}), e.g. {@code --warm-up 0}. */
    public BrokerLauncher gatehouseArg(String arg) {
        gatehouseArgs.add(arg);
        return this;
    }

    /**
     * Starts {@code kind} working in {@link #workDir}({@code name}); for Gatehouse with a non-null
     * {@code gatehouseConfig} as {@code run --config FILE --bind 127.0.0.1:PORT}.
     */
    public RunningBroker start(BrokerKind kind, String name, Path gatehouseConfig) throws IOException {
        return start(kind, name, gatehouseConfig, null);
    }

    /**
     * Starts {@code kind} with a {@link BrokerSetup} (durable state, limits) working in {@link #workDir}({@code name}).
     * With {@code wipe} the work directory is emptied first (a fresh store); without, the broker starts on what its
     * last process left there (a restart). Its log is appended to, so a restart's log follows the first one's.
     */
    public RunningBroker start(BrokerKind kind, String name, BrokerSetup setup, boolean wipe) throws IOException {
        Path work = paths.workDir().resolve(name);
        if (wipe) {
            deleteTree(work);
        }
        Files.createDirectories(work);
        if (kind == BrokerKind.MOSQUITTO && setup.persistent()) {
            // Started as root, Mosquitto drops to its own user ("mosquitto") before it writes its database; without
            // write access to persistence_location it logs "Permission denied" at every save and restores nothing.
            try {
                Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: nothing to open up.
            }
        }
        Path config = null;
        if (kind == BrokerKind.GATEHOUSE) {
            config = work.resolve("gatehouse.conf");
            StringBuilder b = new StringBuilder();
            b.append("# Written by the bench harness: setup ").append(setup.name()).append(".\n");
            b.append("gatehouse {\n");
            b.append("  listeners = [ { name = bench, type = tcp, bind = \"127.0.0.1:0\", anonymous = allow, anonymous-permissions = allow-all } ]\n");
            if (setup.maxQueued() > 0 || setup.maxRetained() > 0) {
                b.append("  limits {\n");
                if (setup.maxQueued() > 0) {
                    b.append("    max-queued-messages = ").append(setup.maxQueued()).append('\n');
                }
                if (setup.maxRetained() > 0) {
                    b.append("    max-retained-messages = ").append(setup.maxRetained()).append('\n');
                }
                b.append("  }\n");
            }
            if (setup.persistent()) {
                b.append("  persistence {\n    enabled = true\n    dir = \"data\"\n    sync = batch\n  }\n");
            }
            b.append("}\n");
            Files.writeString(config, b.toString(), StandardCharsets.UTF_8);
        }
        return start(kind, name, config, setup);
    }

    private RunningBroker start(BrokerKind kind, String name, Path gatehouseConfig, BrokerSetup setup) throws IOException {
        if (gatehouseConfig != null && kind != BrokerKind.GATEHOUSE) {
            throw new IllegalArgumentException("a Gatehouse configuration for " + kind.label());
        }
        int port = freePort();
        Path work = workDir(name);
        List<String> cmd = command(kind, port, work, gatehouseConfig, setup);
        Path log = work.resolve("broker.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(setup == null ? ProcessBuilder.Redirect.to(log.toFile()) : ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Like the Mosquitto config below (log_type error + warning): no line per connection in any broker.
        pb.environment().put("GATEHOUSE_LOG_LEVEL", "WARN");
        long started = System.nanoTime();
        Process p = pb.start();
        RunningBroker broker = new RunningBroker(kind, p, port, started);
        try {
            awaitReady(broker);
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw new IOException(kind.label() + " did not start (see " + log + "): " + e.getMessage(), e);
        }
        return broker;
    }

    private List<String> command(BrokerKind kind, int port, Path work, Path gatehouseConfig, BrokerSetup setup)
            throws IOException {
        boolean persistent = setup != null && setup.persistent();
        long maxQueued = setup == null ? 0 : setup.maxQueued();
        List<String> cmd = new ArrayList<>();
        switch (kind) {
            case GATEHOUSE:
                cmd.add(paths.javaBin());
                cmd.addAll(JVM_FLAGS);
                cmd.addAll(gatehouseJvmOptions);
                cmd.addAll(List.of("-jar", paths.gatehouseJar().toString()));
                if (gatehouseConfig != null) {
                    cmd.addAll(List.of("run", "--config", gatehouseConfig.toString()));
                }
                cmd.addAll(List.of("--bind", "127.0.0.1:" + port));
                cmd.addAll(gatehouseArgs);
                if (setup != null) {
                    cmd.addAll(setup.gatehouseArgs());
                }
                return cmd;
            case MOSQUITTO:
                Path conf = work.resolve("mosquitto.conf");
                Files.writeString(conf, String.join("\n",
                        "listener " + port + " 127.0.0.1",
                        "allow_anonymous true",
                        persistent ? "persistence true" : "persistence false",
                        // Its default autosave_interval (1800 s) is kept: the database is written then and at shutdown.
                        persistent ? "persistence_location " + work.toAbsolutePath() + "/" : "",
                        maxQueued > 0 ? "max_queued_messages " + maxQueued : "",
                        // Netty (so Gatehouse, Moquette and HiveMQ CE) sets TCP_NODELAY; Mosquitto's default is Nagle,
                        // which costs it up to a delayed-ACK (40 ms) per burst. Compare like with like.
                        "set_tcp_nodelay true",
                        "log_dest stderr",
                        "log_type error",
                        "log_type warning",
                        ""), StandardCharsets.UTF_8);
                cmd.addAll(List.of(paths.mosquitto(), "-c", conf.toString()));
                return cmd;
            case MOQUETTE:
                cmd.add(paths.javaBin());
                cmd.addAll(JVM_FLAGS);
                cmd.addAll(List.of("-cp", launcherClasspath(paths.moquetteClasspath()),
                        "dev.gatehouse.bench.brokers.MoquetteLauncher", "127.0.0.1", Integer.toString(port)));
                return cmd;
            case HIVEMQ:
                cmd.add(paths.javaBin());
                cmd.addAll(JVM_FLAGS);
                cmd.addAll(List.of("-cp", launcherClasspath(paths.hivemqClasspath()),
                        "dev.gatehouse.bench.brokers.HiveMqLauncher", "127.0.0.1", Integer.toString(port),
                        work.resolve("hivemq-home").toString(), persistent ? "file" : "in-memory"));
                if (maxQueued > 0) {
                    cmd.add(Long.toString(maxQueued));
                }
                return cmd;
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    /** The launcher's own classes (target/classes beside classpath.txt) plus its dependencies. */
    private static String launcherClasspath(Path classpathFile) throws IOException {
        String deps = Files.readString(classpathFile).trim();
        return classpathFile.getParent().resolve("classes") + (deps.isEmpty() ? "" : ":" + deps);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls with a real CONNECT every 50 ms until CONNACK, the process dies, or a minute passes. */
    private static void awaitReady(RunningBroker broker) throws IOException {
        long deadline = System.nanoTime() + READY_NANOS;
        Endpoint endpoint = Endpoint.loopback(broker.port(), 0);
        while (System.nanoTime() - deadline < 0) {
            if (!broker.alive()) {
                throw new IOException("process exited");
            }
            try (IoLoop loop = new IoLoop()) {
                IdleClient probe = new IdleClient("bench-ready-probe", 30, Credentials.ANONYMOUS);
                new Connector(loop, endpoint, 4, 1024, 1024, 1)
                        .openAll(List.of(probe), MqttClient::connected, System.nanoTime() + 2_000_000_000L);
                if (probe.connected()) {
                    broker.ready(System.nanoTime());
                    probe.disconnect();
                    return;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw new IOException("no CONNACK within 60 s");
    }
}

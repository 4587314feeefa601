package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.BrokerProbe;
import dev.gatehouse.bench.load.Endpoint;
import dev.gatehouse.bench.proc.JvmHeap;
import dev.gatehouse.bench.proc.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Runs every scenario against every broker, one broker process at a time, and writes the report.
 * Started by bench/run.sh, which builds the pieces and passes their paths.
 */
public final class Harness {
    private final Plan plan;
    private final List<BrokerKind> brokers;
    private final BrokerLauncher launcher;
    private final ProcStat procStat = ProcStat.system();
    private final JvmHeap jvmHeap;
    private final Pattern only;
    private final ResultTable table = new ResultTable();
    private final AtomicReference<RunningBroker> current = new AtomicReference<>();

    Harness(Plan plan, List<BrokerKind> brokers, BrokerLauncher launcher, JvmHeap jvmHeap, Pattern only) {
        this.plan = plan;
        this.brokers = brokers;
        this.launcher = launcher;
        this.jvmHeap = jvmHeap;
        this.only = only;
    }

    public static void main(String[] args) throws IOException {
        boolean quick = false;
        Path out = Path.of("bench/results");
        Path jar = Path.of("app/target/gatehouse.jar");
        Path moquette = Path.of("bench/brokers/moquette/target/classpath.txt");
        Path hivemq = Path.of("bench/brokers/hivemq/target/classpath.txt");
        String mosquitto = "/usr/sbin/mosquitto";
        String brokerList = "gatehouse,mosquitto,moquette,hivemq";
        String onlyRegex = ".*";
        List<String> gatehouseJvm = new ArrayList<>();
        List<String> gatehouseArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--gatehouse-jar" -> jar = Path.of(args[++i]);
                case "--moquette-cp" -> moquette = Path.of(args[++i]);
                case "--hivemq-cp" -> hivemq = Path.of(args[++i]);
                case "--mosquitto" -> mosquitto = args[++i];
                case "--brokers" -> brokerList = args[++i];
                case "--only" -> onlyRegex = args[++i];
                case "--gatehouse-jvm-opt" -> gatehouseJvm.add(args[++i]);
                case "--gatehouse-arg" -> gatehouseArgs.add(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        long openFiles = OpenFilesLimit.hard();
        Files.createDirectories(out);
        Path work = Files.createDirectories(out.resolve("work"));
        Plan plan = quick ? Plan.quick(jar, openFiles, work) : Plan.full(jar, openFiles, work);
        List<BrokerKind> kinds = new ArrayList<>();
        for (String id : brokerList.split(",")) {
            kinds.add(BrokerKind.byId(id.trim()));
        }
        String javaHome = System.getProperty("java.home");
        BrokerLauncher launcher = new BrokerLauncher(new BrokerPaths(jar, moquette, hivemq, mosquitto,
                javaHome + "/bin/java", work));
        gatehouseJvm.forEach(launcher::gatehouseJvmOption);
        gatehouseArgs.forEach(launcher::gatehouseArg);
        if (!gatehouseJvm.isEmpty() || !gatehouseArgs.isEmpty()) {
            System.out.println("[gatehouse] extra JVM options: " + gatehouseJvm + ", extra arguments: " + gatehouseArgs);
        }
        Harness h = new Harness(plan, kinds, launcher, JvmHeap.beside(javaHome), Pattern.compile(onlyRegex));
        Runtime.getRuntime().addShutdownHook(new Thread(h::stopCurrent, "bench-stop-broker"));
        h.runAll();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm", Locale.ROOT));
        String name = stamp + (quick ? "-quick" : "");
        List<String> machine = MachineInfo.describe(mosquitto);
        new ReportWriter(kinds).write(h.table, plan, machine, out.resolve(name + ".md"), out.resolve(name + ".csv"));
        System.out.println("wrote " + out.resolve(name + ".md") + " and " + out.resolve(name + ".csv"));
    }

    void runAll() {
        for (BrokerKind kind : brokers) {
            String why = launcher.unavailableReason(kind);
            for (Scenario s : plan.scenarios()) {
                if (!only.matcher(s.name()).find()) {
                    continue;
                }
                table.declare(s.name());
                if (why != null) {
                    table.skip(kind, s.name(), why);
                }
            }
            if (why != null) {
                log(kind, "skipped: " + why);
                continue;
            }
            try {
                runBroker(kind);
            } finally {
                stopCurrent();
            }
        }
    }

    private void runBroker(BrokerKind kind) {
        for (Scenario s : plan.scenarios()) {
            if (!only.matcher(s.name()).find()) {
                continue;
            }
            String why = s.unavailableReason(kind);
            if (why == null && s.setup() != null) {
                why = s.setup().unavailableReason(kind);
            }
            if (why != null) {
                table.skip(kind, s.name(), why);
                log(kind, s.name() + ": skipped, " + why);
                continue;
            }
            try {
                RunningBroker broker = brokerFor(kind, s);
                ScenarioContext ctx = context(kind, broker, s);
                if (s.warmUp()) {
                    List<Metric> warm = s.warmUpRun(new ScenarioContext(kind, ctx.endpoint(), ctx.probe(),
                            n -> table.note(kind.label() + " (warm-up): " + n)));
                    log(kind, s.name() + " warm-up: " + summary(warm));
                }
                int reps = s.reps(plan.reps());
                for (int rep = 1; rep <= reps; rep++) {
                    if (rep > 1 && s.freshBrokerPerRep()) {
                        stopCurrent();
                        broker = brokerFor(kind, s);
                        ctx = context(kind, broker, s);
                    }
                    List<Metric> metrics = s.run(ctx);
                    for (Metric m : metrics) {
                        table.add(kind, s.name(), rep, m);
                    }
                    log(kind, s.name() + " rep " + rep + ": " + summary(metrics));
                    RunningBroker live = current.get();
                    if (live == null || !live.alive()) {
                        table.note(kind.label() + ": broker process died during " + s.name());
                        break;
                    }
                }
                if (s.freshBroker() || s.freshBrokerPerRep() || s.configName() != null || s.setup() != null) {
                    stopCurrent();
                }
            } catch (IOException | RuntimeException e) {
                table.note(kind.label() + ": " + s.name() + " failed: " + e);
                log(kind, s.name() + " failed: " + e);
                stopCurrent();
            }
        }
    }

    private ScenarioContext context(BrokerKind kind, RunningBroker broker) {
        return context(kind, broker, null);
    }

    private ScenarioContext context(BrokerKind kind, RunningBroker broker, Scenario s) {
        ScenarioContext.Restarter restarter = null;
        if (s != null && s.setup() != null) {
            BrokerSetup setup = s.setup();
            String name = kind.id() + "-" + setup.name();
            restarter = () -> {
                RunningBroker old = current.getAndSet(null);
                double stop = old == null ? 0 : old.stopGracefully(120);
                int exit = old == null ? 0 : old.exitValue();
                RunningBroker b = launcher.start(kind, name, setup, false);
                current.set(b);
                log(kind, "restarted on the same data, pid " + b.pid() + ", port " + b.port()
                        + String.format(java.util.Locale.ROOT, " (old process stopped in %.0f ms, exit %d)", stop, exit));
                return new ScenarioContext.Restarted(stop, exit, b, context(kind, b, s));
            };
        }
        return new ScenarioContext(kind, Endpoint.loopback(broker.port(), 200),
                new BrokerProbe(broker.pid(), kind.jvm(), procStat, jvmHeap),
                n -> table.note(kind.label() + ": " + n), broker, restarter);
    }

    private RunningBroker brokerFor(BrokerKind kind, Scenario s) throws IOException {
        Path config = null;
        String name = kind.id();
        if (kind == BrokerKind.GATEHOUSE && s.configName() != null) {
            name = s.configName();
            config = s.gatehouseConfig(launcher.workDir(name));
        }
        if (s.setup() != null) {
            stopCurrent();
            RunningBroker b = launcher.start(kind, kind.id() + "-" + s.setup().name(), s.setup(), true);
            current.set(b);
            log(kind, "started with setup " + s.setup() + " on an empty work directory, pid " + b.pid() + ", port " + b.port());
            return b;
        }
        boolean fresh = s.freshBroker() || s.freshBrokerPerRep() || config != null;
        RunningBroker b = current.get();
        if (b != null && (fresh || !b.alive() || b.kind() != kind)) {
            stopCurrent();
            b = null;
        }
        if (b == null) {
            b = config == null ? launcher.start(kind) : launcher.start(kind, name, config);
            if (config != null) {
                log(kind, "configured with " + config);
            }
            current.set(b);
            log(kind, "started, pid " + b.pid() + ", port " + b.port());
        }
        return b;
    }

    private void stopCurrent() {
        RunningBroker b = current.getAndSet(null);
        if (b != null) {
            b.close();
        }
    }

    private static String summary(List<Metric> metrics) {
        StringBuilder b = new StringBuilder();
        for (Metric m : metrics) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(m.name()).append(' ').append(ReportWriter.fmt(m.value())).append(' ').append(m.unit());
        }
        return b.toString();
    }

    private static void log(BrokerKind kind, String line) {
        System.out.println("[" + kind.id() + "] " + line);
    }
}

package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.ColdStartResult;
import dev.gatehouse.bench.load.ColdStartRun;
import dev.gatehouse.bench.stats.Timeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * "Cold start": a freshly started broker process for every rep, and from the moment its port first answers a
 * CONNECT a steady QoS 1 open loop (1 -> 1, 64 B) for a few seconds. Latency is measured from each message's
 * scheduled send time, so a stall cannot hide behind the generator waiting for it. "lost" is acknowledged by the
 * broker (PUBACK) and never delivered, checked per sequence number. No warm-up, by design. Each rep's
 * per-100 ms timeline goes to the console and to {@code timelines/} under the harness's work directory.
 */
public final class ColdStartScenario implements Scenario {
    private final String name;
    private final long rate;
    private final Duration sendTime;
    private final int reps;
    private final Path timelineDir;

    public ColdStartScenario(String name, long rate, Duration sendTime, int reps, Path timelineDir) {
        this.name = name;
        this.rate = rate;
        this.sendTime = sendTime;
        this.reps = reps;
        this.timelineDir = timelineDir;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean freshBroker() {
        return true;
    }

    @Override
    public boolean freshBrokerPerRep() {
        return true;
    }

    @Override
    public boolean warmUp() {
        return false;
    }

    @Override
    public int reps(int planReps) {
        return reps;
    }

    @Override
    public List<Metric> run(ScenarioContext ctx) throws IOException {
        long sinceReady = ctx.broker() == null ? 0 : System.nanoTime() - ctx.broker().readyNanos();
        String load = loadAverage();
        ColdStartResult r = new ColdStartRun(ctx.endpoint()).run(1, 64, rate, sendTime);
        if (r.failure() != null) {
            ctx.note().accept(name + ": " + r.failure());
        }
        if (r.timeline() != null) {
            String label = ctx.kind().id() + " pid " + (ctx.broker() == null ? "?" : ctx.broker().pid());
            String header = String.format(Locale.ROOT,
                    "%s: %s, process start to first CONNACK %.0f ms, first CONNACK to first scheduled send %.0f ms (at %s), load average %s%n",
                    name, label, ctx.broker() == null ? Double.NaN : ctx.broker().startupNanos() / 1e6,
                    (sinceReady + r.setupNanos()) / 1e6, java.time.Instant.ofEpochMilli(r.startEpochMillis()), load);
            String text = header + r.timeline().format(Integer.MAX_VALUE);
            System.out.print(header + r.timeline().format(20));
            if (timelineDir != null) {
                Files.createDirectories(timelineDir);
                Files.writeString(timelineDir.resolve(ctx.kind().id() + "-" + (ctx.broker() == null ? "x" : ctx.broker().pid())
                        + ".txt"), text, StandardCharsets.UTF_8);
            }
            ctx.note().accept(summary(r.timeline()) + ", load average " + load);
        }
        List<Metric> m = new ArrayList<>();
        m.add(Metric.lower("p50 latency", "ms", r.latency().p50() / 1e6));
        m.add(Metric.lower("p99 latency", "ms", r.latency().p99() / 1e6));
        m.add(Metric.lower("p99.9 latency", "ms", r.latency().p999() / 1e6));
        m.add(Metric.lower("max latency", "ms", r.latency().max() / 1e6));
        m.add(Metric.lower("lost (acked, never delivered)", "msgs", r.lost()));
        m.add(Metric.lower("duplicated", "msgs", r.duplicates()));
        m.add(Metric.lower("never acked nor delivered", "msgs", r.unackedUndelivered()));
        m.add(Metric.higher("delivered", "msgs", r.delivered()));
        if (ctx.broker() != null) {
            m.add(Metric.lower("start to first CONNACK", "ms", ctx.broker().startupNanos() / 1e6));
        }
        return m;
    }

    /**
     * The machine's load average (1, 5, 15 min) when the rep started: a cold JVM is sensitive to CPU taken by other
     * processes (compiler threads and the event loop compete for the cores), so every rep says how busy the box was.
     */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The worst 100 ms interval: when it was and how bad, for the notes. */
    private String summary(Timeline t) {
        Timeline.Interval worst = null;
        for (Timeline.Interval i : t.intervals()) {
            if (worst == null || i.maxNanos() > worst.maxNanos()) {
                worst = i;
            }
        }
        return String.format(Locale.ROOT, "%s: worst interval +%d ms (max %.1f ms, p99 %.1f ms)", name,
                worst.fromMillis(), worst.maxNanos() / 1e6, worst.p99Nanos() / 1e6);
    }
}

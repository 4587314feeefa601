package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.NonReadingClient;
import dev.gatehouse.bench.load.ThroughputResult;
import dev.gatehouse.bench.load.ThroughputRun;
import dev.gatehouse.bench.load.ThroughputSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * "One client never reads": a healthy 1->1 QoS 1 pair (closed loop, like the throughput scenarios) runs for a
 * fixed time alone, then for the same time beside a {@link NonReadingClient} that floods QoS 1 PUBLISHes and
 * PINGREQs to a topic nobody subscribes to and never reads its socket. A broker that keeps reading such a client
 * while its acks cannot be written buffers them without bound; one that stops reading it (or disconnects it)
 * keeps serving the others. Reports the pair's throughput and p99 in both halves, their ratio, and the broker's
 * RSS at the end of each half. Runs on a fresh broker, which is stopped afterwards so no later scenario inherits
 * what the bad client left behind.
 */
public final class NonReadingClientScenario implements Scenario {
    private final String name;
    private final Duration phase;
    private final long maxMessages;

    public NonReadingClientScenario(String name, Duration phase, long maxMessages) {
        this.name = name;
        this.phase = phase;
        this.maxMessages = maxMessages;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean freshBroker() {
        return true;
    }

    private ThroughputSpec spec() {
        return ThroughputSpec.closed(1, 1, 1, 64, maxMessages, phase);
    }

    /** Warm-up: the healthy pair alone, so both halves of the measured reps run compiled code. */
    @Override
    public List<Metric> warmUpRun(ScenarioContext ctx) throws IOException {
        ThroughputResult r = new ThroughputRun(ctx.endpoint(), ctx.probe()).run(spec());
        return List.of(Metric.higher("msg/s alone", "msg/s", r.messagesPerSecond()));
    }

    @Override
    public List<Metric> run(ScenarioContext ctx) throws IOException {
        ThroughputRun run = new ThroughputRun(ctx.endpoint(), ctx.probe());
        ThroughputResult alone = run.run(spec());
        long rssAlone = ctx.probe().rssBytes();
        String tag = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        ThroughputResult beside;
        long rssBeside;
        NonReadingClient bad = new NonReadingClient(ctx.endpoint(), "bad" + tag, "bench/" + tag + "/nobody", 64,
                phase.toNanos() + 10_000_000_000L);
        try {
            bad.start();
            // Let it fill its socket buffers and the broker's before the measured half starts.
            sleep(Math.min(500, phase.toMillis() / 2));
            beside = run.run(spec());
            rssBeside = ctx.probe().rssBytes();
        } finally {
            bad.close();
        }
        note(ctx, alone, "alone");
        note(ctx, beside, "with the non-reading client");
        ctx.note().accept(String.format(Locale.ROOT,
                "%s: the non-reading client wrote %.1f MB (%d QoS 1 PUBLISHes) in %.1f s; it ended: %s", name,
                bad.bytesWritten() / 1e6, bad.publishesWritten(), bad.secondsAlive(), bad.endReason()));
        List<Metric> m = new ArrayList<>();
        m.add(Metric.higher("msg/s alone", "msg/s", alone.messagesPerSecond()));
        m.add(Metric.higher("msg/s with non-reader", "msg/s", beside.messagesPerSecond()));
        m.add(Metric.higher("throughput with / alone", "ratio",
                alone.messagesPerSecond() > 0 ? beside.messagesPerSecond() / alone.messagesPerSecond() : Double.NaN));
        m.add(Metric.lower("p99 alone", "ms", alone.latency().p99() / 1e6));
        m.add(Metric.lower("p99 with non-reader", "ms", beside.latency().p99() / 1e6));
        m.add(Metric.lower("p99 with / alone", "ratio",
                alone.latency().p99() > 0 ? (double) beside.latency().p99() / alone.latency().p99() : Double.NaN));
        m.add(Metric.lower("RSS after alone", "MB", rssAlone / 1e6));
        m.add(Metric.lower("RSS after with non-reader", "MB", rssBeside / 1e6));
        m.add(Metric.lower("lost", "msgs", alone.lost() + beside.lost()));
        m.add(Metric.lower("non-reader written", "MB", bad.bytesWritten() / 1e6));
        return m;
    }

    private void note(ScenarioContext ctx, ThroughputResult r, String half) {
        if (r.failure() != null) {
            ctx.note().accept(name + " (" + half + "): " + r.failure());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

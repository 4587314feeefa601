package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.Connector;
import dev.gatehouse.bench.load.FlowStats;
import dev.gatehouse.bench.load.IoLoop;
import dev.gatehouse.bench.load.MqttClient;
import dev.gatehouse.bench.load.Publisher;
import dev.gatehouse.bench.load.Subscriber;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * "Restart with state": on a broker with its durable state on (and queue limits raised to hold it), a subscriber
 * with a persistent session (clean session 0) subscribes at QoS 1 and goes away; publishers then leave
 * {@code queued} QoS 1 messages queued for it and {@code retained} retained messages on distinct topics, every one
 * acknowledged by the broker. The broker is stopped gracefully (SIGTERM, waiting for it to exit) and started again
 * on the same data. Measured from the new process's start: its first CONNACK (the harness's readiness probe, polled
 * every 50 ms), the subscriber — reconnecting with the same client id and no clean session, and subscribing to the
 * retained topics' filter at QoS 1 at once — having received every queued message, and having received
 * everything (queued and retained). Every message carries its sequence number and is checked off, so what did not
 * survive the restart is an exact count.
 */
public final class RestartScenario implements Scenario {
    private static final int FILL_PUBLISHERS = 10;
    private static final long FILL_NANOS = 300_000_000_000L;
    private static final long DRAIN_NANOS = 120_000_000_000L;
    /** After a restart, nothing received for this long ends the wait (what is missing is reported). */
    private static final long QUIET_NANOS = 10_000_000_000L;

    private final String name;
    private final BrokerSetup setup;
    private final int queued;
    private final int retained;
    private final int reps;

    public RestartScenario(String name, BrokerSetup setup, int queued, int retained, int reps) {
        if (queued % FILL_PUBLISHERS != 0) {
            throw new IllegalArgumentException("queued must be a multiple of " + FILL_PUBLISHERS);
        }
        this.name = name;
        this.setup = setup;
        this.queued = queued;
        this.retained = retained;
        this.reps = reps;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BrokerSetup setup() {
        return setup;
    }

    @Override
    public String unavailableReason(BrokerKind kind) {
        if (!setup.gatehouseArgs().isEmpty() && kind != BrokerKind.GATEHOUSE) {
            return "a Gatehouse-only variant (" + String.join(" ", setup.gatehouseArgs()) + ")";
        }
        return null;
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
        if (ctx.restarter() == null) {
            throw new IllegalStateException("no restarter: the harness must start this scenario's broker with its setup");
        }
        String tag = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        String queueTopic = "bench/" + tag + "/q";
        String retainedPrefix = "bench/" + tag + "/r/";
        String subscriberId = "r" + tag + "s";
        int perPublisher = queued / FILL_PUBLISHERS;
        long maxSequence = Math.max(perPublisher, retained);

        // 1. The subscriber's persistent session, then the messages queued for it while it is away, and the retained.
        long fill0 = System.nanoTime();
        String load = ColdStartScenario.loadAverage();
        try (IoLoop loop = new IoLoop()) {
            Connector connector = new Connector(loop, ctx.endpoint(), 4, 64 * 1024, 64 * 1024, 20);
            FlowStats away = new FlowStats(1, Integer.MAX_VALUE);
            Subscriber first = new Subscriber(subscriberId, queueTopic, 1, FILL_PUBLISHERS + 1, maxSequence, away);
            first.persistentSession();
            if (connector.openAll(List.of(first), Subscriber::subscribed, System.nanoTime() + 30_000_000_000L) < 1) {
                throw new IOException("subscriber not ready: " + first.failure() + " / " + first.subscribeFailure());
            }
            first.disconnect();
            loop.runUntil(() -> false, System.nanoTime() + 200_000_000L, () -> { });
            FlowStats fill = new FlowStats(1, Integer.MAX_VALUE);
            List<Publisher> pubs = new ArrayList<>();
            for (int i = 0; i < FILL_PUBLISHERS; i++) {
                pubs.add(new Publisher("r" + tag + "p" + i, i, queueTopic, 1, 64, perPublisher, 20, fill));
            }
            pubs.add(new Publisher("r" + tag + "ret", FILL_PUBLISHERS, retainedPrefix, 1, 64, retained, 100, fill)
                    .retainedTopics(retainedPrefix));
            if (connector.openAll(pubs, MqttClient::connected, System.nanoTime() + 30_000_000_000L) < pubs.size()) {
                throw new IOException("publishers not ready");
            }
            boolean filled = loop.runUntil(() -> allAcked(pubs), System.nanoTime() + FILL_NANOS, () -> {
                long now = System.nanoTime();
                for (Publisher p : pubs) {
                    p.fill(now);
                }
                for (Publisher p : pubs) {
                    if (p.closed()) {
                        throw new IllegalStateException("publisher " + p.clientId() + " lost: " + p.closeReason());
                    }
                }
            });
            if (!filled) {
                throw new IOException("the broker did not acknowledge " + queued + " + " + retained + " messages within "
                        + FILL_NANOS / 1_000_000_000L + " s");
            }
            pubs.forEach(MqttClient::disconnect);
            loop.runUntil(() -> false, System.nanoTime() + 500_000_000L, () -> { });
        }
        double fillSeconds = (System.nanoTime() - fill0) / 1e9;

        // 2. Stop gracefully, start on the same data.
        ScenarioContext.Restarted r = ctx.restarter().restart();
        RunningBroker broker = r.broker();
        long start = broker.startNanos();
        String loadAtRestart = ColdStartScenario.loadAverage();

        // 3. The subscriber comes back and takes everything.
        FlowStats stats = new FlowStats(1, Integer.MAX_VALUE);
        Subscriber back = new Subscriber(subscriberId, retainedPrefix + "#", 1, FILL_PUBLISHERS + 1, maxSequence, stats);
        back.persistentSession();
        long queuedDone = 0;
        long allDone = 0;
        long connack;
        String lost;
        try (IoLoop loop = new IoLoop()) {
            Connector connector = new Connector(loop, r.context().endpoint(), 4, 256 * 1024, 64 * 1024, 1);
            connector.openAll(List.of(back), MqttClient::connected, System.nanoTime() + 30_000_000_000L);
            if (!back.connected()) {
                throw new IOException("subscriber did not reconnect: " + back.failure());
            }
            connack = System.nanoTime();
            long deadline = System.nanoTime() + DRAIN_NANOS;
            long lastCount = -1;
            long lastProgress = System.nanoTime();
            while (System.nanoTime() - deadline < 0 && !back.closed()) {
                loop.poll(1_000_000);
                long now = System.nanoTime();
                long q = queuedSeen(back);
                long all = q + back.seen(FILL_PUBLISHERS).cardinality();
                if (queuedDone == 0 && q >= queued) {
                    queuedDone = now;
                }
                if (all >= (long) queued + retained) {
                    allDone = now;
                    break;
                }
                if (all != lastCount) {
                    lastCount = all;
                    lastProgress = now;
                } else if (now - lastProgress > QUIET_NANOS) {
                    break;
                }
            }
            lost = back.closed() ? back.closeReason() : null;
            back.disconnect();
        }
        long queuedGot = queuedSeen(back);
        long retainedGot = back.seen(FILL_PUBLISHERS).cardinality();
        ctx.note().accept(String.format(Locale.ROOT,
                "%s: filled in %.1f s (load average %s); stopped in %.0f ms (exit %d); restarted (load average %s): first CONNACK %.0f ms,"
                        + " subscriber CONNACK %.0f ms (session present: %s), all queued %s, everything %s after the process start;"
                        + " received %d/%d queued, %d/%d retained%s",
                name, fillSeconds, load, r.stopMillis(), r.exitValue(), loadAtRestart, broker.startupNanos() / 1e6,
                (connack - start) / 1e6, back.sessionPresent(), ms(queuedDone, start), ms(allDone, start), queuedGot, queued,
                retainedGot, retained, lost != null ? ", connection lost: " + lost : ""));
        List<Metric> m = new ArrayList<>();
        m.add(Metric.lower("fill: " + queued + " queued + " + retained + " retained, all acknowledged", "s", fillSeconds));
        m.add(Metric.lower("graceful stop (SIGTERM to exit)", "ms", r.stopMillis() < 0 ? Double.NaN : r.stopMillis()));
        m.add(Metric.lower("start to first CONNACK", "ms", broker.startupNanos() / 1e6));
        m.add(Metric.lower("start to all queued received", "ms", queuedDone == 0 ? Double.NaN : (queuedDone - start) / 1e6));
        m.add(Metric.lower("start to everything received (queued + retained)", "ms",
                allDone == 0 ? Double.NaN : (allDone - start) / 1e6));
        m.add(Metric.higher("queued received after restart", "msgs", queuedGot));
        m.add(Metric.higher("retained received after restart", "msgs", retainedGot));
        m.add(Metric.lower("missing after restart", "msgs", (long) queued + retained - queuedGot - retainedGot));
        m.add(Metric.lower("duplicated", "msgs", stats.duplicates()));
        return m;
    }

    private static String ms(long at, long start) {
        return at == 0 ? "never" : String.format(Locale.ROOT, "%.0f ms", (at - start) / 1e6);
    }

    private static long queuedSeen(Subscriber s) {
        long n = 0;
        for (int i = 0; i < FILL_PUBLISHERS; i++) {
            n += s.seen(i).cardinality();
        }
        return n;
    }

    private static boolean allAcked(List<Publisher> pubs) {
        for (Publisher p : pubs) {
            if (!p.done() || p.unacked() > 0) {
                return false;
            }
        }
        return true;
    }
}

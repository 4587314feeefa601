package dev.gatehouse.bench.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Latency and throughput per fixed interval (100 ms by default) from a start time, to see <em>when</em> a broker
 * stalls rather than only that its p99 is high. Messages are filed by their scheduled send time (latency of what
 * was due then) and, separately, counted by receive time (what the broker delivered in that interval). Values
 * outside the covered span go to the first or last interval. Single-threaded, like {@link Histogram}.
 */
public final class Timeline {
    private final long startNanos;
    private final long intervalNanos;
    private final long[] sent;
    private final long[] delivered;
    private final long[] receivedIn;
    private final Histogram[] latency;

    public Timeline(long startNanos, long intervalNanos, int intervals) {
        if (intervalNanos <= 0 || intervals < 1) {
            throw new IllegalArgumentException("bad timeline");
        }
        this.startNanos = startNanos;
        this.intervalNanos = intervalNanos;
        this.sent = new long[intervals];
        this.delivered = new long[intervals];
        this.receivedIn = new long[intervals];
        this.latency = new Histogram[intervals];
    }

    private int slot(long nanos) {
        long i = Math.floorDiv(nanos - startNanos, intervalNanos);
        return (int) Math.max(0, Math.min(sent.length - 1, i));
    }

    public void sent(long scheduledNanos) {
        sent[slot(scheduledNanos)]++;
    }

    public void received(long scheduledNanos, long latencyNanos, long receivedNanos) {
        int s = slot(scheduledNanos);
        delivered[s]++;
        if (latency[s] == null) {
            latency[s] = new Histogram();
        }
        latency[s].record(latencyNanos);
        receivedIn[slot(receivedNanos)]++;
    }

    /** One interval: messages due in it, how many of those arrived, their p99 and max latency, and messages received in it. */
    public record Interval(long fromMillis, long sent, long delivered, long p99Nanos, long maxNanos, long receivedIn) {
    }

    public List<Interval> intervals() {
        List<Interval> out = new ArrayList<>(sent.length);
        for (int i = 0; i < sent.length; i++) {
            Histogram h = latency[i];
            out.add(new Interval(i * intervalNanos / 1_000_000, sent[i], delivered[i],
                    h == null ? 0 : h.percentile(99), h == null ? 0 : h.max(), receivedIn[i]));
        }
        return out;
    }

    /** The first {@code rows} intervals as a fixed-width table (ms from start, sent, delivered, p99 and max in ms, received). */
    public String format(int rows) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%8s %6s %9s %9s %9s %9s%n",
                "t(ms)", "sent", "delivered", "p99(ms)", "max(ms)", "recv/int"));
        List<Interval> all = intervals();
        for (int i = 0; i < Math.min(rows, all.size()); i++) {
            Interval v = all.get(i);
            b.append(String.format(Locale.ROOT, "%8d %6d %9d %9.2f %9.2f %9d%n", v.fromMillis(), v.sent(), v.delivered(),
                    v.p99Nanos() / 1e6, v.maxNanos() / 1e6, v.receivedIn()));
        }
        return b.toString();
    }
}

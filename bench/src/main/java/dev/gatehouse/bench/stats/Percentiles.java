package dev.gatehouse.bench.stats;

/** Latency percentiles in nanoseconds over {@code count} samples. */
public record Percentiles(long p50, long p99, long p999, long max, long count) {
    public static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0);
}

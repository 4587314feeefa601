package dev.gatehouse.bench.stats;

/**
 * A log-linear histogram of non-negative longs (nanoseconds here), in the manner of HdrHistogram:
 * values below 256 are exact, larger ones fall into one of 128 buckets per power of two, so every
 * reported percentile is within 0.8% of the truth while recording costs a few instructions and no
 * allocation. Not thread-safe: one per recording thread, then {@link #add}.
 */
public final class Histogram {
    private static final int SUB_BITS = 7;
    private static final int SUB_COUNT = 1 << SUB_BITS;
    private static final int LINEAR = SUB_COUNT * 2;
    private static final int MAGNITUDES = 63 - (SUB_BITS + 1);

    private final long[] counts = new long[LINEAR + MAGNITUDES * SUB_COUNT];
    private long total;
    private long max;

    public void record(long value) {
        long v = Math.max(0, value);
        counts[indexOf(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    public void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    public long count() {
        return total;
    }

    public long max() {
        return max;
    }

    /**
     * The smallest recorded bucket's highest value such that at least {@code percentile}% of the
     * values are at or below it; 0 when empty.
     */
    public long percentile(double percentile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(highestValueOf(i), max);
            }
        }
        return max;
    }

    /** p50, p99, p99.9 and max. */
    public Percentiles percentiles() {
        return new Percentiles(percentile(50), percentile(99), percentile(99.9), max, total);
    }

    static int indexOf(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(v);
        int shift = magnitude - SUB_BITS;
        int sub = (int) (v >>> shift) - SUB_COUNT;
        return LINEAR + (magnitude - (SUB_BITS + 1)) * SUB_COUNT + sub;
    }

    static long highestValueOf(int index) {
        if (index < LINEAR) {
            return index;
        }
        int magnitude = (index - LINEAR) / SUB_COUNT + SUB_BITS + 1;
        int sub = (index - LINEAR) % SUB_COUNT;
        int shift = magnitude - SUB_BITS;
        long low = (long) (SUB_COUNT + sub) << shift;
        return low + (1L << shift) - 1;
    }
}

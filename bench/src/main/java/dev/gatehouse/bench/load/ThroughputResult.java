package dev.gatehouse.bench.load;

import dev.gatehouse.bench.stats.Percentiles;

/**
 * What one run measured. {@code lost} is expected copies never received by the end of the drain time;
 * {@code failure} is null unless the run could not be set up or a connection broke.
 */
public record ThroughputResult(long sent, long expected, long received, long lost, long duplicates,
                               long unexpected, double seconds, double messagesPerSecond,
                               double brokerCpuSeconds, double messagesPerCpuSecond, Percentiles latency,
                               String failure) {
    public static ThroughputResult failed(String why) {
        return new ThroughputResult(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Percentiles.NONE, why);
    }

    public boolean ok() {
        return failure == null;
    }
}

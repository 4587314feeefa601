package dev.gatehouse.bench.load;

import java.util.OptionalLong;

/** Memory held by the broker for {@code connected} idle connections, measured against its idle baseline. */
public record IdleResult(int requested, int connected, long rssBefore, long rssAfter, OptionalLong heapBefore,
                         OptionalLong heapAfter, double connectSeconds, String firstFailure) {
    public double rssPerConnection() {
        return connected == 0 ? Double.NaN : (rssAfter - rssBefore) / (double) connected;
    }

    public double heapPerConnection() {
        if (connected == 0 || heapBefore.isEmpty() || heapAfter.isEmpty()) {
            return Double.NaN;
        }
        return (heapAfter.getAsLong() - heapBefore.getAsLong()) / (double) connected;
    }
}

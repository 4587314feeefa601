package dev.gatehouse.bench.load;

import dev.gatehouse.bench.stats.Percentiles;
import dev.gatehouse.bench.stats.Timeline;

/**
 * One open-loop run with every sequence number checked off at both ends.
 *
 * @param acked            messages the broker acknowledged (PUBACK / PUBCOMP)
 * @param lost             acknowledged by the broker and never delivered: the broker's loss
 * @param unackedUndelivered sent, never acknowledged and never delivered (the broker took no responsibility for them)
 * @param setupNanos       from the call to the first scheduled send (connect + subscribe of both clients)
 * @param startEpochMillis wall-clock time of the first scheduled send, to line the timeline up with broker logs
 */
public record ColdStartResult(long sent, long acked, long delivered, long lost, long unackedUndelivered,
                              long duplicates, Percentiles latency, Timeline timeline, long setupNanos,
                              long startEpochMillis, String failure) {
    public static ColdStartResult failed(String why, long setupNanos) {
        return new ColdStartResult(0, 0, 0, 0, 0, 0, Percentiles.NONE, null, setupNanos, 0, why);
    }
}

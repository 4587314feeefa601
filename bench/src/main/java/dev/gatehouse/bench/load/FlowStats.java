package dev.gatehouse.bench.load;

import dev.gatehouse.bench.stats.Histogram;
import dev.gatehouse.bench.stats.Timeline;

/**
 * Counters shared by the publishers and subscribers of one run (one thread, so plain fields). It is
 * also the closed loop's window: a publisher may send only while fewer than {@code window} messages
 * (times the copies each one makes) are sent and not yet received.
 */
public final class FlowStats {
    private final int copiesPerMessage;
    private final long windowCopies;
    private final Histogram latency = new Histogram();
    private long sentMessages;
    private long receivedUnique;
    private long duplicates;
    private long unexpected;
    private long firstSendNanos;
    private long lastReceiveNanos;
    private Timeline timeline;

    public FlowStats(int copiesPerMessage, int window) {
        this.copiesPerMessage = copiesPerMessage;
        this.windowCopies = (long) window * copiesPerMessage;
    }

    /** Also records every send and receipt into {@code t} (per-interval latency and throughput). */
    public void timeline(Timeline t) {
        this.timeline = t;
    }

    public boolean windowOpen() {
        return sentMessages * copiesPerMessage - receivedUnique < windowCopies;
    }

    /**
     * Whether enough of the window is free to be worth a write. Refilling it one message per receipt
     * would turn the closed loop into one system call per message on both sides and measure that;
     * waiting for a quarter of the window keeps writes batched.
     */
    public boolean worthFilling() {
        long inFlight = sentMessages * copiesPerMessage - receivedUnique;
        return inFlight == 0 || windowCopies - inFlight >= Math.max(copiesPerMessage, windowCopies / 4);
    }

    void sent(long nanos) {
        if (sentMessages == 0) {
            firstSendNanos = nanos;
        }
        sentMessages++;
        if (timeline != null) {
            timeline.sent(nanos);
        }
    }

    void received(long latencyNanos, long nanos) {
        receivedUnique++;
        latency.record(latencyNanos);
        lastReceiveNanos = nanos;
        if (timeline != null) {
            timeline.received(nanos - latencyNanos, latencyNanos, nanos);
        }
    }

    void countDuplicate() {
        duplicates++;
    }

    /** A packet that the flow did not expect (an ack for an unknown id, a sequence out of range). */
    void countUnexpected() {
        unexpected++;
    }

    public long sentMessages() {
        return sentMessages;
    }

    public long expectedCopies() {
        return sentMessages * copiesPerMessage;
    }

    public long receivedUnique() {
        return receivedUnique;
    }

    public long duplicates() {
        return duplicates;
    }

    public long unexpected() {
        return unexpected;
    }

    public long firstSendNanos() {
        return firstSendNanos;
    }

    public long lastReceiveNanos() {
        return lastReceiveNanos;
    }

    public Histogram latency() {
        return latency;
    }
}

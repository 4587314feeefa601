package dev.gatehouse.broker.session;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a session's queue behaves when it fills. Up to {@code maxQueued} deliveries wait behind the
 * in-flight window; beyond that they are dropped and counted. While a connection is attached, a
 * QoS 1/2 delivery that finds the queue half full asks its publisher to pause ({@link OfferResult#CONGESTED})
 * and the publisher is released once the queue is down to a quarter: a subscriber that is reading, only
 * slower for a moment (a GC pause, a cold JIT), loses nothing. A subscriber that stays congested longer
 * than {@code congestionTimeoutNanos} stops holding publishers back; its overflow is dropped instead, so
 * one stuck subscriber cannot stall the others for long.
 *
 * @param ticker monotonic nanoseconds, injectable for tests
 */
public record QueuePolicy(int maxQueued, long congestionTimeoutNanos, LongSupplier ticker, DropSink drops) {
    public QueuePolicy {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be positive");
        }
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(drops, "drops");
    }

    /** A policy with no reporting and the system ticker, for tests and tools. */
    public static QueuePolicy of(int maxQueued) {
        return new QueuePolicy(maxQueued, 30_000_000_000L, System::nanoTime, DropSink.NONE);
    }

    int pauseAt() {
        return Math.max(1, maxQueued / 2);
    }

    int resumeAt() {
        return maxQueued / 4;
    }
}

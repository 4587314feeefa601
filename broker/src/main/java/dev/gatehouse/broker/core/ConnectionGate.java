package dev.gatehouse.broker.core;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts open connections against a bound (0: none), so a flood is turned away at accept. */
public final class ConnectionGate {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionGate(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be 0 (no limit) or positive");
        }
        this.max = max;
    }

    /** Take a place; false (and nothing taken) when the bound is reached. */
    public boolean tryEnter() {
        while (true) {
            int n = open.get();
            if (max != 0 && n >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Give back a place taken by {@link #tryEnter()}. */
    public void leave() {
        open.decrementAndGet();
    }

    public int open() {
        return open.get();
    }

    public int max() {
        return max;
    }
}

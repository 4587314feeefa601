package dev.gatehouse.broker.core;

import dev.gatehouse.broker.FlowStats;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Connections held back by flow control, and what flow control cost, across the broker. */
public final class FlowCounters {
    private final AtomicInteger pausedUnwritable = new AtomicInteger();
    private final AtomicInteger pausedCongested = new AtomicInteger();
    private final LongAdder slowConsumerDisconnects = new LongAdder();

    public void unwritable(boolean paused) {
        if (paused) {
            pausedUnwritable.incrementAndGet();
        } else {
            pausedUnwritable.decrementAndGet();
        }
    }

    public void congested(boolean paused) {
        if (paused) {
            pausedCongested.incrementAndGet();
        } else {
            pausedCongested.decrementAndGet();
        }
    }

    public void slowConsumerDisconnected() {
        slowConsumerDisconnects.increment();
    }

    FlowStats snapshot(List<ClientConnection> connections) {
        long total = 0;
        long largest = 0;
        for (ClientConnection c : connections) {
            long b = c.outboundBufferedBytes();
            total += b;
            largest = Math.max(largest, b);
        }
        return new FlowStats(total, largest, pausedUnwritable.get(), pausedCongested.get(),
                slowConsumerDisconnects.sum());
    }
}

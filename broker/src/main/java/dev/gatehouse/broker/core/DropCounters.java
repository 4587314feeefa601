package dev.gatehouse.broker.core;

import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.log.ThrottledLog;
import dev.gatehouse.broker.session.DropSink;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every message the broker did not deliver or keep, counted per {@link DropReason} (lock-free, from
 * any thread) and logged as at most one line per client and reason per minute.
 */
public final class DropCounters implements DropSink {
    private static final Logger log = LoggerFactory.getLogger(DropCounters.class);
    static final long SUMMARY_INTERVAL_MILLIS = 60_000;

    private final EnumMap<DropReason, LongAdder> counts = new EnumMap<>(DropReason.class);
    private final ThrottledLog summary;

    public DropCounters(Clock clock) {
        for (DropReason r : DropReason.values()) {
            counts.put(r, new LongAdder());
        }
        this.summary = new ThrottledLog(log, clock, SUMMARY_INTERVAL_MILLIS, 10_000);
    }

    @Override
    public void dropped(String clientId, DropReason reason, long count) {
        counts.get(reason).add(count);
        summary.event(clientId + " " + reason.name(), "messages dropped for " + clientId + ": " + reason.label(),
                "dropped {} message(s) for client {}: {} (further drops summarized once a minute)",
                count, clientId, reason.label());
    }

    /** A drop not tied to one client (the retained store is shared). */
    public void dropped(DropReason reason, String detail) {
        counts.get(reason).increment();
        summary.event(reason.name(), "messages dropped: " + reason.label(),
                "dropped a message: {} ({}; further drops summarized once a minute)", reason.label(), detail);
    }

    public long count(DropReason reason) {
        return counts.get(reason).sum();
    }

    /** A copy of every counter. */
    public Map<DropReason, Long> snapshot() {
        EnumMap<DropReason, Long> out = new EnumMap<>(DropReason.class);
        counts.forEach((r, c) -> out.put(r, c.sum()));
        return out;
    }

    /** Write the summaries that are due; the broker calls this periodically. */
    public void flushSummaries() {
        summary.flush();
    }
}

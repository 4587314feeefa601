package dev.gatehouse.broker.log;

import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs an event that a client can cause at will (a denied publish, a dropped message, a full store)
 * at most {@code burst} times per key and interval as it happens, later ones as one summary line with
 * their count. A flood costs a counter, not a log line per message.
 *
 * <p>Keys are bounded: at most {@code maxKeys} are tracked, the overflow key included. Once
 * {@code maxKeys - 1} distinct keys are tracked, events of further keys share the overflow key, so a
 * client cycling through ids cannot grow the map. {@link #flush()} writes the
 * summaries that are due and forgets quiet keys; the broker calls it periodically so a burst that
 * stopped is still summarized.
 */
public final class ThrottledLog {
    /** The key events fall under once {@code maxKeys} keys are tracked. */
    public static final String OVERFLOW_KEY = "(other clients)";

    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    private final int maxKeys;
    private final int burst;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    /** Places taken by keys other than the overflow key; reserved before the insert, so the bound is strict. */
    private final AtomicInteger ownKeys = new AtomicInteger();

    /** One line per key and interval, then a summary. */
    public ThrottledLog(Logger log, Clock clock, long intervalMillis, int maxKeys) {
        this(log, clock, intervalMillis, maxKeys, 1);
    }

    /** Up to {@code burst} lines per key and interval, then a summary. */
    public ThrottledLog(Logger log, Clock clock, long intervalMillis, int maxKeys, int burst) {
        if (intervalMillis < 1 || maxKeys < 1 || burst < 1) {
            throw new IllegalArgumentException("interval, maxKeys and burst must be positive");
        }
        this.burst = burst;
        this.log = log;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
        this.maxKeys = maxKeys;
    }

    /**
     * Record one event under {@code key}. The first {@code burst} in an interval are logged at INFO as
     * {@code first} with {@code args}; the rest are counted and summarized as
     * "{@code summary}: N more in the last … s".
     */
    public void event(String key, String summary, String first, Object... args) {
        long now = clock.millis();
        Window w = windows.get(key);
        if (w == null) {
            // One place is kept for the overflow key, so the map never holds more than maxKeys.
            boolean own = !OVERFLOW_KEY.equals(key) && ownKeys.incrementAndGet() < maxKeys;
            if (!own && !OVERFLOW_KEY.equals(key)) {
                ownKeys.decrementAndGet();
                key = OVERFLOW_KEY;
            }
            // The overflow window speaks for many keys: its summary must not name the first one that overflowed.
            Window fresh = new Window(OVERFLOW_KEY.equals(key) ? "more events of the same kinds" : summary, now);
            w = windows.putIfAbsent(key, fresh);
            if (w != null && own) {
                ownKeys.decrementAndGet(); // another thread added this key meanwhile
            }
            if (w == null) {
                if (log.isInfoEnabled()) {
                    log.info(first, args);
                }
                return;
            }
        }
        if (w.logged.get() < burst && w.logged.incrementAndGet() <= burst) {
            if (log.isInfoEnabled()) {
                log.info(first, args);
            }
            return;
        }
        w.count.incrementAndGet();
        if (now - w.startedAt >= intervalMillis) {
            emit(key, w, now);
        }
    }

    /** Writes every summary whose interval has passed and forgets keys that had nothing to say. */
    public void flush() {
        long now = clock.millis();
        for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Window> e = it.next();
            Window w = e.getValue();
            if (now - w.startedAt < intervalMillis) {
                continue;
            }
            if (w.count.get() == 0) {
                // Quiet for a whole interval: forget it, so its next event is logged as a first again.
                it.remove();
                if (!OVERFLOW_KEY.equals(e.getKey())) {
                    ownKeys.decrementAndGet();
                }
            } else {
                emit(e.getKey(), w, now);
            }
        }
    }

    /** Keys tracked now, for tests of the bound. */
    public int trackedKeys() {
        return windows.size();
    }

    private void emit(String key, Window w, long now) {
        long n;
        long since;
        synchronized (w) {
            if (now - w.startedAt < intervalMillis) {
                return; // another thread emitted this window meanwhile
            }
            n = w.count.getAndSet(0);
            w.logged.set(0);
            since = w.startedAt;
            w.startedAt = now;
        }
        if (n > 0 && log.isInfoEnabled()) {
            log.info("{} ({}): {} more in the last {} s", w.summary, key, n, Math.max(1, (now - since) / 1000));
        }
    }

    private static final class Window {
        final String summary;
        final AtomicLong count = new AtomicLong();
        final AtomicInteger logged = new AtomicInteger(1);
        volatile long startedAt;

        Window(String summary, long startedAt) {
            this.summary = summary;
            this.startedAt = startedAt;
        }
    }
}

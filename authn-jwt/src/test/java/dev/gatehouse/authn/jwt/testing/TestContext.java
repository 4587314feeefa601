package dev.gatehouse.authn.jwt.testing;

import dev.gatehouse.authn.spi.AuthenticatorContext;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link AuthenticatorContext} with real threads, recording which threads ran blocking work. */
public final class TestContext implements AutoCloseable {
    public final MutableClock clock;
    public final Set<String> blockingThreads = ConcurrentHashMap.newKeySet();
    private final ExecutorService blocking;
    private final ScheduledExecutorService scheduler;
    private final AuthenticatorContext context;

    public TestContext() {
        this(MutableClock.atSystemNow());
    }

    public TestContext(MutableClock clock) {
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.blocking = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(() -> {
                blockingThreads.add(Thread.currentThread().getName());
                r.run();
            }, "jwt-blocking-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jwt-scheduler");
            t.setDaemon(true);
            return t;
        });
        this.context = new AuthenticatorContext(clock, blocking, scheduler);
    }

    public AuthenticatorContext context() {
        return context;
    }

    public Clock clock() {
        return clock;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        blocking.shutdownNow();
        try {
            blocking.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

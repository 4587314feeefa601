package dev.gatehouse.config;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads authenticators get through {@code AuthenticatorContext}: a bounded pool for blocking or CPU-heavy
 * work (PBKDF2, signature checks, HTTP) and one scheduler for periodic work. Owned by a {@link ConfiguredBroker}
 * and shut down after the broker (and so its authenticators) stopped.
 */
final class AuthExecutors implements AutoCloseable {
    /**
     * Work waiting for a blocking thread. Bounded so that a CONNECT flood cannot grow the heap without limit:
     * beyond it the authenticator's submission is rejected and the broker refuses the client (server unavailable).
     */
    static final int QUEUE_CAPACITY = 10_000;

    final ExecutorService blocking;
    final ScheduledExecutorService scheduler;

    AuthExecutors() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.blocking = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), daemon("gatehouse-auth-blocking-"),
                new ThreadPoolExecutor.AbortPolicy());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("gatehouse-auth-scheduler-"));
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        blocking.shutdown();
        try {
            if (!blocking.awaitTermination(5, TimeUnit.SECONDS)) {
                blocking.shutdownNow();
            }
        } catch (InterruptedException e) {
            blocking.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}

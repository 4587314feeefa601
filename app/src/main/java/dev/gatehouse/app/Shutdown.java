package dev.gatehouse.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process's single JVM shutdown hook (SIGTERM, SIGINT, {@code System.exit}): first stops what
 * {@code run} started, then flushes the asynchronous log queue ({@link Logging#flush()}), so that the last
 * lines ("broker stopped") reach stderr before the JVM halts. One hook, not one per concern: the JVM runs
 * hooks concurrently, and a separate logging hook could stop logging while the broker is still stopping.
 * Installed by {@link Main#main} before anything runs, so a signal during start-up still flushes the log.
 */
final class Shutdown {
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static final AtomicReference<Runnable> STOP = new AtomicReference<>();
    private static final CountDownLatch DONE = new CountDownLatch(1);

    private Shutdown() {
    }

    /** Install the hook (once). */
    static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(Shutdown::shutdown, "gatehouse-shutdown"));
        }
    }

    /** What the hook stops before flushing the log: the running broker. Installs the hook if needed. */
    static void onShutdown(Runnable stop) {
        STOP.set(stop);
        install();
    }

    /** Block until the hook has stopped the broker and flushed the log. */
    static void await() {
        try {
            DONE.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void shutdown() {
        Runnable stop = STOP.getAndSet(null);
        try {
            if (stop != null) {
                stop.run();
            }
        } finally {
            Logging.flush();
            DONE.countDown();
        }
    }
}

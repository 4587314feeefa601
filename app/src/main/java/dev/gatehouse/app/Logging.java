package dev.gatehouse.app;

import ch.qos.logback.classic.LoggerContext;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The end of the process's logging. The shipped {@code logback.xml} writes through an asynchronous
 * queue (so that stderr can never stall an I/O thread); events still in that queue when the JVM exits
 * would be lost, the last lines of a shutdown first. {@link #flush()} stops the logger context, which
 * drains the queue. It is called where the app ends, after the last line is logged: not from a shutdown
 * hook of its own, which would race the hook that stops the broker.
 */
final class Logging {
    private static final AtomicBoolean STOPPED = new AtomicBoolean();

    private Logging() {
    }

    /** Drain queued events and stop logging; later events are dropped. Idempotent. */
    static void flush() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context && STOPPED.compareAndSet(false, true)) {
            context.stop();
        }
    }
}

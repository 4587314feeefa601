package dev.gatehouse.authn.spi;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the host gives an authenticator to work with, so that time and threads are injected
 * rather than global.
 *
 * @param clock            the time source for expiry and claim checks
 * @param blockingExecutor where blocking or CPU-heavy work runs (never a network thread)
 * @param scheduler        for periodic work such as key-set refresh; tasks must be short
 * @param metrics          where fetches from external sources are reported ({@link AuthenticatorMetrics#NONE} if
 *                         the host counts nothing)
 */
public record AuthenticatorContext(Clock clock, Executor blockingExecutor, ScheduledExecutorService scheduler,
                                   AuthenticatorMetrics metrics) {
    public AuthenticatorContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(blockingExecutor, "blockingExecutor");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** A context whose fetches are not counted. */
    public AuthenticatorContext(Clock clock, Executor blockingExecutor, ScheduledExecutorService scheduler) {
        this(clock, blockingExecutor, scheduler, AuthenticatorMetrics.NONE);
    }
}

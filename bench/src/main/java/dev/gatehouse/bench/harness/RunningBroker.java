package dev.gatehouse.bench.harness;

import java.util.concurrent.TimeUnit;

/** A broker process the harness started; stopped by its PID (SIGTERM, then SIGKILL after a grace period). */
public final class RunningBroker implements AutoCloseable {
    private final BrokerKind kind;
    private final Process process;
    private final int port;
    private final long startNanos;
    private volatile long readyNanos;

    RunningBroker(BrokerKind kind, Process process, int port, long startNanos) {
        this.kind = kind;
        this.process = process;
        this.port = port;
        this.startNanos = startNanos;
    }

    void ready(long nanos) {
        this.readyNanos = nanos;
    }

    /** {@link System#nanoTime} when its first CONNACK arrived. */
    public long readyNanos() {
        return readyNanos;
    }

    /** {@link System#nanoTime} just before the process was started. */
    public long startNanos() {
        return startNanos;
    }

    /**
     * SIGTERM and wait for the process to exit on its own (a broker writing its state out may take a while), for at
     * most {@code timeoutSeconds}; then SIGKILL. Returns how long it took in ms, negative if it had to be killed.
     */
    public double stopGracefully(long timeoutSeconds) {
        long t0 = System.nanoTime();
        ProcessHandle handle = process.toHandle();
        if (!handle.isAlive()) {
            return 0;
        }
        handle.destroy();
        try {
            if (process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                return (System.nanoTime() - t0) / 1e6;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handle.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -(System.nanoTime() - t0) / 1e6;
    }

    /** The exit status, once it has exited. */
    public int exitValue() {
        return process.exitValue();
    }

    /** From just before the process was started to its first CONNACK. */
    public long startupNanos() {
        return readyNanos - startNanos;
    }

    public BrokerKind kind() {
        return kind;
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        ProcessHandle handle = process.toHandle();
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

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

package dev.gatehouse.bench.harness;

import java.util.concurrent.TimeUnit;

/** A broker process the harness started; stopped by its PID (SIGTERM, then SIGKILL after a grace period). */
public final class RunningBroker implements AutoCloseable {
    private final BrokerKind kind;
    private final Process process;
    private final int port;

    RunningBroker(BrokerKind kind, Process process, int port) {
        this.kind = kind;
        this.process = process;
        this.port = port;
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

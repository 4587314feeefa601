package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.BrokerProbe;
import dev.gatehouse.bench.load.Endpoint;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * What a scenario gets to work with: the broker's address, its process, and a place for remarks; {@code broker}
 * (when the harness started it) also says when it started and first answered.
 */
public record ScenarioContext(BrokerKind kind, Endpoint endpoint, BrokerProbe probe, Consumer<String> note,
                              RunningBroker broker, Restarter restarter) {
    public ScenarioContext(BrokerKind kind, Endpoint endpoint, BrokerProbe probe, Consumer<String> note) {
        this(kind, endpoint, probe, note, null, null);
    }

    public ScenarioContext(BrokerKind kind, Endpoint endpoint, BrokerProbe probe, Consumer<String> note,
                           RunningBroker broker) {
        this(kind, endpoint, probe, note, broker, null);
    }

    /** Stops the scenario's broker gracefully and starts it again on the same work directory (its data kept). */
    public interface Restarter {
        Restarted restart() throws IOException;
    }

    /**
     * @param stopMillis SIGTERM to exit, negative if it had to be killed
     * @param exitValue  the old process's exit status
     * @param broker     the new process (already answering a CONNECT)
     * @param context    a context for it
     */
    public record Restarted(double stopMillis, int exitValue, RunningBroker broker, ScenarioContext context) {
    }

}

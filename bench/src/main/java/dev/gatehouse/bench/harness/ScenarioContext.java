package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.BrokerProbe;
import dev.gatehouse.bench.load.Endpoint;
import java.util.function.Consumer;

/**
 * What a scenario gets to work with: the broker's address, its process, and a place for remarks; {@code broker}
 * (when the harness started it) also says when it started and first answered.
 */
public record ScenarioContext(BrokerKind kind, Endpoint endpoint, BrokerProbe probe, Consumer<String> note,
                              RunningBroker broker) {
    public ScenarioContext(BrokerKind kind, Endpoint endpoint, BrokerProbe probe, Consumer<String> note) {
        this(kind, endpoint, probe, note, null);
    }

}

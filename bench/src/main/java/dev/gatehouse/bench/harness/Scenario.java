package dev.gatehouse.bench.harness;

import java.io.IOException;
import java.util.List;

/** One benchmark the harness runs against every broker, a warm-up rep first (unless it opts out) and then N reps. */
public interface Scenario {
    String name();

    /** Null if it can run against this broker now, otherwise the line the report prints instead. */
    default String unavailableReason(BrokerKind kind) {
        return null;
    }

    /** Whether it needs a freshly started broker (memory baselines), rather than sharing one. */
    default boolean freshBroker() {
        return false;
    }

    /** Repetitions to measure, given the plan's default. */
    default int reps(int planReps) {
        return planReps;
    }

    default boolean warmUp() {
        return true;
    }

    List<Metric> run(ScenarioContext ctx) throws IOException;
}

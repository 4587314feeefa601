package dev.gatehouse.bench.harness;

import java.io.IOException;
import java.nio.file.Path;
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

    /** Whether every rep needs a broker process of its own (cold-start measurements); implies {@link #freshBroker}. */
    default boolean freshBrokerPerRep() {
        return false;
    }

    /**
     * For Gatehouse: writes the configuration file this scenario's broker must be started with
     * ({@code run --config FILE}) into {@code dir} and returns it, or returns null for the default,
     * unconfigured broker. A scenario that returns a file gets a broker of its own.
     */
    default Path gatehouseConfig(Path dir) throws IOException {
        return null;
    }

    /**
     * Non-null when this scenario runs Gatehouse with its own configuration: the name of that broker's work
     * directory (under the harness's), where {@link #gatehouseConfig} writes and broker.log goes.
     */
    default String configName() {
        return null;
    }

    /**
     * Non-null when every broker must run with this setup (durable state, limits) rather than the harness's default:
     * the scenario then gets a broker of its own, started on an emptied work directory, stopped afterwards.
     */
    default BrokerSetup setup() {
        return null;
    }

    /** Repetitions to measure, given the plan's default. */
    default int reps(int planReps) {
        return planReps;
    }

    default boolean warmUp() {
        return true;
    }

    /**
     * The discarded warm-up rep; by default one ordinary rep. A scenario whose measured rep is too short
     * to bring a JVM broker's code to its compiled steady state makes this one longer, for every broker alike.
     */
    default List<Metric> warmUpRun(ScenarioContext ctx) throws IOException {
        return run(ctx);
    }

    List<Metric> run(ScenarioContext ctx) throws IOException;
}

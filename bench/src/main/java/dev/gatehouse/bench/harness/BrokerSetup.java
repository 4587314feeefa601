package dev.gatehouse.bench.harness;

import java.util.List;

/**
 * A broker started differently from the harness's default (which keeps everything in memory): with its durable
 * state on, and optionally with a larger per-client queue and retained-message limit, or extra Gatehouse
 * {@code run} arguments. Each broker gets its own work directory {@code <broker>-<name>}, wiped before a fresh
 * start and kept across a restart.
 *
 * <ul>
 *   <li>Gatehouse: {@code run --config} with {@code gatehouse.persistence { enabled = true, sync = batch }}
 *       (the documented default sync: acknowledged after the fsync, group commit), data under the work directory;
 *       {@code limits.max-queued-messages} / {@code max-retained-messages} when set.</li>
 *   <li>Mosquitto: {@code persistence true} with {@code persistence_location} in the work directory, autosave at
 *       its default ({@code autosave_interval 1800}: the database is written every 30 min and at shutdown);
 *       {@code max_queued_messages} when set.</li>
 *   <li>HiveMQ CE: {@code <persistence><mode>file</mode>} (its default, RocksDB files under the data folder);
 *       {@code queued-messages/max-queue-size} when set.</li>
 *   <li>Moquette is not part of this comparison.</li>
 * </ul>
 *
 * @param persistent    durable state on
 * @param maxQueued     per-client queued-message limit, 0 for the broker's default
 * @param maxRetained   Gatehouse's retained-topic limit, 0 for its default (the others have none by default)
 * @param gatehouseArgs extra {@code run} arguments for Gatehouse (e.g. {@code --warm-up 0})
 */
public record BrokerSetup(String name, boolean persistent, long maxQueued, long maxRetained, List<String> gatehouseArgs) {
    public BrokerSetup {
        gatehouseArgs = List.copyOf(gatehouseArgs);
    }

    public static BrokerSetup persistent(String name) {
        return new BrokerSetup(name, true, 0, 0, List.of());
    }

    public BrokerSetup withLimits(long queued, long retained) {
        return new BrokerSetup(name, persistent, queued, retained, gatehouseArgs);
    }

    public BrokerSetup withGatehouseArgs(String... args) {
        return new BrokerSetup(name, persistent, maxQueued, maxRetained, List.of(args));
    }

    /** Null if {@code kind} can run with this setup. */
    public String unavailableReason(BrokerKind kind) {
        return kind == BrokerKind.MOQUETTE ? "not in the durable comparison (the launcher runs Moquette without persistence)" : null;
    }
}

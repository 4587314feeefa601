package dev.gatehouse.config;

import dev.gatehouse.store.rocksdb.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code gatehouse.persistence}: whether the broker's state goes to the durable store, and how.
 *
 * @param enabled      off: state on the heap only (nothing survives the process)
 * @param dir          the data directory, resolved against the configuration file's directory
 * @param sync         when a write counts as done
 * @param syncInterval WAL sync interval for {@code sync = periodic}
 * @param maxDiskBytes above it new persistent QoS 1/2 publishes are refused
 */
public record PersistenceSettings(boolean enabled, Path dir, StoreOptions.SyncMode sync, Duration syncInterval,
                                  long maxDiskBytes) {
    public PersistenceSettings {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(syncInterval, "syncInterval");
    }

    /** Off, with the reference defaults for the rest. */
    public static PersistenceSettings disabled(Path baseDirectory) {
        return new PersistenceSettings(false, baseDirectory.resolve("data"), StoreOptions.SyncMode.BATCH,
                Duration.ofSeconds(1), 1L << 30);
    }

    public StoreOptions storeOptions() {
        return new StoreOptions(dir, sync, syncInterval, maxDiskBytes);
    }

    /** One line for logs and {@code check-config}. */
    public String describe() {
        if (!enabled) {
            return "persistence off (state in memory only)";
        }
        return "persistence on: " + dir + ", sync " + sync.name().toLowerCase(Locale.ROOT)
                + (sync == StoreOptions.SyncMode.PERIODIC ? " every " + syncInterval.toMillis() + "ms" : "")
                + ", max-disk " + maxDiskBytes + " bytes";
    }
}

package dev.gatehouse.store.rocksdb;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RocksDbStateStore} is opened.
 *
 * @param dir          the data directory (created if missing); one broker at a time
 * @param sync         when a commit counts as done, see {@link SyncMode}
 * @param syncInterval how often {@link SyncMode#PERIODIC} syncs the write-ahead log; ignored otherwise
 * @param maxDiskBytes above this many bytes of SST files plus live WAL the store reports {@code full()}
 */
public record StoreOptions(Path dir, SyncMode sync, Duration syncInterval, long maxDiskBytes) {
    /** When a commit's future completes, relative to the disk. */
    public enum SyncMode {
        /** After the group's one write has been fsynced (group commit): survives a power cut. The default. */
        BATCH,
        /** After the write; the WAL is fsynced every {@code syncInterval}: a power cut loses at most that much. */
        PERIODIC,
        /** After the write; the OS decides when it reaches the disk: survives a broker crash, not a power cut. */
        NONE
    }

    public StoreOptions {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(syncInterval, "syncInterval");
        if (syncInterval.isNegative() || syncInterval.isZero()) {
            throw new IllegalArgumentException("syncInterval must be positive, not " + syncInterval);
        }
        if (maxDiskBytes < 1) {
            throw new IllegalArgumentException("maxDiskBytes must be positive, not " + maxDiskBytes);
        }
    }

    /** {@code sync = batch}, a 1 s interval (unused) and 1 GiB. */
    public static StoreOptions of(Path dir) {
        return new StoreOptions(dir, SyncMode.BATCH, Duration.ofSeconds(1), 1L << 30);
    }

    public StoreOptions withSync(SyncMode mode, Duration interval) {
        return new StoreOptions(dir, mode, interval, maxDiskBytes);
    }

    public StoreOptions withMaxDiskBytes(long bytes) {
        return new StoreOptions(dir, sync, syncInterval, bytes);
    }
}

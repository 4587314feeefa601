package dev.gatehouse.store.rocksdb;

import java.nio.file.Path;
import org.rocksdb.FlushOptions;
import org.rocksdb.LogFile;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the store is "full": its SST files plus live write-ahead log exceed {@code max-disk}, or the
 * last write failed for lack of space. Measured on the writer thread (after writes, at most every
 * {@link #CHECK_INTERVAL_NANOS}, and when idle); read from any thread through {@link #full()}.
 */
final class DiskUsage {
    private static final Logger log = LoggerFactory.getLogger(DiskUsage.class);
    static final long CHECK_INTERVAL_NANOS = 100_000_000L;
    /** Least time between two flush-and-compact attempts to get back under the limit (they rewrite files). */
    static final long RECLAIM_INTERVAL_NANOS = 2_000_000_000L;
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final RocksDB db;
    private final Path dir;
    private final long maxBytes;
    private volatile boolean overLimit;
    private volatile boolean noSpace;
    private volatile long lastBytes;
    private long lastCheck = System.nanoTime() - CHECK_INTERVAL_NANOS;
    private long lastReclaim = System.nanoTime() - RECLAIM_INTERVAL_NANOS;
    private long lastLog;
    private boolean loggedOnce;
    private boolean deletedSinceReclaim;

    DiskUsage(RocksDB db, Path dir, long maxBytes) {
        this.db = db;
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    boolean full() {
        return overLimit || noSpace;
    }

    long lastMeasuredBytes() {
        return lastBytes;
    }

    /** After a successful write. */
    void written(boolean deleted) {
        noSpace = false;
        deletedSinceReclaim |= deleted;
        check(false);
    }

    /** A write failed: if for lack of space, the store is full until a write succeeds again. */
    void writeFailed(RocksDBException e) {
        Status s = e.getStatus();
        boolean space = (s != null && s.getSubCode() == Status.SubCode.NoSpace)
                || String.valueOf(e.getMessage()).contains("No space");
        if (space) {
            noSpace = true;
            warn("the disk is full: writes fail and new persistent QoS 1/2 messages are refused ({})", e.getMessage());
        } else {
            warn("a write failed: {}", e.getMessage());
        }
    }

    /** Measure (at most every check interval unless {@code force}); over the limit, try to reclaim space. */
    void check(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastCheck < CHECK_INTERVAL_NANOS) {
            return;
        }
        lastCheck = now;
        try {
            long bytes = measure();
            if (bytes > maxBytes && deletedSinceReclaim && now - lastReclaim >= RECLAIM_INTERVAL_NANOS) {
                // Deletes only free space once their files are compacted away; do it now rather than wait.
                lastReclaim = now;
                deletedSinceReclaim = false;
                try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(f);
                }
                db.compactRange();
                bytes = measure();
            }
            lastBytes = bytes;
            boolean over = bytes > maxBytes;
            if (over && !overLimit) {
                warn("{} bytes on disk, over max-disk {}: new persistent QoS 1/2 messages are refused", bytes, maxBytes);
            } else if (!over && overLimit) {
                log.info("gatehouse store {}: {} bytes on disk, under max-disk {} again", dir, bytes, maxBytes);
            }
            overLimit = over;
        } catch (RocksDBException e) {
            warn("cannot measure the disk use: {}", e.getMessage());
        }
    }

    private long measure() throws RocksDBException {
        long bytes = db.getLongProperty("rocksdb.total-sst-files-size");
        for (LogFile f : db.getSortedWalFiles()) {
            if (f.type() == org.rocksdb.WalFileType.kAliveLogFile) {
                bytes += f.sizeFileBytes();
            }
        }
        return bytes;
    }

    /** At most one line a minute: a full disk must not fill the log disk too. */
    private void warn(String format, Object a) {
        warn(format, a, null);
    }

    private void warn(String format, Object a, Object b) {
        long now = System.nanoTime();
        if (loggedOnce && now - lastLog < LOG_INTERVAL_NANOS) {
            return;
        }
        loggedOnce = true;
        lastLog = now;
        log.warn("gatehouse store " + dir + ": " + format, a, b);
    }
}

package dev.gatehouse.store.rocksdb;

import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.StateStore;
import dev.gatehouse.broker.store.StoredState;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The broker's state in an embedded RocksDB database under one data directory: the durable default
 * when persistence is on. {@link #commit} hands the batch to one writer thread, which groups everything
 * pending into one write and (at {@code sync = batch}) one fsync; the caller never waits for the disk.
 * Key and value layouts are documented in {@code docs/persistence.md}.
 *
 * <p>Open with {@link #open(StoreOptions)}: it refuses, with a {@link StoreException} naming the directory,
 * a directory it cannot create or write, one locked by another running process, one holding something
 * other than a Gatehouse store, and one written in a format version it does not know; a refused directory
 * is left as it was.
 */
public final class RocksDbStateStore implements StateStore {
    static {
        RocksDB.loadLibrary();
    }

    private final StoreOptions options;
    private final Options dbOptions;
    private final RocksDB db;
    private final DiskUsage disk;
    private final StoreWriter writer;
    private boolean closed;

    private RocksDbStateStore(StoreOptions options, Options dbOptions, RocksDB db) {
        this.options = options;
        this.dbOptions = dbOptions;
        this.db = db;
        this.disk = new DiskUsage(db, options.dir(), options.maxDiskBytes());
        InflightIndex inflight = new InflightIndex();
        inflight.reload(db);
        this.writer = new StoreWriter(db, options, disk, inflight);
    }

    /**
     * Open (creating if needed) the store in {@code options.dir()} and start its writer thread.
     *
     * @throws StoreException when the directory cannot be used; its message names the directory and why
     */
    public static RocksDbStateStore open(StoreOptions options) {
        Path dir = options.dir().toAbsolutePath().normalize();
        StoreOptions o = new StoreOptions(dir, options.sync(), options.syncInterval(), options.maxDiskBytes());
        StoreDirectory.prepare(dir);
        StoreDirectory.checkFormat(dir);
        Options dbOptions = new Options()
                .setCreateIfMissing(true)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                // bounded RocksDB info logs in the data directory
                .setKeepLogFileNum(3)
                .setMaxLogFileSize(8 << 20)
                // Keep the WAL small: memtables holding old WAL files are flushed once it passes this.
                .setMaxTotalWalSize(64L << 20);
        RocksDB db = null;
        try {
            db = StoreDirectory.open(dbOptions, dir);
            StoreDirectory.markNew(db, dir);
            RocksDbStateStore store = new RocksDbStateStore(o, dbOptions, db);
            store.disk.check(true);
            store.writer.start();
            return store;
        } catch (RuntimeException e) {
            if (db != null) {
                db.close();
            }
            dbOptions.close();
            throw e;
        }
    }

    @Override
    public StoredState load() {
        return StateLoader.load(db, options.dir());
    }

    @Override
    public CompletableFuture<Void> commit(Changes changes) {
        return writer.submit(changes);
    }

    @Override
    public boolean full() {
        return disk.full();
    }

    /** The options it was opened with, {@code dir} absolute. */
    public StoreOptions options() {
        return options;
    }

    /** {@code db.write} calls so far: one per group of commits (for tests and metrics). */
    public long writes() {
        return writer.writes();
    }

    /** SST files plus live WAL, as last measured. */
    public long diskBytes() {
        return disk.lastMeasuredBytes();
    }

    /** Write what is pending, sync the WAL, close the database. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.close();
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            // already synced by the writer unless the disk failed; the WAL replays what reached it
        }
        db.close();
        dbOptions.close();
    }
}

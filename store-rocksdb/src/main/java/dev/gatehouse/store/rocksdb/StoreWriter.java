package dev.gatehouse.store.rocksdb;

import dev.gatehouse.broker.store.Change;
import dev.gatehouse.broker.store.Changes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer thread ("gatehouse-store"): takes everything committed since its last write, applies it
 * as one {@link WriteBatch} and one {@code db.write} (synced at {@code sync = batch}: group commit), then
 * completes the futures. Callers only enqueue; the queue is bounded and a full queue fails the commit at
 * once instead of blocking an event loop. The batch and write options are reused for every group.
 */
final class StoreWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);
    static final int QUEUE_CAPACITY = 65_536;
    private static final long IDLE_TICK_MILLIS = 1000;

    private record Pending(Changes changes, CompletableFuture<Void> done) {
    }

    /** Wakes the writer for close; carries nothing. */
    private static final Pending WAKE = new Pending(new Changes(), new CompletableFuture<>());

    private final RocksDB db;
    private final Path dir;
    private final StoreOptions.SyncMode sync;
    private final long syncIntervalNanos;
    private final DiskUsage disk;
    private final InflightIndex inflight;
    private final BatchApplier applier;
    private final ArrayBlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final List<Pending> group = new ArrayList<>();
    private final WriteBatch batch = new WriteBatch();
    private final WriteOptions writeOptions = new WriteOptions();
    private final AtomicLong writes = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;
    private long lastWalSync = System.nanoTime();
    private boolean unsyncedWrites;

    StoreWriter(RocksDB db, StoreOptions options, DiskUsage disk, InflightIndex inflight) {
        this.db = db;
        this.dir = options.dir();
        this.sync = options.sync();
        this.syncIntervalNanos = options.syncInterval().toNanos();
        this.disk = disk;
        this.inflight = inflight;
        this.applier = new BatchApplier(inflight);
        writeOptions.setSync(sync == StoreOptions.SyncMode.BATCH);
        this.thread = new Thread(this, "gatehouse-store");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Enqueue; never blocks. */
    CompletableFuture<Void> submit(Changes changes) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            return CompletableFuture.failedFuture(StoreDirectory.refuse(dir, "closed"));
        }
        if (changes.isEmpty()) {
            done.complete(null);
            return done;
        }
        Pending p = new Pending(changes, done);
        if (!queue.offer(p)) {
            done.completeExceptionally(StoreDirectory.refuse(dir, "the write queue is full (" + QUEUE_CAPACITY
                    + " commits pending): the disk cannot keep up"));
            return done;
        }
        // Raced with close: whoever removes it from the queue completes it (close fails what it drains).
        if (closing && queue.remove(p)) {
            done.completeExceptionally(StoreDirectory.refuse(dir, "closed"));
        }
        return done;
    }

    long writes() {
        return writes.get();
    }

    @Override
    public void run() {
        long tick = sync == StoreOptions.SyncMode.PERIODIC
                ? Math.max(1, Math.min(IDLE_TICK_MILLIS, TimeUnit.NANOSECONDS.toMillis(syncIntervalNanos)))
                : IDLE_TICK_MILLIS;
        while (true) {
            Pending first;
            try {
                first = queue.poll(tick, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first != null) {
                group.add(first);
                queue.drainTo(group);
                writeGroup();
            } else {
                disk.check(false);
            }
            syncWalIfDue(false);
            if (closing && queue.isEmpty()) {
                break;
            }
        }
        syncWalIfDue(true);
    }

    private void writeGroup() {
        batch.clear();
        boolean deleted = false;
        int accepted = 0;
        for (int i = 0; i < group.size(); i++) {
            Pending p = group.get(i);
            if (p == WAKE) {
                continue;
            }
            try {
                BatchApplier.validate(p.changes());
                for (Change c : p.changes().list()) {
                    deleted |= applier.apply(c, batch);
                }
                accepted++;
            } catch (IllegalArgumentException | RocksDBException e) {
                // validate() makes this the odd one out; its changes are not in the batch
                p.done().completeExceptionally(StoreDirectory.refuse(dir, "cannot store: " + e.getMessage(), e));
                group.set(i, WAKE);
            }
        }
        RocksDBException failure = null;
        if (accepted > 0) {
            try {
                db.write(writeOptions, batch);
                writes.incrementAndGet();
                unsyncedWrites = true;
            } catch (RocksDBException e) {
                failure = e;
            }
        }
        batch.clear();
        if (failure != null) {
            disk.writeFailed(failure);
            // The index ran ahead of the disk: take it back from the disk.
            try {
                inflight.reload(db);
            } catch (RuntimeException e) {
                log.warn("gatehouse store {}: cannot reload the in-flight index", dir, e);
            }
        } else if (accepted > 0) {
            disk.written(deleted);
        }
        for (Pending p : group) {
            if (p == WAKE) {
                continue;
            }
            if (failure == null) {
                p.done().complete(null);
            } else {
                p.done().completeExceptionally(StoreDirectory.refuse(dir, "write failed: " + failure.getMessage(),
                        failure));
            }
        }
        group.clear();
    }

    /** {@code sync = periodic}: fsync the WAL every interval; at close, whatever the mode. */
    private void syncWalIfDue(boolean closing) {
        long now = System.nanoTime();
        boolean due = sync == StoreOptions.SyncMode.PERIODIC && now - lastWalSync >= syncIntervalNanos;
        if (!unsyncedWrites || !(due || closing)) {
            return;
        }
        try {
            db.flushWal(true);
            lastWalSync = now;
            unsyncedWrites = false;
        } catch (RocksDBException e) {
            disk.writeFailed(e);
        }
    }

    /** Stop taking commits, write what is queued, sync, and end the thread; then fail any straggler. */
    void close() {
        closing = true;
        queue.offer(WAKE);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        for (Pending p : left) {
            p.done().completeExceptionally(StoreDirectory.refuse(dir, "closed"));
        }
        batch.close();
        writeOptions.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

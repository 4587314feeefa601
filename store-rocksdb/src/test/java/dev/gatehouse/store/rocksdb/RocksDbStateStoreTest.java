package dev.gatehouse.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.QueuedRecord;
import dev.gatehouse.broker.store.StateStore;
import dev.gatehouse.broker.store.StateStoreContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract over a real data directory (close and open again), and what only RocksDB does. */
class RocksDbStateStoreTest extends StateStoreContract {
    @TempDir
    Path dir;

    @Override
    protected StateStore openNew() {
        return RocksDbStateStore.open(StoreOptions.of(dir.resolve("data")));
    }

    @Override
    protected StateStore reopen(StateStore s) {
        s.close();
        return RocksDbStateStore.open(StoreOptions.of(dir.resolve("data")));
    }

    private RocksDbStateStore rocks() {
        return (RocksDbStateStore) store;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void concurrentCommitsAreGroupedIntoFewWritesAndAllComplete() throws Exception {
        int threads = 8;
        int perThread = 200;
        commit(new Changes().putSession(session("g")));
        long before = rocks().writes();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    all.add(store.commit(new Changes().enqueue("g",
                            new QueuedRecord(base + i, plain("g/t", "m" + (base + i)), 1, false, null))));
                }
            });
            th.start();
            ts.add(th);
        }
        start.countDown();
        for (Thread th : ts) {
            th.join();
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        long writes = rocks().writes() - before;
        System.out.printf("group commit: %d commits from %d threads in %d db writes%n", threads * perThread, threads,
                writes);
        // sync = batch: every commit waiting during an fsync joins the next group
        assertThat(writes).isGreaterThan(0).isLessThan(threads * perThread);
        assertThat(restart().sessions().get(0).queued()).hasSize(threads * perThread);
    }

    @Test
    void overMaxDiskItIsFullUntilDeletesBringItBackUnder() throws Exception {
        store.close();
        store = RocksDbStateStore.open(StoreOptions.of(dir.resolve("small")).withMaxDiskBytes(64 * 1024));
        assertThat(store.full()).isFalse();
        byte[] big = new byte[16 * 1024];
        new java.util.Random(1).nextBytes(big); // incompressible
        commit(new Changes().putSession(session("f")));
        for (int i = 0; i < 20; i++) {
            commit(new Changes().enqueue("f", new QueuedRecord(i, Message.of("f/t", big, 1, false), 1, false, null)));
        }
        await(store::full, "the store reports full");
        // still written: deletes (and everything else) must go through to free space
        Changes c = new Changes();
        for (int i = 0; i < 20; i++) {
            c.dequeue("f", i);
        }
        commit(c);
        await(() -> !store.full(), "the store is under max-disk again");
        assertThat(rocks().diskBytes()).isLessThanOrEqualTo(64 * 1024);
    }

    @Test
    void commitsAfterCloseFailAndCloseWritesWhatIsPending() throws Exception {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        fs.add(store.commit(new Changes().putSession(session("p"))));
        for (int i = 0; i < 100; i++) {
            fs.add(store.commit(new Changes().enqueue("p", new QueuedRecord(i, plain("t", "x"), 1, false, null))));
        }
        store.close();
        for (CompletableFuture<Void> f : fs) {
            assertThat(f).isDone();
        }
        assertThat(store.commit(new Changes().putSession(session("late")))).isCompletedExceptionally();
        store = RocksDbStateStore.open(StoreOptions.of(dir.resolve("data")));
        long stored = store.load().sessions().get(0).queued().size();
        long completed = fs.stream().skip(1).filter(f -> !f.isCompletedExceptionally()).count();
        assertThat(stored).isEqualTo(completed).isEqualTo(100);
    }

    @Test
    void aTooLongClientIdFailsItsOwnCommitOnly() throws Exception {
        CompletableFuture<Void> bad = store.commit(new Changes().putSession(session("é".repeat(40_000))));
        CompletableFuture<Void> good = store.commit(new Changes().putSession(session("ok")));
        good.get(10, TimeUnit.SECONDS);
        assertThat(bad).failsWithin(10, TimeUnit.SECONDS);
        assertThat(restart().sessions()).extracting(s -> s.session().clientId()).containsExactly("ok");
    }

    @Test
    void everySyncModeStoresAndReopens() throws Exception {
        for (StoreOptions.SyncMode mode : StoreOptions.SyncMode.values()) {
            Path d = dir.resolve("mode-" + mode);
            try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(d)
                    .withSync(mode, java.time.Duration.ofMillis(50)))) {
                s.commit(new Changes().putSession(session(mode.name()))).get(10, TimeUnit.SECONDS);
            }
            try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(d))) {
                assertThat(s.load().sessions()).extracting(x -> x.session().clientId()).containsExactly(mode.name());
            }
        }
    }
}

package dev.gatehouse.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.QueuedRecord;
import dev.gatehouse.broker.store.SessionRecord;
import dev.gatehouse.broker.store.StoredState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick local measurement, printed, not asserted against a time: batched write throughput, and the
 * load of 100 000 queued (1 000 sessions x 100) plus 100 000 retained messages of 100-byte payloads.
 */
class LoadMeasurementTest {
    @TempDir
    Path tmp;

    /** Stay under the writer's bounded queue, as a broker's connections would under backpressure. */
    private static void pace(List<CompletableFuture<Void>> fs) {
        if (fs.size() % 8192 == 0) {
            fs.get(fs.size() - 1).join(); // one writer: futures complete in commit order
        }
    }

    @Test
    void writeAndLoad100kQueuedAnd100kRetained() throws Exception {
        byte[] payload = new byte[100];
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(tmp.resolve("data")))) {
            long t0 = System.nanoTime();
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int c = 0; c < 1000; c++) {
                String id = "client-" + c;
                Changes ch = new Changes().putSession(new SessionRecord(id, 3600, 0, List.of(), null));
                for (int i = 0; i < 100; i++) {
                    // one commit per message, as a publisher's QoS 1 publishes arrive
                    fs.add(s.commit(ch.enqueue(id, new QueuedRecord(i, Message.of("q/" + c, payload, 1, false), 1,
                            false, null)).drain()));
                    pace(fs);
                }
            }
            for (int r = 0; r < 100_000; r++) {
                fs.add(s.commit(new Changes().putRetained(Message.of("r/" + r, payload, 1, true))));
                pace(fs);
            }
            CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
            double writeSecs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("write: %d commits (sync = batch) in %.2f s = %.0f commits/s, %d db writes%n",
                    fs.size(), writeSecs, fs.size() / writeSecs, s.writes());
        }
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(tmp.resolve("data")))) {
            s.load(); // warm the JIT once
            long t0 = System.nanoTime();
            StoredState st = s.load();
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf("load: %d sessions, %d queued, %d retained in %.0f ms%n", st.sessions().size(),
                    st.sessions().stream().mapToInt(x -> x.queued().size()).sum(), st.retained().size(), ms);
            assertThat(st.retained()).hasSize(100_000);
        }
    }
}

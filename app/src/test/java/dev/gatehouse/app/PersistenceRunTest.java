package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.store.rocksdb.RocksDbStateStore;
import dev.gatehouse.store.rocksdb.StoreOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} and {@code check-config} with {@code gatehouse.persistence}. */
class PersistenceRunTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        return Files.writeString(dir.resolve("g.conf"), "gatehouse.listeners = [ { name = t, bind = \"127.0.0.1:0\" } ]\n"
                + "gatehouse.persistence { enabled = true, dir = data }\n");
    }

    @Test
    void aLockedDataDirectoryExitsNonZeroNamingIt() throws Exception {
        Path conf = config();
        Path data = dir.resolve("data");
        try (RocksDbStateStore other = RocksDbStateStore.open(StoreOptions.of(data))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"run", "--config", conf.toString(), "--no-watch"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("gatehouse.persistence.dir: gatehouse store " + data)
                    .contains("locked by another running")
                    .contains("nothing was started");
        }
    }

    @Test
    void checkConfigPrintsThePersistenceSection() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"check-config", config().toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("persistence").contains("sync")
                .contains("persistence on: " + dir.resolve("data") + ", sync batch");
        // check-config does not open (and lock) the store of a broker that may be running
        assertThat(dir.resolve("data")).doesNotExist();
    }
}

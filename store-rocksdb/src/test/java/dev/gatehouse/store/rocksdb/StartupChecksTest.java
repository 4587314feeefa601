package dev.gatehouse.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.SessionRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Every directory the store must refuse: a clear message naming it, and the directory left as it was. */
class StartupChecksTest {
    @TempDir
    Path tmp;

    private static void write(RocksDbStateStore s, String id) throws Exception {
        s.commit(new Changes().putSession(new SessionRecord(id, 60, 0, List.of(), null))).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDirectoryThatCannotBeCreated() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Path dir = file.resolve("data");
        assertThatThrownBy(() -> RocksDbStateStore.open(StoreOptions.of(dir)))
                .isInstanceOf(StoreException.class).hasMessageContaining(file.toString());
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void aDirectoryThatCannotBeWritten() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes through permission bits");
        Path dir = Files.createDirectory(tmp.resolve("ro"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThatThrownBy(() -> RocksDbStateStore.open(StoreOptions.of(dir)))
                    .isInstanceOf(StoreException.class).hasMessageContaining(dir.toString()).hasMessageContaining("writ");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aDirectoryWithOtherFiles() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("other"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> RocksDbStateStore.open(StoreOptions.of(dir)))
                .isInstanceOf(StoreException.class).hasMessageContaining(dir.toString())
                .hasMessageContaining("not a Gatehouse store");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("notes.txt"));
        }
    }

    @Test
    void someOtherRocksDbDatabase() throws Exception {
        Path dir = tmp.resolve("foreign");
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
            db.put("their-key".getBytes(), "their-value".getBytes());
        }
        assertThatThrownBy(() -> RocksDbStateStore.open(StoreOptions.of(dir)))
                .isInstanceOf(StoreException.class).hasMessageContaining(dir.toString())
                .hasMessageContaining("not a Gatehouse store");
        try (Options o = new Options(); RocksDB db = RocksDB.openReadOnly(o, dir.toString())) {
            assertThat(db.get(Keys.FORMAT)).isNull();
            assertThat(db.get("their-key".getBytes())).isEqualTo("their-value".getBytes());
        }
    }

    @Test
    void aNewerFormatVersionIsRefusedAndLeftAlone() throws Exception {
        Path dir = tmp.resolve("newer");
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(dir))) {
            write(s, "kept");
        }
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
            db.put(Keys.FORMAT, new byte[] {0, 99});
        }
        assertThatThrownBy(() -> RocksDbStateStore.open(StoreOptions.of(dir)))
                .isInstanceOf(StoreException.class).hasMessageContaining(dir.toString())
                .hasMessageContaining("format version 99");
        try (Options o = new Options(); RocksDB db = RocksDB.openReadOnly(o, dir.toString())) {
            assertThat(db.get(Keys.FORMAT)).containsExactly(0, 99);
            assertThat(db.get(Keys.session("kept"))).isNotNull();
        }
    }

    @Test
    void lockedByAnotherStoreInThisProcess() throws Exception {
        Path dir = tmp.resolve("locked");
        try (RocksDbStateStore first = RocksDbStateStore.open(StoreOptions.of(dir))) {
            assertThatThrownBy(() -> RocksDbStateStore.open(StoreOptions.of(dir)))
                    .isInstanceOf(StoreException.class).hasMessageContaining(dir.toString())
                    .hasMessageContaining("locked by another running");
            write(first, "still-usable");
        }
        try (RocksDbStateStore again = RocksDbStateStore.open(StoreOptions.of(dir))) {
            assertThat(again.load().sessions()).hasSize(1);
        }
    }

    @Test
    void lockedByAnotherProcess() throws Exception {
        Path dir = tmp.resolve("locked-by-process");
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(dir))) {
            write(s, "x");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                HoldStore.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.equals("open")) {
                // skip the child's log lines
            }
            assertThat(line).as("the second process opened the store").isEqualTo("open");
            assertThatThrownBy(() -> RocksDbStateStore.open(StoreOptions.of(dir)))
                    .isInstanceOf(StoreException.class).hasMessageContaining(dir.toString())
                    .hasMessageContaining("locked by another running");
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(dir))) {
            assertThat(s.load().sessions()).hasSize(1);
        }
    }
}

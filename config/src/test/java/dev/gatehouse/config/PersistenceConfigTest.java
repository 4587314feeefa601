package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.store.rocksdb.RocksDbStateStore;
import dev.gatehouse.store.rocksdb.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse.persistence}: parsing, validation, and the store a configured broker is built with. */
class PersistenceConfigTest {
    @TempDir
    Path dir;

    private static final String LISTENER = "gatehouse.listeners = [ { name = t, bind = \"127.0.0.1:0\" } ]\n";

    private GatehouseSettings settings(String hocon) throws Exception {
        Path file = Files.writeString(dir.resolve("gatehouse.conf"), LISTENER + hocon);
        return GatehouseConfig.parseFile(file, Map.of()).settings(java.util.Set.of());
    }

    private ConfiguredBroker create(String hocon) throws Exception {
        Path file = Files.writeString(dir.resolve("gatehouse.conf"), LISTENER + hocon);
        return ConfiguredBroker.create(GatehouseConfig.parseFile(file, Map.of()));
    }

    @Test
    void defaultsAreOffBatchOneSecondOneGib() throws Exception {
        PersistenceSettings p = settings("").persistence();
        assertThat(p.enabled()).isFalse();
        assertThat(p.dir()).isEqualTo(dir.resolve("data"));
        assertThat(p.sync()).isEqualTo(StoreOptions.SyncMode.BATCH);
        assertThat(p.syncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.maxDiskBytes()).isEqualTo(1L << 30);
    }

    @Test
    void allKeysParse() throws Exception {
        PersistenceSettings p = settings("gatehouse.persistence { enabled = true, dir = \"state/broker\","
                + " sync = periodic, sync-interval = 250ms, max-disk = 64MiB }").persistence();
        assertThat(p.enabled()).isTrue();
        assertThat(p.dir()).isEqualTo(dir.resolve("state/broker"));
        assertThat(p.sync()).isEqualTo(StoreOptions.SyncMode.PERIODIC);
        assertThat(p.syncInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(p.maxDiskBytes()).isEqualTo(64L << 20);
    }

    @Test
    void relativeDirResolvesAgainstTheConfigFileNotTheWorkingDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("etc"));
        Path file = Files.writeString(sub.resolve("g.conf"), LISTENER + "gatehouse.persistence.dir = \"../var/data\"");
        PersistenceSettings p = GatehouseConfig.parseFile(file, Map.of()).settings(java.util.Set.of()).persistence();
        assertThat(p.dir()).isEqualTo(dir.resolve("var/data"));
        Path abs = dir.resolve("abs");
        assertThat(settings("gatehouse.persistence.dir = \"" + abs + "\"").persistence().dir()).isEqualTo(abs);
    }

    @Test
    void badValuesAreReportedByPath() {
        assertThatThrownBy(() -> settings("gatehouse.persistence { sync = always, sync-interval = -1s,"
                + " max-disk = 0, enabled = maybe, dirr = x }"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("gatehouse.persistence.sync: expected one of batch, periodic, none but found \"always\"")
                .hasMessageContaining("gatehouse.persistence.sync-interval: must be positive")
                .hasMessageContaining("gatehouse.persistence.max-disk: must be 1 to")
                .hasMessageContaining("gatehouse.persistence.enabled:")
                .hasMessageContaining("gatehouse.persistence.dirr: unknown key (did you mean dir?)");
    }

    @Test
    void aDirThatIsAFileIsRefused() throws Exception {
        Files.writeString(dir.resolve("afile"), "x");
        assertThatThrownBy(() -> settings("gatehouse.persistence.dir = afile"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gatehouse.persistence.dir: not a directory");
    }

    @Test
    void enabledBuildsTheBrokerOverARocksDbStoreInTheResolvedDir() throws Exception {
        try (ConfiguredBroker b = create("gatehouse.persistence { enabled = true, dir = store }")) {
            assertThat(b.stateStore()).get().isInstanceOf(RocksDbStateStore.class);
            RocksDbStateStore s = (RocksDbStateStore) b.stateStore().orElseThrow();
            assertThat(s.options().dir()).isEqualTo(dir.resolve("store"));
            assertThat(dir.resolve("store").resolve("CURRENT")).exists();
        }
        try (ConfiguredBroker b = create("")) {
            assertThat(b.stateStore()).isEmpty();
        }
    }

    @Test
    void aLockedDirIsAConfigProblemNamingThePath() throws Exception {
        Path data = dir.resolve("locked");
        try (RocksDbStateStore holder = RocksDbStateStore.open(StoreOptions.of(data))) {
            assertThatThrownBy(() -> create("gatehouse.persistence { enabled = true, dir = locked }"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("gatehouse.persistence.dir: gatehouse store " + data)
                    .hasMessageContaining("locked by another running");
        }
    }
}

package dev.gatehouse.store.rocksdb;

/** Run in a second JVM by {@link StartupChecksTest}: open the store named by args[0], say so, wait for stdin to close. */
public final class HoldStore {
    private HoldStore() {
    }

    public static void main(String[] args) throws Exception {
        try (RocksDbStateStore s = RocksDbStateStore.open(StoreOptions.of(java.nio.file.Path.of(args[0])))) {
            System.out.println("open");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our stdin
            }
        }
    }
}

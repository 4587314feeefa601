package dev.gatehouse.store.rocksdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The checks before a data directory is used, each refusing with a {@link StoreException} that names the
 * directory, and none writing anything into a directory it refuses: not creatable, not writable, holding
 * something that is not a Gatehouse store, of an unknown format version, locked by another process.
 */
final class StoreDirectory {
    /** The format version of the store as a whole (key layout and meta); record values carry their own. */
    static final int FORMAT_VERSION = 1;

    private StoreDirectory() {
    }

    static StoreException refuse(Path dir, String problem) {
        return new StoreException("gatehouse store " + dir + ": " + problem);
    }

    static StoreException refuse(Path dir, String problem, Throwable cause) {
        return new StoreException("gatehouse store " + dir + ": " + problem, cause);
    }

    /** Create the directory if needed and prove it can be written; refuse foreign content. */
    static void prepare(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw refuse(dir, "exists and is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw refuse(dir, "cannot create the directory (" + e + ")", e);
        }
        if (!Files.isWritable(dir)) {
            throw refuse(dir, "the directory is not writable");
        }
        try {
            // isWritable trusts permission bits; a read-only mount or a full disk only shows on a real write
            Path probe = Files.createTempFile(dir, ".gatehouse-probe", null);
            Files.delete(probe);
        } catch (IOException e) {
            throw refuse(dir, "cannot write into the directory (" + e + ")", e);
        }
        if (!Files.exists(dir.resolve("CURRENT")) && !isEmpty(dir)) {
            throw refuse(dir, "holds files that are not a Gatehouse store; refusing to write into it"
                    + " (point persistence.dir at an empty or new directory)");
        }
    }

    /**
     * For an existing RocksDB database: check its format without writing (a read-only open takes no lock
     * and changes nothing), so an unknown or foreign store is refused untouched.
     */
    static void checkFormat(Path dir) {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return;
        }
        byte[] format;
        boolean hasData;
        try (Options o = new Options(); RocksDB db = RocksDB.openReadOnly(o, dir.toString())) {
            format = db.get(Keys.FORMAT);
            try (RocksIterator it = db.newIterator()) {
                it.seekToFirst();
                hasData = it.isValid();
            }
        } catch (RocksDBException e) {
            throw refuse(dir, "cannot be read as a Gatehouse store (" + e.getMessage() + ")", e);
        }
        if (format == null) {
            if (hasData) {
                throw refuse(dir, "is a RocksDB database but not a Gatehouse store (no format record); refusing to"
                        + " write into it");
            }
            return;
        }
        int version = format.length == 2 ? ((format[0] & 0xFF) << 8) | (format[1] & 0xFF) : -1;
        if (version != FORMAT_VERSION) {
            throw refuse(dir, "holds data of format version " + (version < 0 ? "(unreadable)" : version)
                    + ", unknown to this broker (it reads version " + FORMAT_VERSION + "); nothing was changed:"
                    + " run the broker version that wrote it, or use another directory");
        }
    }

    /** Open read-write; a held LOCK becomes "locked by another running process". */
    static RocksDB open(Options options, Path dir) {
        try {
            return RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            String m = String.valueOf(e.getMessage());
            if (m.toLowerCase(Locale.ROOT).contains("lock")) {
                throw refuse(dir, "locked by another running broker or process (" + m + ")", e);
            }
            if (m.contains("No space")) {
                throw refuse(dir, "the disk is full (" + m + ")", e);
            }
            throw refuse(dir, "cannot be opened (" + m + ")", e);
        }
    }

    /** Write the format record of a new store, synced. */
    static void markNew(RocksDB db, Path dir) {
        try {
            if (db.get(Keys.FORMAT) == null) {
                try (org.rocksdb.WriteOptions w = new org.rocksdb.WriteOptions().setSync(true)) {
                    db.put(w, Keys.FORMAT, new byte[] {(byte) (FORMAT_VERSION >>> 8), (byte) FORMAT_VERSION});
                }
            }
        } catch (RocksDBException e) {
            throw refuse(dir, "cannot write the format record (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw refuse(dir, "cannot list the directory (" + e + ")", e);
        }
    }
}

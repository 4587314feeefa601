package dev.gatehouse.app;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a secret (a seed, a key) to a new file that only its owner can read. */
final class SecretFile {
    private SecretFile() {
    }

    /**
     * Create {@code file} (never overwrite: an existing seed may be the only copy of a key in use) and write
     * {@code content}. On POSIX file systems the file is created {@code rw-------}, so the secret is never
     * readable by others, not even for an instant.
     */
    static void writeNew(Path file, byte[] content) throws IOException {
        boolean posix = Files.getFileStore(parentOf(file)).supportsFileAttributeView("posix");
        try {
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
                var f = file.toFile();
                // Best effort where there are no POSIX permissions (e.g. Windows ACLs are left as inherited).
                f.setReadable(false, false);
                f.setReadable(true, true);
                f.setWritable(false, false);
                f.setWritable(true, true);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " already exists; not overwriting it");
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(content);
        }
    }

    private static Path parentOf(Path file) {
        Path p = file.toAbsolutePath().getParent();
        return p == null ? Path.of("").toAbsolutePath() : p;
    }
}

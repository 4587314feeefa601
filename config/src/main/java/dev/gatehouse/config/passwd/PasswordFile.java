package dev.gatehouse.config.passwd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A password file: one {@code user:hash} per line, as mosquitto writes them; blank lines and lines starting with
 * {@code #} are ignored. The user name is everything before the first {@code :}.
 */
public final class PasswordFile {
    private PasswordFile() {
    }

    /**
     * Read every user. Bad lines are reported together, by line number, without echoing their content.
     *
     * @throws IllegalArgumentException listing the bad lines
     * @throws IOException              when the file cannot be read
     */
    public static Map<String, PasswordHash> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                bad.add("line " + (i + 1) + ": expected user:hash");
                continue;
            }
            String user = line.substring(0, colon);
            try {
                PasswordHash h = PasswordHash.parse(line.substring(colon + 1));
                if (users.putIfAbsent(user, h) != null) {
                    bad.add("line " + (i + 1) + ": user " + user + " appears twice");
                }
            } catch (IllegalArgumentException e) {
                bad.add("line " + (i + 1) + " (user " + user + "): " + e.getMessage());
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bad));
        }
        return users;
    }

    /**
     * Add {@code user} or replace their line, keeping every other line (comments included) as it was. Writes a
     * new file next to the old one and moves it into place, readable by its owner only where POSIX permits.
     */
    public static void upsert(Path file, String user, PasswordHash hash) throws IOException {
        if (user.isEmpty() || user.indexOf(':') >= 0 || user.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("a user name must be non-empty, without ':' or control characters");
        }
        List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : new ArrayList<>();
        List<String> out = new ArrayList<>(lines.size() + 1);
        boolean replaced = false;
        for (String line : lines) {
            if (line.startsWith(user + ":")) {
                if (!replaced) {
                    out.add(hash.line(user));
                    replaced = true;
                }
            } else {
                out.add(line);
            }
        }
        if (!replaced) {
            out.add(hash.line(user));
        }
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, ".passwd", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: keep the platform default.
            }
            Files.write(tmp, out, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

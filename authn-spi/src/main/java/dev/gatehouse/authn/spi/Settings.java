package dev.gatehouse.authn.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only tree of settings for one authenticator, independent of the file format behind it.
 *
 * <p>Paths are relative and dotted ({@code jwks.url}). Every getter that cannot satisfy a request
 * throws {@link SettingsException} whose path is absolute ({@link #path()} + the relative path),
 * so an error points at the exact line a user must fix. Durations accept {@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} or a bare number of milliseconds.
 */
public interface Settings {

    /** The absolute path of this subtree, e.g. {@code gatehouse.authentication.0}; empty for the root. */
    String path();

    /** The keys directly below this subtree. */
    Set<String> keys();

    /** Whether {@code path} is set (to anything but null). */
    boolean has(String path);

    String getString(String path);

    int getInt(String path);

    long getLong(String path);

    boolean getBoolean(String path);

    Duration getDuration(String path);

    List<String> getStringList(String path);

    Settings getSettings(String path);

    List<Settings> getSettingsList(String path);

    /** The raw value: a String, Number, Boolean, List or Map; for claims whose type is free. */
    Object getValue(String path);

    /**
     * The directory relative file paths in these settings are resolved against: the configuration
     * file's folder when the settings come from a file, else the working directory.
     */
    default java.nio.file.Path baseDirectory() {
        return java.nio.file.Path.of("").toAbsolutePath();
    }

    /** A file path setting, resolved against {@link #baseDirectory()} when relative. */
    default java.nio.file.Path getPath(String path) {
        return baseDirectory().resolve(getString(path));
    }

    /** The absolute path of a relative one, for error messages raised by the caller. */
    default String absolute(String relative) {
        return path().isEmpty() ? relative : path() + "." + relative;
    }

    /** Build an error about {@code relative} that names its absolute path. */
    default SettingsException problem(String relative, String problem) {
        return new SettingsException(absolute(relative), problem);
    }

    default Optional<String> optString(String path) {
        return has(path) ? Optional.of(getString(path)) : Optional.empty();
    }

    default String getString(String path, String fallback) {
        return has(path) ? getString(path) : fallback;
    }

    default int getInt(String path, int fallback) {
        return has(path) ? getInt(path) : fallback;
    }

    default long getLong(String path, long fallback) {
        return has(path) ? getLong(path) : fallback;
    }

    default boolean getBoolean(String path, boolean fallback) {
        return has(path) ? getBoolean(path) : fallback;
    }

    default Duration getDuration(String path, Duration fallback) {
        return has(path) ? getDuration(path) : fallback;
    }

    default List<String> getStringList(String path, List<String> fallback) {
        return has(path) ? getStringList(path) : fallback;
    }
}

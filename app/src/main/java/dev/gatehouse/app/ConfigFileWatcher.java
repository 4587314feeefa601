package dev.gatehouse.app;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when the configuration file's content changes. It watches the file's directory (a file cannot be
 * watched on its own, and editors and Kubernetes ConfigMaps replace files by renaming), waits until the directory
 * has been quiet for the debounce time (an editor's save is several events), then compares the file's digest with
 * the last one seen, so touching a neighbouring file or saving unchanged content does not reload.
 */
final class ConfigFileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigFileWatcher.class);

    private final Path file;
    private final Duration debounce;
    private final Runnable onChange;
    private final WatchService watcher;
    private final Thread thread;
    private byte[] lastDigest;

    private ConfigFileWatcher(Path file, Duration debounce, Runnable onChange) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.debounce = debounce;
        this.onChange = onChange;
        this.lastDigest = digest();
        this.watcher = this.file.getFileSystem().newWatchService();
        this.file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::loop, "gatehouse-config-watch");
        this.thread.setDaemon(true);
    }

    /** Start watching {@code file}; {@code onChange} runs on the watcher's thread. */
    static ConfigFileWatcher start(Path file, Duration debounce, Runnable onChange) throws IOException {
        ConfigFileWatcher w = new ConfigFileWatcher(file, debounce, onChange);
        w.thread.start();
        return w;
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                drain(key);
                // Quiet period: keep absorbing events until none arrived for the debounce time.
                for (WatchKey more = watcher.poll(debounce.toMillis(), TimeUnit.MILLISECONDS); more != null;
                     more = watcher.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) {
                    drain(more);
                }
                byte[] now = digest();
                if (now != null && !Arrays.equals(now, lastDigest)) {
                    lastDigest = now;
                    try {
                        onChange.run();
                    } catch (RuntimeException e) {
                        log.error("reload after a change of {} failed", file, e);
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // close() was called
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    /** SHA-256 of the file, or null while it does not exist (mid-rename): that is not a change to act on. */
    private byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            log.debug("closing the watch service", e);
        }
        thread.interrupt();
    }
}

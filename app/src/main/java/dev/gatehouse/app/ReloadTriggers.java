package dev.gatehouse.app;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires SIGHUP and changes of the configuration file to a {@link ConfigReloader}. Reloads run one at a time on a
 * thread of their own, so neither the signal dispatcher nor the file watcher waits for authenticators to build.
 */
final class ReloadTriggers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReloadTriggers.class);
    static final Duration DEBOUNCE = Duration.ofMillis(500);

    private final ExecutorService worker;
    private final ConfigFileWatcher watcher;

    private ReloadTriggers(ExecutorService worker, ConfigFileWatcher watcher) {
        this.worker = worker;
        this.watcher = watcher;
    }

    static ReloadTriggers start(ConfigReloader reloader, Path configFile, boolean watch) {
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-reload");
            t.setDaemon(true);
            return t;
        });
        SighupTrigger.install(() -> submit(worker, () -> reloader.reload("SIGHUP")));
        ConfigFileWatcher watcher = null;
        if (watch) {
            try {
                watcher = ConfigFileWatcher.start(configFile, DEBOUNCE,
                        () -> submit(worker, () -> reloader.reload("file changed")));
            } catch (IOException | RuntimeException e) {
                log.warn("cannot watch {} for changes ({}); reload with SIGHUP", configFile, e.toString());
            }
        }
        log.info("  reload: SIGHUP{} re-reads authentication and default permissions",
                watcher != null ? " or a change of " + configFile : "");
        return new ReloadTriggers(worker, watcher);
    }

    private static void submit(ExecutorService worker, Runnable reload) {
        try {
            worker.execute(reload);
        } catch (RejectedExecutionException stopping) {
            log.info("not reloading: the broker is stopping");
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        worker.shutdownNow();
    }
}

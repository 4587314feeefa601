package dev.gatehouse.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP, the Unix convention for "re-read your configuration". {@code sun.misc.Signal} is
 * JDK-internal (module jdk.unsupported) and SIGHUP does not exist everywhere (Windows, or a JVM run with -Xrs), so
 * {@link #install} reports whether it worked instead of failing: the broker runs either way, reloading only on
 * file changes.
 */
final class SighupTrigger {
    private static final Logger log = LoggerFactory.getLogger(SighupTrigger.class);

    private SighupTrigger() {
    }

    /** Replaces the JVM's default SIGHUP handling (which would stop the process); true if installed. */
    static boolean install(Runnable action) {
        try {
            return Installer.install(action);
        } catch (LinkageError | RuntimeException e) {
            log.info("SIGHUP reload is not available here ({}); the configuration file is still watched", e.toString());
            return false;
        }
    }

    /** Separate class so that a JVM without sun.misc.Signal fails to link this only, inside the try above. */
    private static final class Installer {
        static boolean install(Runnable action) {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
            return true;
        }
    }
}

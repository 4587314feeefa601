package dev.gatehouse.app;

import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfiguredBroker;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the configuration file and, when it is valid, swaps the authenticator chain and default permissions of
 * the running broker. Connected clients keep what they were granted; new connections meet the new settings. A file
 * with any problem changes nothing.
 */
final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /**
     * What a reload did.
     *
     * @param applied     whether the new authenticators and default permissions are in use
     * @param needRestart configuration paths that changed but only take effect on restart
     * @param problems    why the file was rejected (empty when applied)
     */
    record Outcome(boolean applied, List<String> needRestart, List<Problem> problems) {
    }

    private final ConfiguredBroker broker;
    private final Path file;
    private final Supplier<Map<String, String>> environment;

    ConfigReloader(ConfiguredBroker broker, Path file, Supplier<Map<String, String>> environment) {
        this.broker = broker;
        this.file = file;
        this.environment = environment;
    }

    ConfigReloader(ConfiguredBroker broker, Path file) {
        this(broker, file, System::getenv);
    }

    /** Synchronized: a SIGHUP and a file change arriving together must not build two chains at once. */
    synchronized Outcome reload(String trigger) {
        log.info("reloading {} ({})", file, trigger);
        ConfiguredBroker.Rebuilt next;
        try {
            next = broker.rebuild(GatehouseConfig.parseFile(file, environment.get()));
        } catch (ConfigException e) {
            e.problems().forEach(p -> log.error("reload rejected: {}", p));
            log.error("reload of {} rejected ({} problem(s)); the previous settings stay in force", file,
                    e.problems().size());
            return new Outcome(false, List.of(), e.problems());
        }
        // Listeners and limits stay those the broker started with, whatever earlier reloads read.
        List<String> needRestart = RestartOnlyChanges.between(broker.settings(), next.settings());
        List<Authenticator> chain = next.authenticators().stream().map(ConfiguredBroker.Built::authenticator).toList();
        try {
            broker.broker().replaceAuthenticators(chain, next.settings().defaultPermissions());
        } catch (RuntimeException e) {
            next.discard();
            log.error("reload of {} not applied: {}", file, e.getMessage());
            return new Outcome(false, needRestart, List.of());
        }
        for (String path : needRestart) {
            log.warn("reload: {} changed; that takes effect only after a restart (not applied)", path);
        }
        log.info("reloaded {}: authenticators {}, default permissions updated; connected clients keep their "
                + "permissions", file, next.authenticators().stream().map(b -> b.type() + " (" + b.path() + ")").toList());
        return new Outcome(true, needRestart, List.of());
    }
}

package dev.gatehouse.app;

import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.config.BindAddress;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfiguredBroker;
import dev.gatehouse.config.GatehouseConfig;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse run [--config FILE] [--bind HOST:PORT]}: run until SIGTERM / Ctrl-C, then stop gracefully; with a
 * configuration file, SIGHUP or a change of the file reloads authentication and default permissions.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the broker (the default command).")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration file.")
    Path config;

    @Option(names = "--bind", paramLabel = "HOST:PORT",
            description = "Listen here instead (with --config: replaces the first listener's address). Default "
                    + Main.DEFAULT_BIND + " without --config.")
    String bind;

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Load authenticator jars from this directory (ServiceLoader; their types become usable "
                    + "in the configuration's authentication list).")
    Path plugins;

    @Option(names = "--watch", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Reload when the configuration file changes (default: ${DEFAULT-VALUE}); SIGHUP always reloads.")
    boolean watch;

    @Option(names = "--warm-up", paramLabel = "DURATION", defaultValue = DEFAULT_WARM_UP,
            description = "Before listening, run the message paths over a private loopback listener until the JIT "
                    + "settles, for at most this long, so the first clients meet compiled code (0 turns it off; "
                    + "default: ${DEFAULT-VALUE}).")
    String warmUp;

    /**
     * An upper bound: the warm-up usually ends sooner, when the JIT settles (measured on 2 cores: docs/performance.md,
     * "Cold start"; shorter fixed budgets left the first-second stall in place).
     */
    static final String DEFAULT_WARM_UP = "5s";

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        java.time.Duration warm;
        try {
            warm = warmUp.trim().equals("0") ? java.time.Duration.ZERO : DurationText.parse(warmUp);
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: --warm-up: " + e.getMessage());
            return 2;
        }
        BindAddress hp;
        try {
            hp = BindAddress.parse(bind == null ? Main.DEFAULT_BIND : bind);
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: --bind: " + e.getMessage());
            return 2;
        }
        if (config == null) {
            if (plugins != null) {
                err.println("gatehouse: --plugins needs --config: only a configuration's authentication list uses them");
                return 2;
            }
            Broker broker;
            try {
                broker = Main.startDefault(hp, warm);
            } catch (CompletionException e) {
                err.println("gatehouse: " + (e.getCause() == null ? e : e.getCause()).getMessage());
                return 1;
            }
            // registered before the first line is logged: whoever sees that line may stop the process
            Shutdown.onShutdown(() -> broker.stop().join());
            Main.announceDefault(broker);
            // Without this the JVM's default SIGHUP handling would stop the broker of someone expecting a reload.
            SighupTrigger.install(() -> log.info("SIGHUP: nothing to reload (started without --config)"));
        } else {
            ConfiguredBroker broker;
            // metrics for the broker and its authenticators; the HTTP endpoint only when gatehouse.http.bind is set
            dev.gatehouse.ops.Operations ops = new dev.gatehouse.ops.Operations();
            try {
                ConfiguredBroker.Options options = ConfiguredBroker.Options.defaults().withWarmUp(warm)
                        .withMetrics(ops.brokerMetrics(), ops.authenticatorMetrics());
                if (plugins != null) {
                    options = options.withClassLoader(Plugins.loader(plugins));
                }
                if (bind != null) {
                    options = options.withBindOverride(hp);
                }
                broker = ConfiguredBroker.create(GatehouseConfig.parseFile(config), options);
            } catch (ConfigException e) {
                e.problems().forEach(p -> err.println(p));
                err.println("gatehouse: " + config + ": " + e.problems().size() + " problem(s); nothing was started");
                ops.close();
                return 1;
            }
            try {
                // before the listeners: /health/ready answers "not ready" until they accept
                broker.settings().httpBind().ifPresent(h -> ops.startHttp(h.host(), h.port()));
                broker.start().join();
            } catch (CompletionException | IllegalStateException e) {
                err.println("gatehouse: " + (e.getCause() == null || e instanceof IllegalStateException ? e
                        : e.getCause()).getMessage());
                broker.close();
                ops.close();
                return 1;
            }
            AtomicReference<ReloadTriggers> reloads = new AtomicReference<>();
            Shutdown.onShutdown(() -> {
                ReloadTriggers r = reloads.get();
                if (r != null) {
                    r.close();
                }
                broker.close();
                ops.close();
            });
            banner(config, broker);
            reloads.set(ReloadTriggers.start(new ConfigReloader(broker, config), config, watch));
        }
        // SIGTERM / Ctrl-C: the shutdown hook stops the broker gracefully and flushes the log; wait for it
        Shutdown.await();
        return 0;
    }

    /** One line per listener and authenticator, so an operator sees at a glance what is exposed and how. */
    private static void banner(Path config, ConfiguredBroker b) {
        log.info("gatehouse {} (commit {}) started from {}", Main.version(), BuildInfo.current().commit(), config);
        for (ListenerConfig l : b.settings().listeners()) {
            InetSocketAddress a = b.broker().boundAddresses().get(l.name());
            log.info("  listener {}: {} on {}{}, anonymous {}{}", l.name(), l.transport().name().toLowerCase(Locale.ROOT),
                    a, l.transport().webSocket() ? " path " + l.webSocketPath() : "",
                    l.anonymous().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    l.tls().map(t -> ", client certificates " + t.clientAuth().name().toLowerCase(Locale.ROOT)).orElse(""));
        }
        if (b.authenticators().isEmpty()) {
            log.info("  no authenticators: every client falls to its listener's anonymous policy");
        }
        for (ConfiguredBroker.Built a : b.authenticators()) {
            log.info("  authenticator {} ({})", a.type(), a.path());
        }
    }

}

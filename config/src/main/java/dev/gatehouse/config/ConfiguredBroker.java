package dev.gatehouse.config;

import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.AuthenticatorFactories;
import dev.gatehouse.authn.spi.AuthenticatorFactory;
import dev.gatehouse.authn.spi.SettingsException;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.BrokerEventListener;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.store.StateStore;
import dev.gatehouse.store.rocksdb.RocksDbStateStore;
import dev.gatehouse.store.rocksdb.StoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Broker} built from a {@link GatehouseConfig}, with its authenticator chain and the threads the
 * authenticators were given. Everything is validated — and every problem reported in one
 * {@link ConfigException} — before any port is opened.
 */
public final class ConfiguredBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfiguredBroker.class);

    private final GatehouseSettings settings;
    private final List<Built> authenticators;
    private final AuthExecutors executors;
    private final Broker broker;
    private final Options options;
    private final StateStore stateStore;

    /** An authenticator of the chain with the configuration entry it came from. */
    public record Built(String type, String path, Authenticator authenticator) {
    }

    /**
     * How to build: the clock, where factories are looked up, optional event listeners, and an optional
     * {@code --bind} override that replaces the first listener's address.
     */
    public record Options(Clock clock, ClassLoader classLoader, Optional<BindAddress> bindOverride,
                          List<BrokerEventListener> eventListeners, java.time.Duration warmUp,
                          dev.gatehouse.broker.BrokerMetrics metrics,
                          dev.gatehouse.authn.spi.AuthenticatorMetrics authenticatorMetrics) {
        public Options {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(classLoader, "classLoader");
            Objects.requireNonNull(bindOverride, "bindOverride");
            Objects.requireNonNull(warmUp, "warmUp");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(authenticatorMetrics, "authenticatorMetrics");
            eventListeners = List.copyOf(eventListeners);
        }

        public Options(Clock clock, ClassLoader classLoader, Optional<BindAddress> bindOverride,
                       List<BrokerEventListener> eventListeners, java.time.Duration warmUp) {
            this(clock, classLoader, bindOverride, eventListeners, warmUp, dev.gatehouse.broker.BrokerMetrics.NONE,
                    dev.gatehouse.authn.spi.AuthenticatorMetrics.NONE);
        }

        public Options(Clock clock, ClassLoader classLoader, Optional<BindAddress> bindOverride,
                       List<BrokerEventListener> eventListeners) {
            this(clock, classLoader, bindOverride, eventListeners, java.time.Duration.ZERO);
        }

        public static Options defaults() {
            return new Options(Clock.systemUTC(), ConfiguredBroker.class.getClassLoader(), Optional.empty(), List.of());
        }

        public Options withBindOverride(BindAddress bind) {
            return new Options(clock, classLoader, Optional.of(bind), eventListeners, warmUp, metrics,
                    authenticatorMetrics);
        }

        /** Look authenticator factories up through {@code loader} (e.g. one over a plugins directory). */
        public Options withClassLoader(ClassLoader loader) {
            return new Options(clock, loader, bindOverride, eventListeners, warmUp);
        }

        public Options withClock(Clock c) {
            return new Options(c, classLoader, bindOverride, eventListeners, warmUp, metrics, authenticatorMetrics);
        }

        public Options withEventListener(BrokerEventListener l) {
            List<BrokerEventListener> all = new ArrayList<>(eventListeners);
            all.add(l);
            return new Options(clock, classLoader, bindOverride, all, warmUp, metrics, authenticatorMetrics);
        }

        /** The broker's start-up warm-up budget ({@link Broker.Builder#warmUp}); zero (the default here) for none. */
        public Options withWarmUp(java.time.Duration budget) {
            return new Options(clock, classLoader, bindOverride, eventListeners, budget, metrics, authenticatorMetrics);
        }

        /**
         * Report to {@code broker} (CONNECT outcomes, authentication latency, {@link Broker#stats()}) and
         * {@code authenticators} (fetches of JWKS endpoints and account servers, through
         * {@link AuthenticatorContext#metrics()}). Default: neither records anything.
         */
        public Options withMetrics(dev.gatehouse.broker.BrokerMetrics broker,
                                   dev.gatehouse.authn.spi.AuthenticatorMetrics authenticators) {
            return new Options(clock, classLoader, bindOverride, eventListeners, warmUp, broker, authenticators);
        }
    }

    private ConfiguredBroker(GatehouseSettings settings, List<Built> authenticators, AuthExecutors executors,
                             Broker broker, Options options, StateStore stateStore) {
        this.stateStore = stateStore;
        this.settings = settings;
        this.authenticators = List.copyOf(authenticators);
        this.executors = executors;
        this.broker = broker;
        this.options = options;
    }

    /**
     * A configuration validated and its authenticator chain built for a reload, but not in use: hand
     * {@link #authenticators()} and {@code settings().defaultPermissions()} to {@link Broker#replaceAuthenticators},
     * or {@link #discard()} it.
     */
    public record Rebuilt(GatehouseSettings settings, List<Built> authenticators) {
        public Rebuilt {
            authenticators = List.copyOf(authenticators);
        }

        /** Close the authenticators of a rebuild that will not be used. */
        public void discard() {
            closeAll(authenticators);
        }
    }

    /**
     * Validate {@code config} exactly as {@link #create} does (with this broker's options, {@code --bind}
     * override included) and build a new authenticator chain on this broker's authenticator threads, for a
     * reload. Nothing running is touched; the caller decides what to apply.
     *
     * @throws ConfigException listing every problem found; whatever was built is closed again
     */
    public Rebuilt rebuild(GatehouseConfig config) {
        // The threads are this broker's: they outlive any one chain and are shut down when the broker stops.
        Assembly a = assemble(config, options, executors);
        return new Rebuilt(a.settings, a.chain);
    }

    /** Validate and build (not start) with default options. */
    public static ConfiguredBroker create(GatehouseConfig config) {
        return create(config, Options.defaults());
    }

    /**
     * Validate everything, build the authenticator chain through the {@link AuthenticatorFactory} ServiceLoader
     * and build the broker. With persistence on, the durable store is opened here (so a locked, foreign or
     * unusable data directory is a configuration problem naming the directory). Nothing is bound until
     * {@link #start()}.
     *
     * @throws ConfigException listing every problem found
     */
    public static ConfiguredBroker create(GatehouseConfig config, Options options) {
        Assembly a = assemble(config, options, null);
        StateStore store = null;
        try {
            store = openStore(a.settings.persistence());
            Broker.Builder b = Broker.builder()
                    .limits(a.settings.limits())
                    .defaultPermissions(a.settings.defaultPermissions())
                    .clock(options.clock())
                    .metrics(options.metrics())
                    .sysInterval(a.settings.sysInterval());
            a.settings.listeners().forEach(b::listener);
            a.chain.forEach(x -> b.authenticator(x.authenticator()));
            options.eventListeners().forEach(b::eventListener);
            b.warmUp(options.warmUp());
            if (a.settings.ioThreads() > 0) {
                b.ioThreads(a.settings.ioThreads());
            }
            if (store != null) {
                b.stateStore(store);
            }
            return new ConfiguredBroker(a.settings, a.chain, a.executors, b.build(), options, store);
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            a.close();
            throw e;
        }
    }

    /** The durable store when persistence is on, else null (the broker keeps its state on the heap). */
    private static StateStore openStore(PersistenceSettings p) {
        if (!p.enabled()) {
            return null;
        }
        try {
            StateStore store = RocksDbStateStore.open(p.storeOptions());
            log.info("{}", p.describe());
            return store;
        } catch (StoreException e) {
            throw new ConfigException(List.of(new Problem("gatehouse.persistence.dir", e.getMessage())));
        }
    }

    /**
     * Everything {@link #create} checks, including building each authenticator, then release it all:
     * for {@code check-config}. Throws {@link ConfigException} when anything is wrong.
     */
    public static GatehouseSettings validate(GatehouseConfig config, Options options) {
        Assembly a = assemble(config, options, null);
        a.close();
        return a.settings;
    }

    /** With {@code shared} executors null, the assembly gets (and on close shuts down) its own. */
    private static Assembly assemble(GatehouseConfig config, Options options, AuthExecutors shared) {
        Map<String, AuthenticatorFactory> factories = AuthenticatorFactories.discover(options.classLoader());
        Problems problems = new Problems();
        GatehouseSettings settings = null;
        try {
            settings = config.settings(factories.keySet());
        } catch (ConfigException e) {
            e.problems().forEach(p -> problems.add(p.path(), p.message()));
        }
        List<GatehouseSettings.AuthenticatorEntry> entries = settings != null ? settings.authentication()
                // Typed settings failed; still build the authenticators so their problems are reported too.
                : partialEntries(config, factories);
        AuthExecutors executors = shared != null ? shared : new AuthExecutors();
        AuthenticatorContext context = new AuthenticatorContext(options.clock(), executors.blocking, executors.scheduler,
                options.authenticatorMetrics());
        List<Built> chain = new ArrayList<>();
        for (GatehouseSettings.AuthenticatorEntry e : entries) {
            try {
                Authenticator auth = Objects.requireNonNull(factories.get(e.type()).create(e.settings(), context),
                        "factory " + e.type() + " returned null");
                chain.add(new Built(e.type(), e.path(), auth));
                for (String unread : e.settings().unreadKeys()) {
                    if (unread.equals("type")) {
                        continue;
                    }
                    problems.add(e.path() + "." + unread, "unknown key for authenticator type " + e.type());
                }
            } catch (SettingsException x) {
                problems.add(x.path(), x.problem());
            } catch (ConfigException x) {
                x.problems().forEach(p -> problems.add(p.path(), p.message()));
            } catch (RuntimeException x) {
                problems.add(e.path(), "cannot build the " + e.type() + " authenticator: " + x.getMessage());
            }
        }
        Assembly a = new Assembly(settings, chain, executors, shared == null);
        if (settings != null && options.bindOverride().isPresent()) {
            a = a.withBind(options.bindOverride().get());
        }
        if (!problems.isEmpty()) {
            a.close();
            problems.throwIfAny();
        }
        return a;
    }

    private static List<GatehouseSettings.AuthenticatorEntry> partialEntries(GatehouseConfig config,
                                                                               Map<String, AuthenticatorFactory> f) {
        return new SettingsReader(config.config(), config.baseDirectory(), f.keySet()).authenticationEntries();
    }

    /** What {@link #assemble} produced; closing it closes authenticators and threads. */
    private record Assembly(GatehouseSettings settings, List<Built> chain, AuthExecutors executors,
                            boolean ownsExecutors) {
        Assembly withBind(BindAddress bind) {
            List<ListenerConfig> ls = new ArrayList<>(settings.listeners());
            ListenerConfig first = ls.get(0);
            ls.set(0, new ListenerConfig(first.name(), bind.host(), bind.port(), first.transport(), first.tls(),
                    first.webSocketPath(), first.anonymous(), first.anonymousPermissions()));
            return new Assembly(new GatehouseSettings(ls, settings.limits(), settings.defaultPermissions(),
                    settings.authentication(), settings.ioThreads(), settings.persistence(), settings.httpBind(),
                    settings.sysInterval()), chain, executors,
                    ownsExecutors);
        }

        void close() {
            closeAll(chain);
            if (ownsExecutors) {
                executors.close();
            }
        }
    }

    private static void closeAll(List<Built> chain) {
        for (Built b : chain) {
            try {
                b.authenticator().close();
            } catch (Exception e) {
                log.warn("authenticator {} failed to close", b.type(), e);
            }
        }
    }

    public Broker broker() {
        return broker;
    }

    public GatehouseSettings settings() {
        return settings;
    }

    /** The chain in the order it is asked. */
    public List<Built> authenticators() {
        return authenticators;
    }

    /** Bind every listener. */
    public CompletableFuture<Broker> start() {
        return broker.start().whenComplete((b, e) -> {
            if (e != null) {
                // A failed start leaves the authenticators open; stopping closes them and the threads.
                stop();
            }
        });
    }

    /**
     * Stop the broker (which closes the authenticators), then the authenticators' threads and the store
     * (after the broker, so that its last writes are flushed). Idempotent.
     */
    public CompletableFuture<Void> stop() {
        return broker.stop().whenComplete((v, e) -> {
            executors.close();
            if (stateStore != null) {
                stateStore.close();
            }
        });
    }

    /** The durable store the broker was given, when persistence is on. */
    public Optional<StateStore> stateStore() {
        return Optional.ofNullable(stateStore);
    }

    @Override
    public void close() {
        stop().join();
    }
}

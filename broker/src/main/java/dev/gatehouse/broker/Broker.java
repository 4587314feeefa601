package dev.gatehouse.broker;

import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.auth.AuthenticatorChain;
import dev.gatehouse.broker.core.BrokerCore;
import dev.gatehouse.broker.core.ClientConnection;
import dev.gatehouse.broker.core.EventBus;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.session.InMemorySessionStore;
import dev.gatehouse.broker.session.SessionStore;
import dev.gatehouse.broker.store.MemoryStateStore;
import dev.gatehouse.broker.store.StoredState;
import dev.gatehouse.broker.store.StateStore;
import dev.gatehouse.authn.spi.acl.TopicFilters;
import dev.gatehouse.broker.transport.NettyTransport;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT 3.1, 3.1.1 and 5.0 broker, embeddable in any JVM application.
 *
 * <pre>{@code
 * Broker broker = Broker.builder()
 *         .listener(ListenerConfig.tcp("default", "127.0.0.1", 1883))
 *         .authenticator(myAuthenticator)
 *         .build();
 * broker.start().join();
 * broker.publish("greetings", "hello".getBytes(UTF_8), 1, false);
 * broker.stop().join();
 * }</pre>
 *
 * <p>A broker starts once and stops once. {@link #stop()} closes the listeners, tells MQTT 5 clients
 * the server is shutting down (DISCONNECT 0x8B), closes every connection, then closes the
 * authenticators.
 */
public final class Broker {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private enum Phase { NEW, STARTING, RUNNING, STOPPING, STOPPED }

    private final List<ListenerConfig> listeners;
    private volatile AuthenticatorChain chain;
    private final EventBus events = new EventBus();
    private final BrokerCore core;
    private final NettyTransport transport;
    private final Clock clock;
    private final Duration warmUp;
    private final long warmUpMessages;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private volatile Map<String, InetSocketAddress> addresses = Map.of();
    private CompletableFuture<Void> stopped;
    private final BrokerStats stats;
    private final Duration sysInterval;
    private volatile dev.gatehouse.broker.core.SysTopics sys;

    private Broker(Builder b) {
        this.listeners = List.copyOf(b.listeners);
        this.chain = new AuthenticatorChain(b.authenticators);
        this.clock = b.clock;
        this.warmUp = b.warmUp;
        this.warmUpMessages = b.warmUpMessages;
        this.sysInterval = b.sysInterval;
        b.eventListeners.forEach(events::add);
        this.transport = new NettyTransport(b.ioThreads);
        this.core = new BrokerCore(b.limits, b.clock, chain, b.defaultPermissions, b.sessionStore,
                b.stateStore != null ? b.stateStore : new MemoryStateStore(), events, transport.workers(), b.metrics);
        this.stats = core.stats();
        b.metrics.bind(this, stats);
    }

    /** A builder with no listeners, no authenticators, default {@link Limits} and deny-all default permissions. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Bind every listener. Fails (and releases what was bound) if one cannot bind. With a {@link Builder#warmUp}
     * budget, the listeners are bound but accept nothing while the broker runs its message paths over a temporary
     * loopback listener; the returned future completes when they accept.
     */
    public CompletableFuture<Broker> start() {
        if (!phase.compareAndSet(Phase.NEW, Phase.STARTING)) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker already started"));
        }
        for (Authenticator a : chain.authenticators()) {
            a.attach(core.registry().liveConnectionsFor(a));
        }
        CompletableFuture<Broker> result = new CompletableFuture<>();
        // The real listeners are bound first (a port conflict fails the start at once) but accept nothing until the
        // warm-up (if any) is over and the stored state is rebuilt: clients that connect meanwhile wait in the listen
        // backlog, and every one of them finds its session. The state is rebuilt after the warm-up, so that none of
        // its traffic reaches a restored session, and on a thread of its own, never an event loop.
        // Reading the store is pure I/O and touches no live object: it runs beside the warm-up, so a restart with a
        // large store does not pay for both one after the other.
        CompletableFuture<StoredState> loaded = CompletableFuture.supplyAsync(core.stateStore()::load,
                Broker::startupThread);
        transport.bind(listeners, core, false)
                .thenCompose(addrs -> warmUp()
                        .thenCombine(loaded, (v, state) -> state)
                        .thenAcceptAsync(core::restoreState, Broker::startupThread)
                        .thenApply(v -> {
                            transport.startAccepting();
                            return addrs;
                        }))
                .whenComplete((addrs, e) -> {
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                phase.set(Phase.STOPPED);
                // Not joined here: this callback may run on an event loop that shutdown() waits for.
                transport.unbind().thenCompose(v -> transport.shutdown())
                        .whenComplete((v, x) -> {
                            closeStore();
                            result.completeExceptionally(cause);
                        });
                return;
            }
            addresses = Map.copyOf(addrs);
            core.startSweep();
            if (!sysInterval.isZero()) {
                sys = new dev.gatehouse.broker.core.SysTopics(core.router(), stats, clock, "gatehouse " + version());
                sys.start(transport.workers(), sysInterval.toMillis());
            }
            phase.set(Phase.RUNNING);
            addrs.forEach((name, a) -> log.info("listener {} bound to {}", name, a));
            result.complete(this);
        });
        return result;
    }

    /** Start-up work that may take a while (warm-up, loading the store) runs on a short-lived thread of its own. */
    private static void startupThread(Runnable r) {
        Thread t = new Thread(r, "gatehouse-start");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The start-up warm-up ({@link StartupWarmUp}) on a thread of its own, over a temporary listener on 127.0.0.1
     * that admits anonymous loopback clients (the authenticator chain is still asked first, as for any CONNECT);
     * never fails the start: whatever goes wrong is logged and the real listeners start accepting anyway.
     */
    private CompletableFuture<Void> warmUp() {
        if (warmUp.isZero()) {
            return CompletableFuture.completedFuture(null);
        }
        ListenerConfig l = ListenerConfig.tcp(StartupWarmUp.LISTENER, "127.0.0.1", 0)
                .withAnonymous(AnonymousAccess.LOOPBACK_ONLY)
                .withAnonymousPermissions(Permissions.allowAll());
        java.util.concurrent.Executor ownThread = Broker::startupThread;
        return transport.bind(List.of(l), core)
                .thenApplyAsync(addrs -> {
                    StartupWarmUp.Report r = new StartupWarmUp(addrs.get(StartupWarmUp.LISTENER), warmUp,
                            warmUpMessages).run();
                    // Its clients closed their sockets; let the broker see them go before the real listeners open.
                    long until = System.nanoTime() + 1_000_000_000L;
                    while (core.registry().size() > 0 && System.nanoTime() - until < 0) {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                    if (r.completed()) {
                        log.info("warm-up: {} messages (QoS 0/1/2, MQTT 3.1.1 and 5) over {} connections in {} ms ({}; "
                                        + "JIT compile time in its last 0.5 s: {} ms)",
                                r.messages(), r.connections(), r.nanos() / 1_000_000,
                                r.stoppedBecause().equals("settled") ? "the JIT settled" : r.stoppedBecause(),
                                r.lastWindowCompileMillis());
                    } else {
                        log.warn("warm-up ended early after {} messages in {} ms: {}", r.messages(),
                                r.nanos() / 1_000_000, r.stoppedBecause());
                    }
                    return r;
                }, ownThread)
                .handle((r, e) -> {
                    if (e != null) {
                        log.warn("warm-up skipped: {}", e.toString());
                    }
                    return null;
                })
                .thenCompose(v -> transport.unbind(StartupWarmUp.LISTENER));
    }

    /** Stop gracefully; idempotent. */
    public synchronized CompletableFuture<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        Phase was = phase.getAndSet(Phase.STOPPING);
        if (was == Phase.NEW) {
            phase.set(Phase.STOPPED);
            closeAuthenticators();
            closeStore();
            return stopped = transport.shutdown();
        }
        core.stopSweep();
        dev.gatehouse.broker.core.SysTopics s = sys;
        if (s != null) {
            s.stop();
        }
        stopped = transport.unbind()
                .thenCompose(v -> {
                    List<CompletableFuture<Void>> closing = new ArrayList<>();
                    for (ClientConnection c : core.registry().all()) {
                        closing.add(c.shutdown());
                    }
                    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                            .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                            .exceptionally(t -> null);
                })
                .thenCompose(v -> transport.shutdown())
                .whenComplete((v, e) -> {
                    closeAuthenticators();
                    closeStore();
                    phase.set(Phase.STOPPED);
                    log.info("broker stopped");
                });
        return stopped;
    }

    /**
     * Swap the authenticator chain and the default permissions while running, for a configuration
     * reload: new connections and re-authentications use the new ones, connected clients keep what they
     * were granted. The replaced authenticators are closed; {@link Authenticator#connectionClosed} may
     * still be called on them for the connections they admitted.
     */
    public synchronized void replaceAuthenticators(List<Authenticator> authenticators, Permissions defaultPermissions) {
        Objects.requireNonNull(defaultPermissions, "defaultPermissions");
        if (phase.get() == Phase.STOPPING || phase.get() == Phase.STOPPED) {
            throw new IllegalStateException("broker is stopping");
        }
        AuthenticatorChain replacement = new AuthenticatorChain(authenticators);
        for (Authenticator a : replacement.authenticators()) {
            a.attach(core.registry().liveConnectionsFor(a));
        }
        AuthenticatorChain old = chain;
        chain = replacement;
        core.replace(replacement, defaultPermissions);
        for (Authenticator a : old.authenticators()) {
            if (!replacement.authenticators().contains(a)) {
                close(a);
            }
        }
        log.info("authenticators replaced: {}", replacement.authenticators().stream().map(Authenticator::name).toList());
    }

    /** The authenticators in use, in chain order. */
    public List<Authenticator> authenticators() {
        return chain.authenticators();
    }

    private void closeAuthenticators() {
        for (Authenticator a : chain.authenticators()) {
            close(a);
        }
    }

    private static void close(Authenticator a) {
        try {
            a.close();
        } catch (Exception e) {
            log.warn("authenticator {} failed to close", a.name(), e);
        }
    }

    /** The address each listener is bound to, by listener name; empty before {@link #start()} completes. */
    public Map<String, InetSocketAddress> boundAddresses() {
        return addresses;
    }

    /** The port a listener is bound to (useful after binding port 0). */
    public int port(String listenerName) {
        InetSocketAddress a = addresses.get(listenerName);
        if (a == null) {
            throw new IllegalArgumentException("no bound listener named " + listenerName);
        }
        return a.getPort();
    }

    /**
     * Publish from inside the JVM, bypassing permissions (the embedding application is trusted).
     * Completes with how many sessions the message was queued for, once it is stored where it must be.
     */
    public CompletableFuture<Integer> publish(String topic, byte[] payload, int qos, boolean retain) {
        return publish(Message.of(topic, payload, qos, retain));
    }

    /** Publish a fully specified message (MQTT 5 properties, expiry) from inside the JVM. */
    public CompletableFuture<Integer> publish(Message message) {
        if (!TopicFilters.isValidTopicName(message.topic())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a valid topic name: " + message.topic()));
        }
        if (phase.get() != Phase.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker is not running"));
        }
        return core.publish(message);
    }

    /** After the event loops stopped, so nothing writes any more: pending batches are flushed. */
    private void closeStore() {
        try {
            core.stateStore().close();
        } catch (RuntimeException e) {
            log.warn("closing the state store failed: {}", e.getMessage());
        }
    }

    /** Add an event listener at run time. */
    public void addEventListener(BrokerEventListener l) {
        events.add(Objects.requireNonNull(l));
    }

    public void removeEventListener(BrokerEventListener l) {
        events.remove(l);
    }

    /** Live connections that completed CONNECT. */
    public int connectionCount() {
        return core.registry().size();
    }

    /** Sessions held (connected or not). */
    public int sessionCount() {
        return core.sessions().store().size();
    }

    /** Retained topics held. */
    public int retainedCount() {
        return core.retained().size();
    }

    /** Messages dropped because a session's queue was full (QoS 0, 1 and 2), since start. */
    public long droppedMessages() {
        return core.drops().count(DropReason.QUEUE_FULL) + core.drops().count(DropReason.QOS0_SLOW_CONSUMER);
    }

    /** Every message not delivered or not kept since start, by reason (each reason present, zero or more). */
    public Map<DropReason, Long> drops() {
        return core.drops().snapshot();
    }

    /**
     * How much the broker holds for flow control now: outbound buffers, connections not being read,
     * slow consumers disconnected. Each figure is bounded by {@link Limits}.
     */
    public FlowStats flowStats() {
        return core.flowStats();
    }

    public Clock clock() {
        return clock;
    }

    /**
     * The live figures (connections, messages and bytes per QoS, drops, denials, sessions, queues) for metrics,
     * health checks and {@code $SYS}; valid from {@link Builder#build()} on, from any thread.
     */
    public BrokerStats stats() {
        return stats;
    }

    /** Whether {@link #start()} completed and {@link #stop()} has not begun: every listener is bound and accepting. */
    public boolean isRunning() {
        return phase.get() == Phase.RUNNING;
    }

    /** This build's version (from the jar manifest), or {@code (development build)}. */
    public static String version() {
        String v = Broker.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    /** Default cap on the messages a start-up warm-up publishes. */
    public static final long DEFAULT_WARM_UP_MESSAGES = 200_000;

    /** Collects a broker's parts; {@link #build()} checks them. */
    public static final class Builder {
        private final List<ListenerConfig> listeners = new ArrayList<>();
        private final List<Authenticator> authenticators = new ArrayList<>();
        private final List<BrokerEventListener> eventListeners = new ArrayList<>();
        private Permissions defaultPermissions = Permissions.denyAll();
        private Limits limits = Limits.defaults();
        private Clock clock = Clock.systemUTC();
        private SessionStore sessionStore = new InMemorySessionStore();
        private StateStore stateStore;
        private int ioThreads = defaultIoThreads(Runtime.getRuntime().availableProcessors());
        private Duration warmUp = Duration.ZERO;
        private long warmUpMessages = DEFAULT_WARM_UP_MESSAGES;
        private BrokerMetrics metrics = BrokerMetrics.NONE;
        private Duration sysInterval = Duration.ZERO;

        private Builder() {
        }

        static int defaultIoThreads(int processors) {
            return Math.max(1, processors / 2);
        }

        /** Add a listener; names must be unique. */
        public Builder listener(ListenerConfig l) {
            listeners.add(Objects.requireNonNull(l));
            return this;
        }

        /** Append an authenticator to the chain; they are asked in the order added. */
        public Builder authenticator(Authenticator a) {
            authenticators.add(Objects.requireNonNull(a));
            return this;
        }

        /**
         * What clients admitted by a listener's anonymous policy may do, unless that listener sets its own.
         * Deny-all unless set.
         */
        public Builder defaultPermissions(Permissions p) {
            this.defaultPermissions = Objects.requireNonNull(p);
            return this;
        }

        public Builder limits(Limits l) {
            this.limits = Objects.requireNonNull(l);
            return this;
        }

        /** The time source for credential expiry, message expiry and events. */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c);
            return this;
        }

        public Builder sessionStore(SessionStore s) {
            this.sessionStore = Objects.requireNonNull(s);
            return this;
        }

        /**
         * Where sessions, queued and in-flight QoS 1/2 messages, delayed wills and retained messages are kept
         * across restarts. Default: a fresh {@link MemoryStateStore} (nothing survives the process). The broker
         * loads it at {@link Broker#start()} and closes it at {@link Broker#stop()}.
         */
        public Builder stateStore(StateStore s) {
            this.stateStore = Objects.requireNonNull(s);
            return this;
        }

        /**
         * Where CONNECT outcomes and authentication latency are reported, and who is handed {@link Broker#stats()}
         * to expose as gauges and counters ({@link BrokerMetrics}). Default: {@link BrokerMetrics#NONE}.
         */
        public Builder metrics(BrokerMetrics m) {
            this.metrics = Objects.requireNonNull(m);
            return this;
        }

        /**
         * Publish the {@code $SYS/broker/...} topics (Mosquitto's names: clients, messages, bytes, load, uptime,
         * version; docs/operations.md) retained, at start and then every {@code interval}. {@link Duration#ZERO}
         * (the default when embedding) publishes none; the jar's default is 10 s. Only clients whose permissions
         * allow {@code $SYS/#} (a filter naming {@code $SYS}; {@code #} alone never matches it) receive them.
         */
        public Builder sysInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || (!interval.isZero() && interval.toMillis() < 1)) {
                throw new IllegalArgumentException("sys interval must be zero (off) or positive");
            }
            this.sysInterval = interval;
            return this;
        }

        public Builder eventListener(BrokerEventListener l) {
            eventListeners.add(Objects.requireNonNull(l));
            return this;
        }

        /**
         * Netty I/O threads; defaults to half the processors (at least one): the kernel's network stack
         * needs the other half for the packets these threads send and receive, and every message routed
         * between two loops costs a hand-off (measured on 2 cores: see docs/performance.md).
         */
        public Builder ioThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("ioThreads must be positive");
            }
            this.ioThreads = n;
            return this;
        }

        /**
         * Before its listeners accept clients (they are bound first, so a port conflict still fails at once), run the
         * broker's message paths (CONNECT, SUBSCRIBE, PUBLISH at QoS 0, 1 and 2,
         * MQTT 3.1.1 and 5.0) over a temporary loopback listener for up to {@code budget} (and at most
         * {@link #warmUp(Duration, long) a message cap}), so that the first real clients meet compiled code rather
         * than the interpreter. {@link Duration#ZERO} (the default when embedding) turns it off; the jar turns it on.
         * The warm-up's clients pass through the authenticator chain and the event listeners like any other
         * (client ids {@code gatehouse-warm-up-*}); if the chain refuses them the warm-up just ends early.
         * Measured effect: docs/performance.md, "Cold start".
         */
        public Builder warmUp(Duration budget) {
            return warmUp(budget, DEFAULT_WARM_UP_MESSAGES);
        }

        /** {@link #warmUp(Duration)} with a cap on the messages it publishes as well. */
        public Builder warmUp(Duration budget, long maxMessages) {
            Objects.requireNonNull(budget, "budget");
            if (budget.isNegative() || maxMessages < 1) {
                throw new IllegalArgumentException("warm-up budget must not be negative and its message cap positive");
            }
            this.warmUp = budget;
            this.warmUpMessages = maxMessages;
            return this;
        }

        public Broker build() {
            if (listeners.isEmpty()) {
                throw new IllegalStateException("a broker needs at least one listener");
            }
            long distinct = listeners.stream().map(ListenerConfig::name).distinct().count();
            if (distinct != listeners.size()) {
                throw new IllegalStateException("listener names must be unique");
            }
            return new Broker(this);
        }
    }
}

package dev.gatehouse.broker.core;

import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.FlowStats;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.auth.AuthenticatorChain;
import dev.gatehouse.broker.log.ThrottledLog;
import dev.gatehouse.broker.session.QueuePolicy;
import dev.gatehouse.broker.session.SessionStore;
import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.StateStore;
import dev.gatehouse.broker.store.StoredState;
import dev.gatehouse.broker.topic.RetainedMessages;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What every connection shares, wired once per broker: the {@link ConnectionRegistry}, the
 * {@link SessionLifecycle}, the {@link Router}, drop and flow counters, and the authenticator chain
 * and default permissions (replaced whole on a reload).
 */
public final class BrokerCore {
    /** Denials of one client logged one by one per minute before they are only counted. */
    static final int DENIALS_LOGGED_PER_MINUTE = 5;

    private final Limits limits;
    private final Clock clock;
    // Replaced whole on a configuration reload; a connection reads them once per authentication.
    private volatile AuthenticatorChain chain;
    private volatile Permissions defaultPermissions;
    private final EventBus events;
    private final ScheduledExecutorService scheduler;
    private final ConnectionGate connectionGate;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final DropCounters drops;
    private final FlowCounters flow = new FlowCounters();
    private final TrafficCounters traffic = new TrafficCounters();
    private final dev.gatehouse.broker.BrokerMetrics metrics;
    private final ThrottledLog denials;
    private final ThrottledLog storeFull;
    private final StateStore stateStore;
    private final Router router;
    private final SessionLifecycle sessions;
    private volatile ScheduledFuture<?> sweep;

    public BrokerCore(Limits limits, Clock clock, AuthenticatorChain chain, Permissions defaultPermissions,
                      SessionStore sessionStore, StateStore stateStore, EventBus events,
                      ScheduledExecutorService scheduler) {
        this(limits, clock, chain, defaultPermissions, sessionStore, stateStore, events, scheduler,
                dev.gatehouse.broker.BrokerMetrics.NONE);
    }

    public BrokerCore(Limits limits, Clock clock, AuthenticatorChain chain, Permissions defaultPermissions,
                      SessionStore sessionStore, StateStore stateStore, EventBus events,
                      ScheduledExecutorService scheduler, dev.gatehouse.broker.BrokerMetrics metrics) {
        this.metrics = metrics;
        this.limits = limits;
        this.clock = clock;
        this.chain = chain;
        this.defaultPermissions = defaultPermissions;
        this.events = events;
        this.scheduler = scheduler;
        this.connectionGate = new ConnectionGate(limits.maxConnections());
        this.drops = new DropCounters(clock);
        this.storeFull = new ThrottledLog(org.slf4j.LoggerFactory.getLogger(BrokerCore.class), clock,
                DropCounters.SUMMARY_INTERVAL_MILLIS, 2);
        // Under the connection handler's logger, where an operator looks for what a client did.
        this.denials = new ThrottledLog(org.slf4j.LoggerFactory.getLogger("dev.gatehouse.broker.protocol.MqttConnection"),
                clock, DropCounters.SUMMARY_INTERVAL_MILLIS, 10_000, DENIALS_LOGGED_PER_MINUTE);
        this.stateStore = stateStore;
        this.router = new Router(sessionStore, new RetainedMessages(limits.maxRetainedMessages(), clock), drops);
        QueuePolicy policy = new QueuePolicy(limits.maxQueuedMessages(), limits.slowConsumerTimeout().toNanos(),
                System::nanoTime, drops);
        this.sessions = new SessionLifecycle(limits, clock, sessionStore, stateStore, router, policy, scheduler);
    }

    public Limits limits() {
        return limits;
    }

    public Clock clock() {
        return clock;
    }

    public AuthenticatorChain chain() {
        return chain;
    }

    public Permissions defaultPermissions() {
        return defaultPermissions;
    }

    /** New connections and re-authentications use {@code newChain} and {@code newDefaults} from now on. */
    public void replace(AuthenticatorChain newChain, Permissions newDefaults) {
        this.chain = newChain;
        this.defaultPermissions = newDefaults;
    }

    public EventBus events() {
        return events;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public ConnectionRegistry registry() {
        return registry;
    }

    public SessionLifecycle sessions() {
        return sessions;
    }

    public Router router() {
        return router;
    }

    public StateStore stateStore() {
        return stateStore;
    }

    /**
     * Rebuild sessions, their queues and the retained messages from what the state store loaded; before any
     * listener accepts. What the rebuild itself changes (sessions that expired meanwhile, wills now due) is stored
     * before it returns.
     */
    public void restoreState(StoredState state) {
        Changes changes = new Changes();
        router.restoreRetained(state.retained(), changes);
        sessions.restore(state, changes);
        if (!changes.isEmpty()) {
            stateStore.commit(changes).join();
        }
    }

    /**
     * Route a message that no client connection published (a will, the embedding API); completes with how
     * many sessions it was queued for once what it wrote is stored.
     */
    public java.util.concurrent.CompletableFuture<Integer> publish(dev.gatehouse.broker.message.Message m) {
        Changes changes = new Changes();
        int reached = router.route(m, changes);
        return changes.isEmpty() ? java.util.concurrent.CompletableFuture.completedFuture(reached)
                : stateStore.commit(changes).thenApply(v -> reached);
    }

    public RetainedMessages retained() {
        return router.retained();
    }

    public DropCounters drops() {
        return drops;
    }

    /** Where denied PUBLISH/SUBSCRIBE are logged: the first per client, then a summary a minute. */
    public ThrottledLog denials() {
        return denials;
    }

    /** Where "storage full, QoS 1/2 refused" is said: once a minute with a count, whoever caused it. */
    public ThrottledLog storeFullLog() {
        return storeFull;
    }

    public FlowCounters flow() {
        return flow;
    }

    /** Connections, messages and bytes in and out, denials: lock-free counters. */
    public TrafficCounters traffic() {
        return traffic;
    }

    /** Where CONNECT outcomes and authentication latency are reported. */
    public dev.gatehouse.broker.BrokerMetrics metrics() {
        return metrics;
    }

    /** The live figures of this core, read when asked. */
    public dev.gatehouse.broker.BrokerStats stats() {
        return new CoreStats(this);
    }

    /** Open TCP connections across all listeners, admitted or not, bounded by {@code Limits.maxConnections}. */
    public ConnectionGate connectionGate() {
        return connectionGate;
    }

    /** The flow-control figures of every live connection, added up now. */
    public FlowStats flowStats() {
        return flow.snapshot(registry.all());
    }

    /**
     * Start the once-a-second housekeeping: disconnect credentials expired by the clock (each connection
     * also has a timer for its expiry instant; the sweep catches clocks that move differently from real
     * time, such as an NTP step or a test clock) and write the drop summaries that are due.
     */
    public void startSweep() {
        sweep = scheduler.scheduleAtFixedRate(() -> {
            registry.checkExpiry(clock.millis());
            drops.flushSummaries();
            denials.flush();
            storeFull.flush();
        }, 1, 1, TimeUnit.SECONDS);
    }

    public void stopSweep() {
        ScheduledFuture<?> f = sweep;
        if (f != null) {
            f.cancel(false);
        }
    }
}

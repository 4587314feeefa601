package dev.gatehouse.broker.core;

import dev.gatehouse.authn.spi.AdmittedConnection;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.LiveConnections;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.auth.AuthenticatorChain;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.session.Delivery;
import dev.gatehouse.broker.session.OfflineSessions;
import dev.gatehouse.broker.session.Session;
import dev.gatehouse.broker.session.SessionOwner;
import dev.gatehouse.broker.session.SessionStore;
import dev.gatehouse.broker.topic.RetainedMessages;
import dev.gatehouse.broker.topic.SharedFilter;
import dev.gatehouse.broker.topic.SharedSubscriptions;
import dev.gatehouse.broker.topic.Subscription;
import dev.gatehouse.broker.topic.SubscriptionTree;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state shared by all connections: sessions, the subscription tree, retained messages and the
 * live connection per client id. Routing runs on the publisher's thread; each subscriber's session
 * is woken to drain on its own connection's thread.
 */
public final class BrokerCore {
    private static final Logger log = LoggerFactory.getLogger(BrokerCore.class);

    private final Limits limits;
    private final Clock clock;
    // Replaced whole on a configuration reload; a connection reads them once per authentication.
    private volatile AuthenticatorChain chain;
    private volatile Permissions defaultPermissions;
    private final SessionStore sessions;
    private final SubscriptionTree tree = new SubscriptionTree();
    private final SharedSubscriptions shared = new SharedSubscriptions(tree);
    private final RetainedMessages retained;
    private final ConcurrentHashMap<String, ClientConnection> connections = new ConcurrentHashMap<>();
    private final EventBus events;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong droppedDeliveries = new AtomicLong();
    private final ConnectionGate connectionGate;
    private final OfflineSessions offline = new OfflineSessions();
    // Serializes the size check and the insert of new sessions when maxSessions is set.
    private final Object sessionLimit = new Object();
    private volatile java.util.concurrent.ScheduledFuture<?> expirySweep;

    public BrokerCore(Limits limits, Clock clock, AuthenticatorChain chain, Permissions defaultPermissions,
                      SessionStore sessions, EventBus events, ScheduledExecutorService scheduler) {
        this.limits = limits;
        this.clock = clock;
        this.chain = chain;
        this.defaultPermissions = defaultPermissions;
        this.sessions = sessions;
        this.events = events;
        this.scheduler = scheduler;
        this.retained = new RetainedMessages(limits.maxRetainedMessages(), clock);
        this.connectionGate = new ConnectionGate(limits.maxConnections());
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

    public SessionStore sessions() {
        return sessions;
    }

    public RetainedMessages retained() {
        return retained;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Deliveries refused because a session queue was full, since start. */
    public long droppedDeliveries() {
        return droppedDeliveries.get();
    }

    /** Open TCP connections across all listeners, admitted or not, bounded by {@code Limits.maxConnections}. */
    public ConnectionGate connectionGate() {
        return connectionGate;
    }

    /** Stored sessions with no connection. */
    public int offlineSessionCount() {
        return offline.size();
    }

    public int connectionCount() {
        return connections.size();
    }

    public List<ClientConnection> connections() {
        return new ArrayList<>(connections.values());
    }

    /** The handle an authenticator gets to disconnect the connections it admitted. */
    public LiveConnections liveConnectionsFor(Authenticator a) {
        return (which, reason, logMessage) -> {
            int n = 0;
            for (ClientConnection c : connections.values()) {
                AdmittedConnection admitted = c.admittedBy(a);
                if (admitted != null && which.test(admitted)) {
                    c.revoke(reason, logMessage);
                    n++;
                }
            }
            return n;
        };
    }

    /**
     * Start the once-a-second sweep that disconnects credentials expired by the clock. Each connection
     * also has a timer for its expiry instant; the sweep catches clocks that move differently from
     * real time (an NTP step, a test clock).
     */
    public void startExpirySweep() {
        expirySweep = scheduler.scheduleAtFixedRate(() -> {
            long now = clock.millis();
            for (ClientConnection c : connections.values()) {
                c.checkExpiry(now);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    public void stopExpirySweep() {
        java.util.concurrent.ScheduledFuture<?> f = expirySweep;
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---- connection registry and session lifecycle ----

    /**
     * Registers {@code conn} as the live connection of {@code clientId}. Completes once any previous
     * connection of that id has been closed and has detached from the session, so the caller may then
     * attach; completes with false if a still newer connection claimed the id meanwhile.
     */
    public CompletableFuture<Boolean> claim(String clientId, ClientConnection conn) {
        ClientConnection old = connections.put(clientId, conn);
        CompletableFuture<Void> gone = old == null || old == conn
                ? CompletableFuture.completedFuture(null) : old.takeOver();
        return gone.thenApply(v -> connections.get(clientId) == conn);
    }

    /** Whether {@code conn} is (still) the live connection of {@code clientId}. */
    public boolean isCurrent(String clientId, ClientConnection conn) {
        return connections.get(clientId) == conn;
    }

    public void release(String clientId, ClientConnection conn) {
        connections.remove(clientId, conn);
    }

    /**
     * Attach {@code owner} to the session of {@code clientId}: a fresh one when {@code cleanStart} or
     * none exists (an old one is ended first), else the stored one. {@code present[0]} tells which.
     * Null when a fresh session would pass {@code Limits.maxSessions} and every stored one is connected.
     */
    public Session openSession(String clientId, boolean cleanStart, SessionOwner owner, boolean[] present) {
        Session existing = sessions.get(clientId).orElse(null);
        if (existing != null && !cleanStart && existing.attach(owner)) {
            offline.remove(existing);
            present[0] = true;
            return existing;
        }
        if (existing != null) {
            endSession(existing);
        }
        present[0] = false;
        Session s = new Session(clientId, limits.maxQueuedMessages());
        s.attach(owner);
        return store(s) ? s : null;
    }

    /**
     * Stores a new session within {@code maxSessions}, ending the sessions offline longest to make
     * room (a flood of persistent client ids must not hold memory for the whole expiry interval).
     */
    private boolean store(Session s) {
        int max = limits.maxSessions();
        if (max == 0) {
            sessions.put(s);
            return true;
        }
        synchronized (sessionLimit) {
            while (sessions.size() >= max) {
                Session victim = offline.pollEldest();
                if (victim == null) {
                    return false; // the connection logs the refusal
                }
                Message will = victim.takePendingWill();
                // A victim that reconnected meanwhile keeps its session (and its will stays unsent).
                if (victim.endIfDetached()) {
                    log.info("session {} ended to make room: the broker holds its limit of {} sessions and this one"
                            + " was offline longest", victim.clientId(), max);
                    cleanUp(victim, will);
                }
            }
            sessions.put(s);
            return true;
        }
    }

    /**
     * A connection detached from {@code s}: end it now if its expiry is 0, else schedule its end.
     */
    public void sessionDetached(Session s) {
        long expiry = s.expiryIntervalSeconds();
        if (expiry == 0) {
            endSession(s);
            return;
        }
        offline.detached(s);
        if (expiry >= Session.NEVER_EXPIRES) {
            return;
        }
        s.expiryTask(schedule(() -> {
            Message will = s.takePendingWill();
            if (s.endIfDetached()) {
                log.debug("session {} expired", s.clientId());
                cleanUp(s, will);
            } else if (will != null) {
                route(will);
            }
        }, expiry, TimeUnit.SECONDS));
    }

    /**
     * End a session: drop its subscriptions and queue, and publish a will still waiting for its delay
     * (MQTT 5: the will goes out when the delay passes or the session ends, whichever is first).
     */
    public void endSession(Session s) {
        Message will = s.takePendingWill();
        if (s.end()) {
            cleanUp(s, will);
        } else if (will != null) {
            route(will);
        }
    }

    private void cleanUp(Session s, Message will) {
        offline.remove(s);
        for (Subscription sub : s.subscriptions()) {
            removeFromTree(sub.clientId(), sub.filter());
        }
        sessions.remove(s);
        if (will != null) {
            route(will);
        }
    }

    /** Publish {@code will} after {@code delaySeconds} unless the session is resumed first. */
    public void scheduleWill(Session s, Message will, long delaySeconds) {
        s.pendingWill(will, schedule(() -> {
            Message w = s.takePendingWill();
            if (w != null) {
                route(w);
            }
        }, delaySeconds, TimeUnit.SECONDS));
    }

    /** Schedules on the I/O threads; null once they are shutting down (the broker is stopping). */
    private java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            return scheduler.schedule(task, delay, unit);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("not scheduling session work: broker is stopping");
            return null;
        }
    }

    // ---- subscriptions ----

    /**
     * Add or replace a subscription of {@code s} (a {@code $share/<group>/<filter>} one joins that
     * group); returns whether it existed before (for Retain Handling 1).
     */
    public boolean subscribe(Session s, Subscription sub) {
        Subscription previous = s.putSubscription(sub);
        Optional<SharedFilter> group = SharedFilter.parse(sub.filter());
        if (group.isPresent()) {
            shared.join(group.get(), sub);
        } else {
            tree.subscribe(sub);
        }
        return previous != null;
    }

    public boolean unsubscribe(Session s, String filter) {
        Subscription removed = s.removeSubscription(filter);
        if (removed == null) {
            return false;
        }
        removeFromTree(s.clientId(), filter);
        return true;
    }

    private void removeFromTree(String clientId, String filter) {
        Optional<SharedFilter> group = SharedFilter.parse(filter);
        if (group.isPresent()) {
            shared.leave(group.get(), clientId);
        } else {
            tree.unsubscribe(clientId, filter);
        }
    }

    /** Shared-subscription groups held, for tests and metrics. */
    public int sharedGroupCount() {
        return shared.groupCount();
    }

    /** Queue the retained messages matching a new subscription into {@code s}. */
    public void deliverRetained(Session s, Subscription sub) {
        long now = clock.millis();
        retained.match(sub.filter(), m -> {
            if (!m.expired(now) && sub.permits(m.topic())) {
                int[] ids = sub.subscriptionId() == 0 ? null : new int[] {sub.subscriptionId()};
                if (!s.offer(new Delivery(m, Math.min(m.qos(), sub.qos()), true, ids))) {
                    droppedDeliveries.incrementAndGet();
                }
            }
        });
    }

    // ---- routing ----

    /**
     * Route a message to every matching subscription (one delivery per client, at the highest QoS
     * of its matching subscriptions, carrying all their identifiers) and store it if retained.
     * Returns how many sessions it was queued for.
     */
    public int route(Message m) {
        if (m.retain()) {
            if (!retained.put(m)) {
                log.warn("retained store full ({} topics): not retaining {}", limits.maxRetainedMessages(), m.topic());
            }
        }
        RouteTargets targets = new RouteTargets();
        tree.match(m.topic(), match -> {
            Subscription sub = SharedSubscriptions.isGroup(match) ? pickMember(match, m) : match;
            if (sub == null) {
                return;
            }
            if (sub.noLocal() && sub.clientId().equals(m.publisher())) {
                return;
            }
            if (!sub.permits(m.topic())) {
                return;
            }
            targets.add(sub, m);
        });
        int reached = 0;
        for (int i = 0; i < targets.size(); i++) {
            RouteTargets.Target t = targets.get(i);
            Session s = sessions.get(t.clientId()).orElse(null);
            if (s == null) {
                continue;
            }
            if (s.offer(t.delivery(m))) {
                reached++;
            } else if (!s.ended()) {
                droppedDeliveries.incrementAndGet();
            }
        }
        return reached;
    }

    /** One member of a shared group for {@code m}: preferably a connected one, else any with a session. */
    private Subscription pickMember(Subscription group, Message m) {
        return shared.pick(group,
                sub -> sub.permits(m.topic()) && sessions.get(sub.clientId()).map(x -> x.owner() != null).orElse(false),
                sub -> sub.permits(m.topic()) && sessions.get(sub.clientId()).isPresent());
    }
}

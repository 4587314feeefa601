package dev.gatehouse.broker.core;

import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.session.FlowControlled;
import dev.gatehouse.broker.session.OfflineSessions;
import dev.gatehouse.broker.session.QueuePolicy;
import dev.gatehouse.broker.session.Session;
import dev.gatehouse.broker.session.SessionOwner;
import dev.gatehouse.broker.session.SessionStore;
import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.SessionRecord;
import dev.gatehouse.broker.store.StateStore;
import dev.gatehouse.broker.store.StoredSession;
import dev.gatehouse.broker.store.StoredState;
import dev.gatehouse.broker.topic.Subscription;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions from open to end: create or resume on CONNECT, detach on close, expire, evict beyond
 * {@code maxSessions}, the wills that go with them, and their records in the {@link StateStore}
 * (rebuilt from it at start). It never sees channels.
 */
public final class SessionLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SessionLifecycle.class);

    private final Limits limits;
    private final Clock clock;
    private final SessionStore sessions;
    private final StateStore store;
    private final Router router;
    private final QueuePolicy queuePolicy;
    private final ScheduledExecutorService scheduler;
    private final OfflineSessions offline = new OfflineSessions();
    // Serializes the size check and the insert of new sessions when maxSessions is set.
    private final Object sessionLimit = new Object();

    SessionLifecycle(Limits limits, Clock clock, SessionStore sessions, StateStore store, Router router,
                     QueuePolicy queuePolicy, ScheduledExecutorService scheduler) {
        this.limits = limits;
        this.clock = clock;
        this.sessions = sessions;
        this.store = store;
        this.router = router;
        this.queuePolicy = queuePolicy;
        this.scheduler = scheduler;
    }

    public SessionStore store() {
        return sessions;
    }

    /** Stored sessions with no connection. */
    public int offlineCount() {
        return offline.size();
    }

    /**
     * Attach {@code owner} to the session of {@code clientId}: a fresh one when {@code cleanStart} or
     * none exists (an old one is ended first), else the stored one. {@code present[0]} tells which.
     * Null when a fresh session would pass {@code Limits.maxSessions} and every stored one is connected.
     */
    public Session open(String clientId, boolean cleanStart, SessionOwner owner, boolean[] present) {
        Session existing = sessions.get(clientId).orElse(null);
        if (existing != null && !cleanStart && existing.attach(owner)) {
            offline.remove(existing);
            present[0] = true;
            return existing;
        }
        if (existing != null) {
            end(existing);
        }
        present[0] = false;
        Session s = new Session(clientId, queuePolicy);
        s.attach(owner);
        return store(s) ? s : null;
    }

    /**
     * The connection set the session's expiry: store its record while connected when it is persistent (a
     * crash then keeps it), forget a stored one that will now end with its connection.
     */
    public void attached(Session s, boolean resumed, Changes changes) {
        if (s.persistent()) {
            changes.putSession(s.toRecord(0));
        } else if (resumed) {
            changes.deleteSession(s.clientId());
        }
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
     * {@code owner} leaves {@code s}: publishers it held back go on, and the session ends now if its
     * expiry is 0, else when its expiry passes (its record, with the moment it went offline, is stored).
     */
    public void detach(Session s, SessionOwner owner) {
        s.detach(owner);
        for (FlowControlled p : s.releaseWaiters()) {
            p.resumeReading();
        }
        long expiry = s.expiryIntervalSeconds();
        if (expiry == 0) {
            end(s);
            return;
        }
        commit(new Changes().putSession(s.toRecord(clock.millis())));
        offline.detached(s);
        scheduleExpiry(s, expiry * 1000);
    }

    private void scheduleExpiry(Session s, long delayMillis) {
        if (s.expiryIntervalSeconds() >= Session.NEVER_EXPIRES) {
            return;
        }
        s.expiryTask(schedule(() -> {
            Message will = s.takePendingWill();
            if (s.endIfDetached()) {
                log.debug("session {} expired", s.clientId());
                cleanUp(s, will);
            } else if (will != null) {
                routeAndCommit(will);
            }
        }, Math.max(0, delayMillis), TimeUnit.MILLISECONDS));
    }

    /**
     * End a session: drop its subscriptions, queue and stored state, and publish a will still waiting for
     * its delay (MQTT 5: the will goes out when the delay passes or the session ends, whichever is first).
     */
    public void end(Session s) {
        Message will = s.takePendingWill();
        if (s.end()) {
            cleanUp(s, will);
        } else if (will != null) {
            routeAndCommit(will);
        }
    }

    private void cleanUp(Session s, Message will) {
        offline.remove(s);
        for (FlowControlled p : s.releaseWaiters()) {
            p.resumeReading();
        }
        for (Subscription sub : s.subscriptions()) {
            router.removeFromTree(sub.clientId(), sub.filter());
        }
        sessions.remove(s);
        Changes changes = new Changes().deleteSession(s.clientId());
        if (will != null) {
            router.route(will, changes);
        }
        commit(changes);
    }

    /** Publish {@code will} after {@code delaySeconds} unless the session is resumed first. */
    public void scheduleWill(Session s, Message will, long delaySeconds) {
        scheduleWillAt(s, will, clock.millis() + delaySeconds * 1000);
    }

    private void scheduleWillAt(Session s, Message will, long dueAtMillis) {
        s.pendingWill(will, dueAtMillis, schedule(() -> {
            Message w = s.takePendingWill();
            if (w != null) {
                Changes changes = new Changes();
                router.route(w, changes);
                if (s.persistent() && !s.ended()) {
                    changes.putSession(s.toRecord(clock.millis()));
                }
                commit(changes);
            }
        }, Math.max(0, dueAtMillis - clock.millis()), TimeUnit.MILLISECONDS));
    }

    /**
     * Rebuild the sessions of a store at start: expiry counts real time across the downtime (a session whose
     * expiry passed ends now, its will published), a will whose delay elapsed is published now, queues are
     * cut to {@code maxQueuedMessages}, and beyond {@code maxSessions} the sessions offline longest end.
     */
    public void restore(StoredState state, Changes changes) {
        long now = clock.millis();
        List<StoredSession> stored = new ArrayList<>(state.sessions());
        // Offline longest first, so that the limit keeps the most recent ones.
        stored.sort(Comparator.comparingLong(st -> offlineSince(st.session(), now)));
        List<StoredSession> live = new ArrayList<>();
        int ended = 0;
        for (StoredSession st : stored) {
            SessionRecord r = st.session();
            boolean expiredNow = r.expiryIntervalSeconds() == 0 || (r.expiryIntervalSeconds() < Session.NEVER_EXPIRES
                    && now - offlineSince(r, now) >= r.expiryIntervalSeconds() * 1000);
            if (expiredNow) {
                ended++;
                endStored(r, changes);
            } else {
                live.add(st);
            }
        }
        int max = limits.maxSessions();
        int evict = max > 0 ? Math.max(0, live.size() - max) : 0;
        int kept = 0;
        for (StoredSession st : live) {
            SessionRecord r = st.session();
            long since = offlineSince(r, now);
            if (evict > 0) {
                evict--;
                ended++;
                log.info("session {} ended at start: the store holds more than the limit of {} sessions and this one"
                        + " was offline longest", r.clientId(), max);
                endStored(r, changes);
                continue;
            }
            Session s = Session.restore(st, queuePolicy);
            int trimmed = s.trimQueue(changes);
            if (trimmed > 0) {
                queuePolicy.drops().dropped(s.clientId(), DropReason.QUEUE_FULL, trimmed);
            }
            sessions.put(s);
            for (Subscription sub : s.subscriptions()) {
                router.subscribe(s, sub);
            }
            offline.detached(s);
            if (r.disconnectedAtMillis() == 0) {
                changes.putSession(s.toRecord(since)); // it was connected when the broker stopped
            }
            scheduleExpiry(s, since + r.expiryIntervalSeconds() * 1000 - now);
            if (r.pendingWill() != null) {
                scheduleWillAt(s, r.pendingWill().message(), r.pendingWill().publishAtMillis());
            }
            kept++;
        }
        if (!stored.isEmpty()) {
            log.info("restored {} session(s) from the store; {} ended while the broker was down or beyond the limit",
                    kept, ended);
        }
    }

    private void endStored(SessionRecord r, Changes changes) {
        changes.deleteSession(r.clientId());
        if (r.pendingWill() != null) {
            router.route(r.pendingWill().message(), changes);
        }
    }

    /** When a stored session went offline: its record's instant, or now for one that was connected. */
    private static long offlineSince(SessionRecord r, long now) {
        return r.disconnectedAtMillis() == 0 ? now : r.disconnectedAtMillis();
    }

    private void routeAndCommit(Message will) {
        Changes changes = new Changes();
        router.route(will, changes);
        commit(changes);
    }

    /** Session-level writes are not on a client's hot path: hand them over, and log a failure. */
    void commit(Changes changes) {
        if (changes.isEmpty()) {
            return;
        }
        store.commit(changes).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("could not store session changes: {}", e.getMessage());
            }
        });
    }

    /** Schedules on the I/O threads; null once they are shutting down (the broker is stopping). */
    private ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            return scheduler.schedule(task, delay, unit);
        } catch (RejectedExecutionException e) {
            log.debug("not scheduling session work: broker is stopping");
            return null;
        }
    }
}

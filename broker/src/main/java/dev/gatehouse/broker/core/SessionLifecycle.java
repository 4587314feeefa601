package dev.gatehouse.broker.core;

import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.session.FlowControlled;
import dev.gatehouse.broker.session.OfflineSessions;
import dev.gatehouse.broker.session.QueuePolicy;
import dev.gatehouse.broker.session.Session;
import dev.gatehouse.broker.session.SessionOwner;
import dev.gatehouse.broker.session.SessionStore;
import dev.gatehouse.broker.topic.Subscription;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions from open to end: create or resume on CONNECT, detach on close, expire, evict beyond
 * {@code maxSessions}, and the wills that go with them. It never sees channels.
 */
public final class SessionLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SessionLifecycle.class);

    private final Limits limits;
    private final SessionStore sessions;
    private final Router router;
    private final QueuePolicy queuePolicy;
    private final ScheduledExecutorService scheduler;
    private final OfflineSessions offline = new OfflineSessions();
    // Serializes the size check and the insert of new sessions when maxSessions is set.
    private final Object sessionLimit = new Object();

    SessionLifecycle(Limits limits, SessionStore sessions, Router router, QueuePolicy queuePolicy,
                     ScheduledExecutorService scheduler) {
        this.limits = limits;
        this.sessions = sessions;
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
     * expiry is 0, else when its expiry passes.
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
                router.route(will);
            }
        }, expiry, TimeUnit.SECONDS));
    }

    /**
     * End a session: drop its subscriptions and queue, and publish a will still waiting for its delay
     * (MQTT 5: the will goes out when the delay passes or the session ends, whichever is first).
     */
    public void end(Session s) {
        Message will = s.takePendingWill();
        if (s.end()) {
            cleanUp(s, will);
        } else if (will != null) {
            router.route(will);
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
        if (will != null) {
            router.route(will);
        }
    }

    /** Publish {@code will} after {@code delaySeconds} unless the session is resumed first. */
    public void scheduleWill(Session s, Message will, long delaySeconds) {
        s.pendingWill(will, schedule(() -> {
            Message w = s.takePendingWill();
            if (w != null) {
                router.route(w);
            }
        }, delaySeconds, TimeUnit.SECONDS));
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

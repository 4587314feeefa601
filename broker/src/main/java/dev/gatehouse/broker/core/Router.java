package dev.gatehouse.broker.core;

import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.session.FlowControlled;
import dev.gatehouse.broker.session.OfferResult;
import dev.gatehouse.broker.session.Session;
import dev.gatehouse.broker.session.SessionStore;
import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.topic.RetainedMessages;
import dev.gatehouse.broker.topic.SharedFilter;
import dev.gatehouse.broker.topic.SharedSubscriptions;
import dev.gatehouse.broker.topic.Subscription;
import dev.gatehouse.broker.topic.SubscriptionTree;
import java.util.Optional;

/**
 * Where messages go: the subscription tree, shared groups and retained messages. Routing runs on the
 * publisher's thread and ends in {@link Session#offer}; each subscriber drains on its own connection's
 * thread. It sees neither channels nor how sessions are stored beyond looking them up.
 */
public final class Router {
    private final SessionStore sessions;
    private final SubscriptionTree tree = new SubscriptionTree();
    private final SharedSubscriptions shared = new SharedSubscriptions(tree);
    private final RetainedMessages retained;
    private final DropCounters drops;

    Router(SessionStore sessions, RetainedMessages retained, DropCounters drops) {
        this.sessions = sessions;
        this.retained = retained;
        this.drops = drops;
    }

    public RetainedMessages retained() {
        return retained;
    }

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

    void removeFromTree(String clientId, String filter) {
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

    /**
     * Send the retained messages matching a new subscription to {@code s}: read lazily from the store
     * as the subscriber can take them, so a large store is neither copied nor cut at the queue bound.
     */
    public void deliverRetained(Session s, Subscription sub) {
        s.addRetainedBacklog(retained.cursor(sub.filter()), sub);
    }

    /** Route a message whose writes go into {@code changes}, with no publisher to hold back (wills, the embedding API). */
    public int route(Message m, Changes changes) {
        return route(m, null, changes);
    }

    /**
     * Route a message to every matching subscription (one delivery per client, at the highest QoS
     * of its matching subscriptions, carrying all their identifiers) and store it if retained.
     * When a connected subscriber is falling behind, {@code publisher} (if any) is asked to pause
     * reading until that subscriber catches up. What must be stored (queue entries of persistent sessions,
     * the retained message) goes into {@code changes}, the caller's batch. Returns how many sessions it was
     * queued for.
     */
    public int route(Message m, FlowControlled publisher, Changes changes) {
        if (m.retain()) {
            retain(m, changes);
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
        boolean pause = false;
        for (int i = 0; i < targets.size(); i++) {
            RouteTargets.Target t = targets.get(i);
            Session s = sessions.get(t.clientId()).orElse(null);
            if (s == null) {
                continue;
            }
            OfferResult r = s.offer(t.delivery(m), publisher, changes);
            if (r.queued()) {
                reached++;
            }
            pause |= r == OfferResult.CONGESTED;
        }
        if (pause) {
            publisher.pauseReading();
        }
        return reached;
    }

    private void retain(Message m, Changes changes) {
        if (!retained.put(m)) {
            drops.dropped(DropReason.RETAINED_STORE_FULL, "not retaining " + m.topic());
        } else if (m.payload().length == 0 || m.expired(retained.now())) {
            changes.removeRetained(m.topic());
        } else {
            changes.putRetained(m);
        }
    }

    /**
     * Retained messages from the store at start: the unexpired ones up to the store's bound (the rest are
     * counted and removed from the store through {@code changes}).
     */
    public void restoreRetained(java.util.List<Message> stored, Changes changes) {
        for (Message m : stored) {
            if (m.expired(retained.now())) {
                changes.removeRetained(m.topic());
            } else if (!retained.put(m)) {
                drops.dropped(DropReason.RETAINED_STORE_FULL, "not restoring " + m.topic());
                changes.removeRetained(m.topic());
            }
        }
    }

    /** One member of a shared group for {@code m}: preferably a connected one, else any with a session. */
    private Subscription pickMember(Subscription group, Message m) {
        return shared.pick(group,
                sub -> sub.permits(m.topic()) && sessions.get(sub.clientId()).map(x -> x.owner() != null).orElse(false),
                sub -> sub.permits(m.topic()) && sessions.get(sub.clientId()).isPresent());
    }
}

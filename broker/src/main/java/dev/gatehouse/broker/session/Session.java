package dev.gatehouse.broker.session;

import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.InflightRecord;
import dev.gatehouse.broker.store.QueuedRecord;
import dev.gatehouse.broker.store.SessionRecord;
import dev.gatehouse.broker.store.StoredSession;
import dev.gatehouse.broker.store.SubscriptionRecord;
import dev.gatehouse.broker.store.WillRecord;
import dev.gatehouse.authn.spi.acl.DeliveryFilter;
import dev.gatehouse.broker.topic.Subscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * The state MQTT keeps for a client id across connections: subscriptions, queued messages,
 * retained messages still to send to new subscriptions, outbound messages in flight, and inbound
 * QoS 2 packet ids awaiting PUBREL.
 *
 * <p>Publishers on any thread {@link #offer offer} deliveries; the attached connection
 * {@link #take takes} what it may send on its own event loop and writes it after the lock is
 * released, so no encoder or socket ever runs under this monitor. One monitor guards everything:
 * contention is one publisher against one connection, and every critical section is short.
 */
public final class Session {
    /** MQTT 5 session expiry value meaning "never". */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    private final String clientId;
    private final QueuePolicy policy;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private ArrayDeque<RetainedBacklog> retainedBacklog;
    private final LinkedHashMap<Integer, Inflight> inflight = new LinkedHashMap<>();
    private final Set<Integer> inboundQos2 = new HashSet<>();
    private List<FlowControlled> waiters;
    private long congestedSince;
    private boolean overflowing;
    private int nextPacketId = 1;
    private long nextSeq = 1;
    private int awaitingResend;
    private SessionOwner owner;
    private long expiryIntervalSeconds;
    private ScheduledFuture<?> expiryTask;
    private ScheduledFuture<?> willTask;
    private Message pendingWill;
    private long pendingWillAt;
    private long dropped;
    private boolean ended;

    public Session(String clientId, int maxQueued) {
        this(clientId, QueuePolicy.of(maxQueued));
    }

    public Session(String clientId, QueuePolicy policy) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public String clientId() {
        return clientId;
    }

    /** A queued delivery and its key in the state store (0: not stored: QoS 0, or the session expires with its connection). */
    private record Queued(Delivery delivery, long seq) {
    }

    /** Queue a delivery that is not stored, with no publisher to hold back (tests and tools). */
    public boolean offer(Delivery d) {
        return offer(d, null, null).queued();
    }

    /**
     * Queue a delivery. A full queue refuses it (counted): a slow or absent subscriber never grows
     * the heap beyond its bound. {@link OfferResult#CONGESTED} means {@code publisher} was recorded
     * and must pause; the session calls {@link FlowControlled#resumeReading()} once it has drained.
     */
    public OfferResult offer(Delivery d, FlowControlled publisher, Changes changes) {
        SessionOwner wake;
        OfferResult result;
        long seq = 0;
        synchronized (this) {
            if (ended) {
                return OfferResult.ENDED;
            }
            if (queue.size() >= policy.maxQueued()) {
                dropped++;
                result = OfferResult.DROPPED;
                wake = null;
            } else {
                if (changes != null && d.qos() > 0 && expiryIntervalSeconds > 0) {
                    seq = nextSeq++;
                }
                queue.add(new Queued(d, seq));
                wake = owner;
                result = wake != null && d.qos() > 0 && queue.size() >= policy.pauseAt()
                        ? congested(publisher) : OfferResult.QUEUED;
            }
        }
        if (result == OfferResult.DROPPED) {
            policy.drops().dropped(clientId, d.qos() == 0 ? DropReason.QOS0_SLOW_CONSUMER : DropReason.QUEUE_FULL, 1);
            return result;
        }
        if (seq > 0) {
            // The caller's batch, on the caller's thread: written (and at sync = batch, synced) before its ack.
            changes.enqueue(clientId, new QueuedRecord(seq, d.message(), d.qos(), d.retain(), d.subscriptionIds()));
        }
        if (wake != null) {
            wake.wake();
        }
        return result;
    }

    /** Holding the lock: whether {@code publisher} should pause for this session, and remember it if so. */
    private OfferResult congested(FlowControlled publisher) {
        long now = policy.ticker().getAsLong();
        if (congestedSince == 0) {
            congestedSince = now | 1; // never 0 while congested
        } else if (!overflowing && now - congestedSince > policy.congestionTimeoutNanos()) {
            overflowing = true; // stuck, not slow: stop holding publishers back
        }
        if (overflowing || publisher == null) {
            return OfferResult.QUEUED;
        }
        if (waiters == null) {
            waiters = new ArrayList<>(2);
        }
        if (!waiters.contains(publisher)) {
            waiters.add(publisher);
        }
        return OfferResult.CONGESTED;
    }

    /** Start sending the retained messages of a new subscription, paced by {@link #take}. */
    public void addRetainedBacklog(Iterator<Message> messages, Subscription subscription) {
        SessionOwner wake;
        synchronized (this) {
            if (ended) {
                return;
            }
            if (retainedBacklog == null) {
                retainedBacklog = new ArrayDeque<>(1);
            }
            retainedBacklog.add(new RetainedBacklog(messages, subscription));
            wake = owner;
        }
        if (wake != null) {
            wake.wake();
        }
    }

    /**
     * Takes, within the in-flight {@code window} and about {@code byteBudget} bytes, what the
     * connection should write now, in order: in-flight messages awaiting redelivery (DUP, same packet
     * id), retained messages of new subscriptions, then queued deliveries. Deliveries larger than
     * {@code maxPacketSize} are dropped (MQTT 5: treated as delivered) and expired ones skipped, both
     * counted. Publishers held back by this session that may go on are moved to {@code resumed}.
     *
     * @return how many PUBLISHes were added to {@code out}
     */
    public int take(int window, long nowMillis, long byteBudget, long maxPacketSize, List<Outgoing> out,
                    List<FlowControlled> resumed, Changes changes) {
        int sent = 0;
        long budget = byteBudget;
        int expired = 0;
        int tooLarge = 0;
        synchronized (this) {
            if (awaitingResend > 0) {
                for (Inflight f : inflight.values()) {
                    if (awaitingResend == 0 || inflight.size() - awaitingResend >= window || budget <= 0) {
                        break;
                    }
                    if (f.awaitingResend()) {
                        f.awaitingResend(false);
                        awaitingResend--;
                        out.add(new Outgoing(f.delivery(), f.packetId(), true));
                        budget -= f.delivery().encodedSizeBound();
                        sent++;
                    }
                }
                if (awaitingResend > 0) {
                    return sent;
                }
            }
            while (budget > 0) {
                boolean fromBacklog = retainedBacklog != null;
                Queued head = fromBacklog ? null : queue.peek();
                Delivery d = fromBacklog ? peekBacklog(nowMillis) : head == null ? null : head.delivery();
                long seq = head == null ? 0 : head.seq();
                if (d == null) {
                    if (fromBacklog) {
                        continue; // that backlog ended; look at the next one or the queue
                    }
                    break;
                }
                if (!fromBacklog && d.message().expired(nowMillis)) {
                    queue.poll();
                    unstore(seq, changes);
                    expired++;
                    continue;
                }
                long size = d.encodedSizeBound();
                if (size > maxPacketSize) {
                    consume(fromBacklog);
                    unstore(seq, changes);
                    tooLarge++;
                    continue;
                }
                if (d.qos() > 0 && inflight.size() >= window) {
                    break;
                }
                consume(fromBacklog);
                int id = 0;
                if (d.qos() > 0) {
                    id = allocatePacketId();
                    inflight.put(id, new Inflight(id, d, seq));
                    if (seq > 0 && d.qos() == 2 && changes != null) {
                        // Exactly once across a restart needs the packet id a QoS 2 message went out with.
                        changes.putInflight(clientId, new InflightRecord(id, seq, false));
                    }
                }
                out.add(new Outgoing(d, id, false));
                budget -= size;
                sent++;
            }
            if (congestedSince != 0 && queue.size() <= policy.resumeAt()) {
                congestedSince = 0;
                overflowing = false;
                moveWaiters(resumed);
            }
        }
        reportDrops(expired, tooLarge);
        return sent;
    }

    /** Holding the lock: the head of the first retained backlog, dropping backlogs that are done. */
    private Delivery peekBacklog(long nowMillis) {
        RetainedBacklog b = retainedBacklog.peek();
        Delivery d = b.peek(nowMillis);
        if (d == null) {
            retainedBacklog.poll();
            if (retainedBacklog.isEmpty()) {
                retainedBacklog = null;
            }
        }
        return d;
    }

    private void unstore(long seq, Changes changes) {
        if (seq > 0 && changes != null) {
            changes.dequeue(clientId, seq);
        }
    }

    private void consume(boolean fromBacklog) {
        if (fromBacklog) {
            retainedBacklog.peek().poll();
        } else {
            queue.poll();
        }
    }

    private void reportDrops(int expired, int tooLarge) {
        if (expired > 0) {
            policy.drops().dropped(clientId, DropReason.EXPIRED, expired);
        }
        if (tooLarge > 0) {
            policy.drops().dropped(clientId, DropReason.TOO_LARGE_FOR_CLIENT, tooLarge);
        }
    }

    private void moveWaiters(List<FlowControlled> resumed) {
        if (waiters != null) {
            resumed.addAll(waiters);
            waiters = null;
        }
    }

    /**
     * Publishers held back by this session, released because it has no connection any more (an
     * offline session never holds publishers back) or ended.
     */
    public synchronized List<FlowControlled> releaseWaiters() {
        List<FlowControlled> out = new ArrayList<>(0);
        congestedSince = 0;
        overflowing = false;
        moveWaiters(out);
        return out;
    }

    /**
     * A connection resumed this session: every unreleased in-flight message must go out again (served
     * by {@link #take} within the new window). Returns the packet ids whose PUBREL must be re-sent.
     */
    public synchronized List<Integer> resume() {
        List<Integer> releases = new ArrayList<>();
        awaitingResend = 0;
        for (Inflight f : inflight.values()) {
            if (f.released()) {
                releases.add(f.packetId());
            } else {
                f.awaitingResend(true);
                awaitingResend++;
            }
        }
        return releases;
    }

    private int allocatePacketId() {
        for (int tries = 0; tries < 65535; tries++) {
            int id = nextPacketId;
            nextPacketId = nextPacketId == 65535 ? 1 : nextPacketId + 1;
            if (!inflight.containsKey(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free packet id");
    }

    /** Outbound messages in flight, in send order, for redelivery when a connection resumes the session. */
    public synchronized List<Inflight> inflight() {
        return new ArrayList<>(inflight.values());
    }

    public synchronized int inflightCount() {
        return inflight.size();
    }

    public synchronized int queuedCount() {
        return queue.size();
    }

    /** Whether what it holds is kept in the state store: its connection may end without ending it. */
    public synchronized boolean persistent() {
        return expiryIntervalSeconds > 0;
    }

    /** Deliveries refused because the queue was full. */
    public synchronized long droppedCount() {
        return dropped;
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is done. Null for an unknown packet id. */
    public synchronized Inflight complete(int packetId, Changes changes) {
        Inflight f = inflight.remove(packetId);
        if (f != null) {
            if (f.awaitingResend()) {
                awaitingResend--;
            }
            unstore(f.seq(), changes);
        }
        return f;
    }

    /** PUBREC: the client has the QoS 2 message; PUBREL is outstanding. False for an unknown packet id. */
    public synchronized boolean received(int packetId, Changes changes) {
        Inflight f = inflight.get(packetId);
        if (f == null || f.delivery().qos() != 2) {
            return false;
        }
        f.release();
        if (f.seq() > 0 && changes != null) {
            changes.putInflight(clientId, new InflightRecord(packetId, f.seq(), true));
        }
        return true;
    }

    /** Records an inbound QoS 2 packet id; false when it is already awaiting PUBREL (a duplicate). */
    public synchronized boolean beginInboundQos2(int packetId, Changes changes) {
        boolean added = inboundQos2.add(packetId);
        if (added && expiryIntervalSeconds > 0 && changes != null) {
            changes.addInboundQos2(clientId, packetId);
        }
        return added;
    }

    /** PUBREL from the client; false when the packet id was not awaiting one. */
    public synchronized boolean endInboundQos2(int packetId, Changes changes) {
        boolean removed = inboundQos2.remove(packetId);
        if (removed && expiryIntervalSeconds > 0 && changes != null) {
            changes.removeInboundQos2(clientId, packetId);
        }
        return removed;
    }

    public synchronized int inboundQos2Count() {
        return inboundQos2.size();
    }

    public synchronized Subscription putSubscription(Subscription s) {
        return subscriptions.put(s.filter(), s);
    }

    public synchronized Subscription removeSubscription(String filter) {
        return subscriptions.remove(filter);
    }

    public synchronized int subscriptionCount() {
        return subscriptions.size();
    }

    public synchronized boolean hasSubscription(String filter) {
        return subscriptions.containsKey(filter);
    }

    public synchronized List<Subscription> subscriptions() {
        return new ArrayList<>(subscriptions.values());
    }

    /**
     * Attach a live connection; cancels a pending expiry and discards a will still waiting for its
     * delay. False when the session has ended (an expiry won the race): the caller starts a new one.
     */
    public synchronized boolean attach(SessionOwner o) {
        if (ended) {
            return false;
        }
        owner = o;
        cancel(expiryTask);
        expiryTask = null;
        cancel(willTask);
        willTask = null;
        pendingWill = null;
        return true;
    }

    /** Detach {@code o} if it is still the owner. */
    public synchronized boolean detach(SessionOwner o) {
        if (owner != o) {
            return false;
        }
        owner = null;
        return true;
    }

    public synchronized SessionOwner owner() {
        return owner;
    }

    public synchronized long expiryIntervalSeconds() {
        return expiryIntervalSeconds;
    }

    public synchronized void expiryIntervalSeconds(long seconds) {
        this.expiryIntervalSeconds = seconds;
    }

    public synchronized void expiryTask(ScheduledFuture<?> task) {
        cancel(expiryTask);
        expiryTask = task;
    }

    /**
     * A will waiting for its delay, due at {@code dueAtMillis}; {@code task} publishes it unless a connection
     * resumes the session first.
     */
    public synchronized void pendingWill(Message will, long dueAtMillis, ScheduledFuture<?> task) {
        cancel(willTask);
        pendingWill = will;
        pendingWillAt = dueAtMillis;
        willTask = task;
    }

    /** Takes the pending will (cancelling its timer), to publish it now; null when there is none. */
    public synchronized Message takePendingWill() {
        cancel(willTask);
        willTask = null;
        Message w = pendingWill;
        pendingWill = null;
        return w;
    }

    /**
     * Marks the session ended: further offers are refused and queued state is released. Returns false
     * if it had already ended, so that two racing ends (expiry timer, clean start) act once.
     */
    public synchronized boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        queue.clear();
        retainedBacklog = null;
        inflight.clear();
        awaitingResend = 0;
        inboundQos2.clear();
        cancel(expiryTask);
        expiryTask = null;
        return true;
    }

    /** Ends the session only if no connection is attached (the expiry timer's check and act, atomically). */
    public synchronized boolean endIfDetached() {
        return owner == null && end();
    }

    public synchronized boolean ended() {
        return ended;
    }

    /**
     * The record to store for this session: its expiry, subscriptions and pending will, disconnected at
     * {@code disconnectedAtMillis} (0 while a connection is attached).
     */
    public synchronized SessionRecord toRecord(long disconnectedAtMillis) {
        List<SubscriptionRecord> subs = new ArrayList<>(subscriptions.size());
        for (Subscription s : subscriptions.values()) {
            subs.add(new SubscriptionRecord(s.filter(), s.qos(), s.noLocal(), s.retainAsPublished(), s.retainHandling(),
                    s.subscriptionId(), s.deliveryFilter() == null ? List.of() : s.deliveryFilter().deniedFilters()));
        }
        WillRecord will = pendingWill == null ? null : new WillRecord(pendingWill, pendingWillAt);
        return new SessionRecord(clientId, expiryIntervalSeconds, disconnectedAtMillis, subs, will);
    }

    /**
     * A session rebuilt from the store at start, detached: its subscriptions, its queue in order (the QoS 2
     * messages that were in flight keep their packet ids and phase, and go out again when a connection resumes
     * it), and the inbound QoS 2 ids awaiting PUBREL. Returns the subscriptions to put back in the tree.
     */
    public static Session restore(StoredSession stored, QueuePolicy policy) {
        SessionRecord r = stored.session();
        Session s = new Session(r.clientId(), policy);
        s.expiryIntervalSeconds = r.expiryIntervalSeconds();
        for (SubscriptionRecord sr : r.subscriptions()) {
            DeliveryFilter filter = sr.deniedFilters().isEmpty() ? null : DeliveryFilter.denying(sr.deniedFilters());
            s.subscriptions.put(sr.filter(), new Subscription(r.clientId(), sr.filter(), sr.qos(), sr.noLocal(),
                    sr.retainAsPublished(), sr.retainHandling(), sr.subscriptionId(), filter));
        }
        Map<Long, InflightRecord> inflightBySeq = new java.util.HashMap<>();
        for (InflightRecord f : stored.inflight()) {
            inflightBySeq.put(f.seq(), f);
        }
        for (QueuedRecord q : stored.queued()) {
            Delivery d = new Delivery(q.message(), q.qos(), q.retain(), q.subscriptionIds());
            InflightRecord f = inflightBySeq.get(q.seq());
            if (f != null) {
                Inflight live = new Inflight(f.packetId(), d, q.seq());
                if (f.released()) {
                    live.release();
                }
                s.inflight.put(f.packetId(), live);
            } else {
                s.queue.add(new Queued(d, q.seq()));
            }
            s.nextSeq = Math.max(s.nextSeq, q.seq() + 1);
        }
        s.inboundQos2.addAll(stored.inboundQos2());
        return s;
    }

    /**
     * Drops the oldest queued messages beyond the queue bound (a store written under a larger bound);
     * returns how many, each removed from the store through {@code changes}.
     */
    public synchronized int trimQueue(Changes changes) {
        int n = 0;
        while (queue.size() > policy.maxQueued()) {
            Queued q = queue.poll();
            unstore(q.seq(), changes);
            n++;
        }
        if (n > 0) {
            dropped += n;
        }
        return n;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}

package dev.gatehouse.broker.session;

import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.message.Message;
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
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    private ArrayDeque<RetainedBacklog> retainedBacklog;
    private final LinkedHashMap<Integer, Inflight> inflight = new LinkedHashMap<>();
    private final Set<Integer> inboundQos2 = new HashSet<>();
    private List<FlowControlled> waiters;
    private long congestedSince;
    private boolean overflowing;
    private int nextPacketId = 1;
    private int awaitingResend;
    private SessionOwner owner;
    private long expiryIntervalSeconds;
    private ScheduledFuture<?> expiryTask;
    private ScheduledFuture<?> willTask;
    private Message pendingWill;
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

    /** Queue a delivery with no publisher to hold back (retained, wills, the embedding API). */
    public boolean offer(Delivery d) {
        return offer(d, null).queued();
    }

    /**
     * Queue a delivery. A full queue refuses it (counted): a slow or absent subscriber never grows
     * the heap beyond its bound. {@link OfferResult#CONGESTED} means {@code publisher} was recorded
     * and must pause; the session calls {@link FlowControlled#resumeReading()} once it has drained.
     */
    public OfferResult offer(Delivery d, FlowControlled publisher) {
        SessionOwner wake;
        OfferResult result;
        synchronized (this) {
            if (ended) {
                return OfferResult.ENDED;
            }
            if (queue.size() >= policy.maxQueued()) {
                dropped++;
                result = OfferResult.DROPPED;
                wake = null;
            } else {
                queue.add(d);
                wake = owner;
                result = wake != null && d.qos() > 0 && queue.size() >= policy.pauseAt()
                        ? congested(publisher) : OfferResult.QUEUED;
            }
        }
        if (result == OfferResult.DROPPED) {
            policy.drops().dropped(clientId, d.qos() == 0 ? DropReason.QOS0_SLOW_CONSUMER : DropReason.QUEUE_FULL, 1);
        } else if (wake != null) {
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
                    List<FlowControlled> resumed) {
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
                Delivery d = fromBacklog ? peekBacklog(nowMillis) : queue.peek();
                if (d == null) {
                    if (fromBacklog) {
                        continue; // that backlog ended; look at the next one or the queue
                    }
                    break;
                }
                if (!fromBacklog && d.message().expired(nowMillis)) {
                    queue.poll();
                    expired++;
                    continue;
                }
                long size = d.encodedSizeBound();
                if (size > maxPacketSize) {
                    consume(fromBacklog);
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
                    inflight.put(id, new Inflight(id, d));
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

    /** Deliveries refused because the queue was full. */
    public synchronized long droppedCount() {
        return dropped;
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is done. Null for an unknown packet id. */
    public synchronized Inflight complete(int packetId) {
        Inflight f = inflight.remove(packetId);
        if (f != null && f.awaitingResend()) {
            awaitingResend--;
        }
        return f;
    }

    /** PUBREC: the client has the QoS 2 message; PUBREL is outstanding. False for an unknown packet id. */
    public synchronized boolean received(int packetId) {
        Inflight f = inflight.get(packetId);
        if (f == null || f.delivery().qos() != 2) {
            return false;
        }
        f.release();
        return true;
    }

    /** Records an inbound QoS 2 packet id; false when it is already awaiting PUBREL (a duplicate). */
    public synchronized boolean beginInboundQos2(int packetId) {
        return inboundQos2.add(packetId);
    }

    /** PUBREL from the client; false when the packet id was not awaiting one. */
    public synchronized boolean endInboundQos2(int packetId) {
        return inboundQos2.remove(packetId);
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

    /** A will waiting for its delay; {@code task} publishes it unless a connection resumes the session first. */
    public synchronized void pendingWill(Message will, ScheduledFuture<?> task) {
        cancel(willTask);
        pendingWill = will;
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

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}

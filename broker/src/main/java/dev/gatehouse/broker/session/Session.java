package dev.gatehouse.broker.session;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.topic.Subscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * The state MQTT keeps for a client id across connections: subscriptions, queued messages,
 * outbound messages in flight, and inbound QoS 2 packet ids awaiting PUBREL.
 *
 * <p>Publishers on any thread {@link #offer(Delivery) offer} deliveries; the attached connection
 * drains them on its own event loop. One monitor guards everything: contention is one publisher
 * against one connection, and every critical section is short.
 */
public final class Session {
    /** MQTT 5 session expiry value meaning "never". */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    private final String clientId;
    private final int maxQueued;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    private final LinkedHashMap<Integer, Inflight> inflight = new LinkedHashMap<>();
    private final Set<Integer> inboundQos2 = new HashSet<>();
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
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be positive");
        }
        this.maxQueued = maxQueued;
    }

    public String clientId() {
        return clientId;
    }

    /**
     * Queue a delivery. Returns false (and counts it) when the queue is full or the session ended:
     * a slow or absent subscriber never grows the heap beyond its bound.
     */
    public boolean offer(Delivery d) {
        SessionOwner wake;
        synchronized (this) {
            if (ended) {
                return false;
            }
            if (queue.size() >= maxQueued) {
                dropped++;
                return false;
            }
            queue.add(d);
            wake = owner;
        }
        if (wake != null) {
            wake.wake();
        }
        return true;
    }

    /**
     * Sends, while {@link Sender#writable()} and the in-flight window allow, first the in-flight
     * messages awaiting redelivery (DUP, same packet id), then queued deliveries in order.
     */
    public synchronized int drain(int window, long nowMillis, Sender sender) {
        int sent = 0;
        if (awaitingResend > 0) {
            for (Inflight f : inflight.values()) {
                if (awaitingResend == 0 || inflight.size() - awaitingResend >= window || !sender.writable()) {
                    break;
                }
                if (f.awaitingResend()) {
                    f.awaitingResend(false);
                    awaitingResend--;
                    sender.send(f.delivery(), f.packetId(), true);
                    sent++;
                }
            }
            if (awaitingResend > 0) {
                return sent;
            }
        }
        while (!queue.isEmpty() && sender.writable()) {
            Delivery d = queue.peek();
            if (d.message().expired(nowMillis)) {
                queue.poll();
                continue;
            }
            if (d.qos() == 0) {
                queue.poll();
                sender.send(d, 0, false);
                sent++;
                continue;
            }
            if (inflight.size() >= window) {
                break;
            }
            queue.poll();
            int id = allocatePacketId();
            inflight.put(id, new Inflight(id, d));
            if (!sender.send(d, id, false)) {
                // Too big for this client: the spec says to treat it as delivered.
                inflight.remove(id);
            }
            sent++;
        }
        return sent;
    }

    /**
     * A connection resumed this session: every unreleased in-flight message must go out again (served
     * by {@link #drain} within the new window). Returns the packet ids whose PUBREL must be re-sent.
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

    /** Writes deliveries for {@link #drain}. */
    public interface Sender {
        /** Whether the connection can take another packet now. */
        boolean writable();

        /**
         * Send {@code d} with {@code packetId} (0 for QoS 0), {@code dup} for a redelivery; false when
         * it was dropped as too large for the client.
         */
        boolean send(Delivery d, int packetId, boolean dup);
    }
}

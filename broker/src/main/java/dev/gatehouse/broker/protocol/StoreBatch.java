package dev.gatehouse.broker.protocol;

import dev.gatehouse.broker.store.Changes;
import dev.gatehouse.broker.store.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one connection's unit of work (a read batch, or one task outside a read) must store, and the
 * acknowledgements that must wait for it. A PUBACK/PUBREC for a message that was queued for a persistent
 * session leaves only once the store says it is durable; one commit (one write, one fsync at
 * {@code sync = batch}) serves the whole read batch, so the cost is per batch, not per message. Acks keep
 * the order of their PUBLISHes (MQTT 5 §4.6): once one waits, the ones after it wait too. A store that
 * answers at once (in memory) changes nothing about when acks go out. Event loop only.
 */
final class StoreBatch {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    /** Commits of one connection the store may hold at once before the connection stops being read. */
    static final int MAX_COMMITS_IN_FLIGHT = 8;

    private final ConnectionContext c;
    private final StateStore store;
    private final Changes changes = new Changes();
    private List<Object> held = new ArrayList<>(0);
    private int commitsInFlight;
    private List<Object> lastCommitAcks;

    StoreBatch(ConnectionContext c, StateStore store) {
        this.c = c;
        this.store = store;
    }

    /** The batch the current unit of work writes into. */
    Changes changes() {
        return changes;
    }

    /** An acknowledgement: written now unless something before it waits for the store. */
    void ack(Object packet) {
        if (changes.isEmpty() && commitsInFlight == 0) {
            c.reply(packet);
        } else {
            held.add(packet);
        }
    }

    /** The unit of work ended: hand its changes to the store; its acks follow once they are durable. */
    void commit() {
        if (changes.isEmpty()) {
            if (!held.isEmpty()) {
                // Nothing of ours to store, but an earlier commit is still on its way: go after it.
                lastCommitAcks.addAll(held);
                held = new ArrayList<>(0);
            }
            return;
        }
        List<Object> acks = held;
        held = new ArrayList<>(0);
        CompletableFuture<Void> f = store.commit(changes.drain());
        if (commitsInFlight == 0 && f.isDone() && !f.isCompletedExceptionally()) {
            write(acks);
            return;
        }
        commitsInFlight++;
        if (commitsInFlight >= MAX_COMMITS_IN_FLIGHT) {
            // A slow disk must not let held acks pile up: the client waits (TCP) until the store catches up.
            c.readGate.hold(ReadGate.STORE);
        }
        lastCommitAcks = acks;
        f.whenComplete((v, e) -> c.channel.eventLoop().execute(() -> {
            commitsInFlight--;
            if (commitsInFlight < MAX_COMMITS_IN_FLIGHT) {
                c.readGate.release(ReadGate.STORE);
            }
            if (e != null) {
                failed(e);
            } else {
                write(acks);
                c.commitSoon(); // flushes, and commits what arrived meanwhile outside a read
            }
        }));
    }

    private void write(List<Object> acks) {
        if (!c.channel.isActive()) {
            acks.forEach(io.netty.util.ReferenceCountUtil::release);
            return;
        }
        for (Object ack : acks) {
            c.ctx.write(ack);
        }
        if (!acks.isEmpty()) {
            c.flushPending();
        }
    }

    /**
     * The store could not take the batch: what it held was never acknowledged, so the client still owns it.
     * Close without the acks; the client sends it again when it reconnects.
     */
    private void failed(Throwable e) {
        log.warn("closing {} ({}): could not store its messages: {}", c.clientId, c.remote(), e.getMessage());
        c.close("store failure");
    }
}

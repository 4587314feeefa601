package dev.gatehouse.broker.store;

import dev.gatehouse.broker.message.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * The writes of one unit of work (typically one read batch of one connection), committed together:
 * one write and, at {@code sync = batch}, one fsync for all of them. Not thread-safe: it is filled on
 * one thread and then handed to {@link StateStore#commit}.
 */
public final class Changes {
    private final List<Change> changes = new ArrayList<>();

    public Changes putSession(SessionRecord s) {
        changes.add(new Change.PutSession(s));
        return this;
    }

    public Changes deleteSession(String clientId) {
        changes.add(new Change.DeleteSession(clientId));
        return this;
    }

    public Changes enqueue(String clientId, QueuedRecord m) {
        changes.add(new Change.Enqueue(clientId, m));
        return this;
    }

    public Changes dequeue(String clientId, long seq) {
        changes.add(new Change.Dequeue(clientId, seq));
        return this;
    }

    public Changes putInflight(String clientId, InflightRecord f) {
        changes.add(new Change.PutInflight(clientId, f));
        return this;
    }

    public Changes addInboundQos2(String clientId, int packetId) {
        changes.add(new Change.AddInboundQos2(clientId, packetId));
        return this;
    }

    public Changes removeInboundQos2(String clientId, int packetId) {
        changes.add(new Change.RemoveInboundQos2(clientId, packetId));
        return this;
    }

    public Changes putRetained(Message m) {
        changes.add(new Change.PutRetained(m));
        return this;
    }

    public Changes removeRetained(String topic) {
        changes.add(new Change.RemoveRetained(topic));
        return this;
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public int size() {
        return changes.size();
    }

    /** The changes in the order they were made. */
    public List<Change> list() {
        return changes;
    }

    /** Hands the changes over and starts empty again (for a batch object reused per read). */
    public Changes drain() {
        Changes out = new Changes();
        out.changes.addAll(changes);
        changes.clear();
        return out;
    }
}

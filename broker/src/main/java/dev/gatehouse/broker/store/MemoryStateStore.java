package dev.gatehouse.broker.store;

import dev.gatehouse.broker.message.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * State on the heap: the embedding default. It keeps the records a durable store would, so the broker
 * has one code path, and it can be handed to a second broker in the same JVM to test a restart; nothing
 * survives the process.
 */
public final class MemoryStateStore implements StateStore {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Map<String, SessionRecord> sessions = new HashMap<>();
    private final Map<String, TreeMap<Long, QueuedRecord>> queues = new HashMap<>();
    private final Map<String, TreeMap<Integer, InflightRecord>> inflight = new HashMap<>();
    private final Map<String, Set<Integer>> inboundQos2 = new HashMap<>();
    private final Map<String, Message> retained = new HashMap<>();

    @Override
    public synchronized StoredState load() {
        List<StoredSession> out = new ArrayList<>();
        for (SessionRecord s : sessions.values()) {
            String id = s.clientId();
            out.add(new StoredSession(s,
                    new ArrayList<>(queues.getOrDefault(id, new TreeMap<>()).values()),
                    new ArrayList<>(inflight.getOrDefault(id, new TreeMap<>()).values()),
                    inboundQos2.getOrDefault(id, Set.of())));
        }
        return new StoredState(out, new ArrayList<>(retained.values()));
    }

    @Override
    public synchronized CompletableFuture<Void> commit(Changes changes) {
        for (Change c : changes.list()) {
            apply(c);
        }
        return DONE;
    }

    private void apply(Change c) {
        if (c instanceof Change.PutSession p) {
            sessions.put(p.session().clientId(), p.session());
        } else if (c instanceof Change.DeleteSession d) {
            sessions.remove(d.clientId());
            queues.remove(d.clientId());
            inflight.remove(d.clientId());
            inboundQos2.remove(d.clientId());
        } else if (c instanceof Change.Enqueue e) {
            queues.computeIfAbsent(e.clientId(), k -> new TreeMap<>()).put(e.message().seq(), e.message());
        } else if (c instanceof Change.Dequeue d) {
            TreeMap<Long, QueuedRecord> q = queues.get(d.clientId());
            if (q != null && q.remove(d.seq()) != null && q.isEmpty()) {
                queues.remove(d.clientId());
            }
            TreeMap<Integer, InflightRecord> f = inflight.get(d.clientId());
            if (f != null) {
                f.values().removeIf(r -> r.seq() == d.seq());
                if (f.isEmpty()) {
                    inflight.remove(d.clientId());
                }
            }
        } else if (c instanceof Change.PutInflight p) {
            inflight.computeIfAbsent(p.clientId(), k -> new TreeMap<>()).put(p.inflight().packetId(), p.inflight());
        } else if (c instanceof Change.AddInboundQos2 a) {
            inboundQos2.computeIfAbsent(a.clientId(), k -> new HashSet<>()).add(a.packetId());
        } else if (c instanceof Change.RemoveInboundQos2 r) {
            Set<Integer> s = inboundQos2.get(r.clientId());
            if (s != null && s.remove(r.packetId()) && s.isEmpty()) {
                inboundQos2.remove(r.clientId());
            }
        } else if (c instanceof Change.PutRetained p) {
            retained.put(p.message().topic(), p.message());
        } else if (c instanceof Change.RemoveRetained r) {
            retained.remove(r.topic());
        }
    }

    @Override
    public void close() {
    }
}

package dev.gatehouse.store.rocksdb;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.store.InflightRecord;
import dev.gatehouse.broker.store.QueuedRecord;
import dev.gatehouse.broker.store.SessionRecord;
import dev.gatehouse.broker.store.StoredSession;
import dev.gatehouse.broker.store.StoredState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Reads the whole store in one pass in key order: sessions first (kind 1), then queues, in-flight and
 * inbound QoS 2 ids (kinds 2–4, each grouped by client and in order), then retained messages. Records of
 * a client without a session record (none are written that way) are skipped.
 */
final class StateLoader {
    /** A session being assembled. */
    private static final class Parts {
        final SessionRecord session;
        final List<QueuedRecord> queued = new ArrayList<>();
        final List<InflightRecord> inflight = new ArrayList<>();
        final Set<Integer> qos2 = new HashSet<>();

        Parts(SessionRecord session) {
            this.session = session;
        }
    }

    private final Map<String, Parts> sessions = new LinkedHashMap<>();
    private final List<Message> retained = new ArrayList<>();
    private byte[] lastKey;
    private Parts last;

    private StateLoader() {
    }

    static StoredState load(RocksDB db, Path dir) {
        StateLoader l = new StateLoader();
        try (ReadOptions ro = new ReadOptions().setFillCache(false).setReadaheadSize(4 << 20);
             RocksIterator it = db.newIterator(ro)) {
            for (it.seek(Keys.kindStart(Keys.SESSION)); it.isValid(); it.next()) {
                byte[] k = it.key();
                try {
                    l.add(k, it.value());
                } catch (RuntimeException e) {
                    throw StoreDirectory.refuse(dir, "the record " + describe(k) + " cannot be read: " + e.getMessage(), e);
                }
            }
        }
        List<StoredSession> out = new ArrayList<>(l.sessions.size());
        for (Parts p : l.sessions.values()) {
            out.add(new StoredSession(p.session, p.queued, p.inflight, p.qos2));
        }
        return new StoredState(out, l.retained);
    }

    private void add(byte[] k, byte[] v) {
        switch (Keys.kind(k)) {
            case Keys.SESSION -> {
                String id = Keys.clientId(k);
                sessions.put(id, new Parts(RecordCodec.readSession(id, v)));
            }
            case Keys.QUEUED -> {
                Parts p = owner(k);
                if (p != null) {
                    p.queued.add(RecordCodec.readQueued(Keys.seq(k), v));
                }
            }
            case Keys.INFLIGHT -> {
                Parts p = owner(k);
                if (p != null) {
                    p.inflight.add(RecordCodec.readInflight(Keys.packetId(k), v));
                }
            }
            case Keys.INBOUND_QOS2 -> {
                Parts p = owner(k);
                if (p != null) {
                    RecordCodec.readInboundQos2(v);
                    p.qos2.add(Keys.packetId(k));
                }
            }
            case Keys.RETAINED -> retained.add(RecordCodec.readRetained(v));
            default -> throw new IllegalStateException("unknown record kind " + Keys.kind(k));
        }
    }

    /** The session of a per-client key; consecutive keys mostly share it, so decode its id once. */
    private Parts owner(byte[] k) {
        if (lastKey == null || lastKey[0] != k[0] || !Keys.sameClient(lastKey, k)) {
            lastKey = k;
            last = sessions.get(Keys.clientId(k));
        }
        return last;
    }

    private static String describe(byte[] k) {
        return switch (Keys.kind(k)) {
            case Keys.SESSION -> "session " + Keys.clientId(k);
            case Keys.QUEUED -> "queued " + Keys.clientId(k) + "#" + Keys.seq(k);
            case Keys.INFLIGHT -> "in-flight " + Keys.clientId(k) + "#" + Keys.packetId(k);
            case Keys.INBOUND_QOS2 -> "inbound-qos2 " + Keys.clientId(k) + "#" + Keys.packetId(k);
            case Keys.RETAINED -> "retained " + Keys.topic(k);
            default -> "of kind " + Keys.kind(k);
        };
    }
}

package dev.gatehouse.store.rocksdb;

import dev.gatehouse.broker.store.Change;
import dev.gatehouse.broker.store.Changes;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Turns {@link Change}s into puts and deletes of one {@link WriteBatch}, keeping the {@link InflightIndex}
 * in step. Writer thread only.
 */
final class BatchApplier {
    private final RecordCodec codec = new RecordCodec();
    private final InflightIndex inflight;

    BatchApplier(InflightIndex inflight) {
        this.inflight = inflight;
    }

    /**
     * Everything that could make {@link #apply} fail, checked before any of a commit's changes is added, so
     * that one bad commit fails alone instead of taking its group with it.
     */
    static void validate(Changes changes) {
        for (Change c : changes.list()) {
            String id = clientId(c);
            if (id != null) {
                Keys.checkClientId(id);
            }
        }
    }

    /** Add {@code c} to {@code batch}; returns whether it deletes something (space may be reclaimed). */
    boolean apply(Change c, WriteBatch batch) throws RocksDBException {
        if (c instanceof Change.PutSession p) {
            batch.put(Keys.session(p.session().clientId()), codec.session(p.session()));
        } else if (c instanceof Change.DeleteSession d) {
            String id = d.clientId();
            batch.delete(Keys.session(id));
            for (byte kind : new byte[] {Keys.QUEUED, Keys.INFLIGHT, Keys.INBOUND_QOS2}) {
                byte[] prefix = Keys.clientPrefix(kind, id);
                batch.deleteRange(prefix, Keys.prefixEnd(prefix));
            }
            inflight.removeClient(id);
            return true;
        } else if (c instanceof Change.Enqueue e) {
            batch.put(Keys.queued(e.clientId(), e.message().seq()), codec.queued(e.message()));
        } else if (c instanceof Change.Dequeue d) {
            batch.delete(Keys.queued(d.clientId(), d.seq()));
            for (int packetId : inflight.removeSeq(d.clientId(), d.seq())) {
                batch.delete(Keys.inflight(d.clientId(), packetId));
            }
            return true;
        } else if (c instanceof Change.PutInflight p) {
            batch.put(Keys.inflight(p.clientId(), p.inflight().packetId()), codec.inflight(p.inflight()));
            inflight.put(p.clientId(), p.inflight().packetId(), p.inflight().seq());
        } else if (c instanceof Change.AddInboundQos2 a) {
            batch.put(Keys.inboundQos2(a.clientId(), a.packetId()), codec.inboundQos2());
        } else if (c instanceof Change.RemoveInboundQos2 r) {
            batch.delete(Keys.inboundQos2(r.clientId(), r.packetId()));
            return true;
        } else if (c instanceof Change.PutRetained p) {
            batch.put(Keys.retained(p.message().topic()), codec.retained(p.message()));
        } else if (c instanceof Change.RemoveRetained r) {
            batch.delete(Keys.retained(r.topic()));
            return true;
        }
        return false;
    }

    private static String clientId(Change c) {
        if (c instanceof Change.PutSession p) {
            return p.session().clientId();
        } else if (c instanceof Change.DeleteSession d) {
            return d.clientId();
        } else if (c instanceof Change.Enqueue e) {
            return e.clientId();
        } else if (c instanceof Change.Dequeue d) {
            return d.clientId();
        } else if (c instanceof Change.PutInflight p) {
            return p.clientId();
        } else if (c instanceof Change.AddInboundQos2 a) {
            return a.clientId();
        } else if (c instanceof Change.RemoveInboundQos2 r) {
            return r.clientId();
        }
        return null;
    }
}

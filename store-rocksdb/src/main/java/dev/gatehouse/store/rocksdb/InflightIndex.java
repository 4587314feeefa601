package dev.gatehouse.store.rocksdb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Which packet ids are in flight for which queued seq, per client, so that a {@code Dequeue} finds the
 * in-flight record to delete without reading the disk. Lives on the writer thread only, mirrors what is
 * on disk after every successful write, and is rebuilt from the disk after a failed one. Small: a session
 * has at most 65535 packets in flight, usually the receive maximum.
 */
final class InflightIndex {
    /** One client's in-flight records: packet id to seq, and the reverse for the common one-to-one case. */
    private static final class Client {
        final Map<Integer, Long> seqByPacket = new HashMap<>();
        final Map<Long, Integer> packetBySeq = new HashMap<>();
        /** A seq was put under two packet ids at once: dequeue then checks every packet id of this client. */
        boolean shared;
    }

    private final Map<String, Client> clients = new HashMap<>();

    void put(String clientId, int packetId, long seq) {
        Client c = clients.computeIfAbsent(clientId, k -> new Client());
        Long old = c.seqByPacket.put(packetId, seq);
        if (old != null && old != seq && Integer.valueOf(packetId).equals(c.packetBySeq.get(old))) {
            c.packetBySeq.remove(old);
        }
        Integer other = c.packetBySeq.put(seq, packetId);
        if (other != null && other != packetId && Long.valueOf(seq).equals(c.seqByPacket.get(other))) {
            c.shared = true;
        }
    }

    /** Forget the in-flight records of {@code seq} and return their packet ids (usually none or one). */
    List<Integer> removeSeq(String clientId, long seq) {
        Client c = clients.get(clientId);
        if (c == null) {
            return List.of();
        }
        List<Integer> out;
        if (c.shared) {
            out = new ArrayList<>();
            c.seqByPacket.forEach((p, s) -> {
                if (s == seq) {
                    out.add(p);
                }
            });
            out.forEach(c.seqByPacket::remove);
            c.packetBySeq.remove(seq);
        } else {
            Integer p = c.packetBySeq.remove(seq);
            if (p == null) {
                return List.of();
            }
            c.seqByPacket.remove(p);
            out = List.of(p);
        }
        if (c.seqByPacket.isEmpty()) {
            clients.remove(clientId);
        }
        return out;
    }

    void removeClient(String clientId) {
        clients.remove(clientId);
    }

    /** Replace the content with the in-flight records on disk (at open, and after a failed write). */
    void reload(RocksDB db) {
        clients.clear();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(Keys.kindStart(Keys.INFLIGHT)); it.isValid() && it.key()[0] == Keys.INFLIGHT; it.next()) {
                byte[] k = it.key();
                put(Keys.clientId(k), Keys.packetId(k), RecordCodec.readInflight(Keys.packetId(k), it.value()).seq());
            }
        }
    }
}

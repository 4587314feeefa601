package dev.gatehouse.store.rocksdb;

import java.nio.charset.StandardCharsets;

/**
 * Key layout (see docs/persistence.md): one kind byte, then for per-session kinds the client id as a
 * 2-byte big-endian length and its UTF-8 bytes, then a big-endian sequence number or packet id, so that
 * RocksDB's byte order yields one session's records together and its queue in delivery order.
 */
final class Keys {
    static final byte META = 0x00;
    static final byte SESSION = 0x01;
    static final byte QUEUED = 0x02;
    static final byte INFLIGHT = 0x03;
    static final byte INBOUND_QOS2 = 0x04;
    static final byte RETAINED = 0x05;

    /** The one meta key: the store's format version. */
    static final byte[] FORMAT = {META, 'f', 'o', 'r', 'm', 'a', 't'};

    /** MQTT strings carry a 2-byte length, so no client id is longer. */
    static final int MAX_CLIENT_ID_BYTES = 0xFFFF;

    private Keys() {
    }

    /** {@code kind, u16 length, client id}: the whole key of a session, the prefix of its other records. */
    static byte[] clientPrefix(byte kind, String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        return withSuffix(kind, id, 0);
    }

    static byte[] session(String clientId) {
        return clientPrefix(SESSION, clientId);
    }

    static byte[] queued(String clientId, long seq) {
        byte[] k = withSuffix(QUEUED, clientId.getBytes(StandardCharsets.UTF_8), 8);
        // sign bit flipped, so that byte order is numeric order for negative numbers too
        putLong(k, k.length - 8, seq ^ Long.MIN_VALUE);
        return k;
    }

    static byte[] inflight(String clientId, int packetId) {
        return withPacketId(INFLIGHT, clientId, packetId);
    }

    static byte[] inboundQos2(String clientId, int packetId) {
        return withPacketId(INBOUND_QOS2, clientId, packetId);
    }

    static byte[] retained(String topic) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[1 + t.length];
        k[0] = RETAINED;
        System.arraycopy(t, 0, k, 1, t.length);
        return k;
    }

    /** Every key of {@code kind}: {@code [kind]} up to {@code [kind + 1]}. */
    static byte[] kindStart(byte kind) {
        return new byte[] {kind};
    }

    static byte[] kindEnd(byte kind) {
        return new byte[] {(byte) (kind + 1)};
    }

    /** The first key after every key that starts with {@code prefix}: the exclusive end of a range delete. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        throw new IllegalArgumentException("no key follows an all-0xFF prefix");
    }

    static void checkClientId(String clientId) {
        // Cheap bound first: a UTF-8 encoding is at most 3 bytes per UTF-16 unit.
        if (clientId.length() * 3 > MAX_CLIENT_ID_BYTES
                && clientId.getBytes(StandardCharsets.UTF_8).length > MAX_CLIENT_ID_BYTES) {
            throw new IllegalArgumentException("client id longer than " + MAX_CLIENT_ID_BYTES + " UTF-8 bytes");
        }
    }

    // ---- reading keys back

    static byte kind(byte[] key) {
        return key[0];
    }

    static int clientIdLength(byte[] key) {
        return ((key[1] & 0xFF) << 8) | (key[2] & 0xFF);
    }

    static String clientId(byte[] key) {
        return new String(key, 3, clientIdLength(key), StandardCharsets.UTF_8);
    }

    static long seq(byte[] key) {
        return getLong(key, key.length - 8) ^ Long.MIN_VALUE;
    }

    static int packetId(byte[] key) {
        return ((key[key.length - 2] & 0xFF) << 8) | (key[key.length - 1] & 0xFF);
    }

    static String topic(byte[] key) {
        return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
    }

    /** Whether {@code a} and {@code b} name the same client (both per-session keys). */
    static boolean sameClient(byte[] a, byte[] b) {
        int n = clientIdLength(a);
        return n == clientIdLength(b) && java.util.Arrays.equals(a, 3, 3 + n, b, 3, 3 + n);
    }

    // ---- helpers

    private static byte[] withPacketId(byte kind, String clientId, int packetId) {
        byte[] k = withSuffix(kind, clientId.getBytes(StandardCharsets.UTF_8), 2);
        k[k.length - 2] = (byte) (packetId >>> 8);
        k[k.length - 1] = (byte) packetId;
        return k;
    }

    private static byte[] withSuffix(byte kind, byte[] id, int suffix) {
        if (id.length > MAX_CLIENT_ID_BYTES) {
            throw new IllegalArgumentException("client id longer than " + MAX_CLIENT_ID_BYTES + " UTF-8 bytes");
        }
        byte[] k = new byte[3 + id.length + suffix];
        k[0] = kind;
        k[1] = (byte) (id.length >>> 8);
        k[2] = (byte) id.length;
        System.arraycopy(id, 0, k, 3, id.length);
        return k;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}

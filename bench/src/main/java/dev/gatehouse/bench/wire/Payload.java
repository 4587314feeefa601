package dev.gatehouse.bench.wire;

import java.nio.ByteBuffer;

/**
 * The benchmark's payload header: publisher index, sequence number and send timestamp, so that the
 * receiver can count losses and duplicates per stream and measure latency; the rest is padding.
 */
public final class Payload {
    /** Bytes of the header; payloads are at least this big. */
    public static final int HEADER = 4 + 8 + 8;

    private Payload() {
    }

    public static void write(byte[] payload, int publisher, long sequence, long nanoTime) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        b.putInt(0, publisher);
        b.putLong(4, sequence);
        b.putLong(12, nanoTime);
    }

    public static int publisher(ByteBuffer buf, int at) {
        return buf.getInt(at);
    }

    public static long sequence(ByteBuffer buf, int at) {
        return buf.getLong(at + 4);
    }

    public static long nanoTime(ByteBuffer buf, int at) {
        return buf.getLong(at + 12);
    }
}

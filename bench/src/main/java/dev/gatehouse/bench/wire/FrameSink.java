package dev.gatehouse.bench.wire;

import java.nio.ByteBuffer;

/** Receives whole packets from a {@link FrameParser}; the body is only valid during the call. */
@FunctionalInterface
public interface FrameSink {
    /**
     * @param type  packet type (1..15)
     * @param flags the low four bits of the fixed header
     * @param buf   the buffer holding the body
     * @param start index of the first body byte in {@code buf}
     * @param length body length (remaining length)
     */
    void onFrame(int type, int flags, ByteBuffer buf, int start, int length);
}

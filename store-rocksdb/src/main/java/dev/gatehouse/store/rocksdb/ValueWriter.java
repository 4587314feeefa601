package dev.gatehouse.store.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer for encoding record values, reused across records on the writer thread
 * (so that encoding costs one exact-size array per value). Not thread-safe.
 */
final class ValueWriter {
    private byte[] buf = new byte[256];
    private int len;

    ValueWriter reset() {
        len = 0;
        return this;
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    void u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    /** Unsigned LEB128: 7 bits a byte, low first, high bit set on every byte but the last. */
    void varlong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    /** Signed, ZigZag then LEB128: small magnitudes stay short whatever the sign. */
    void zigzag(long v) {
        varlong((v << 1) ^ (v >> 63));
    }

    void i64(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[len + i] = (byte) v;
            v >>>= 8;
        }
        len += 8;
    }

    void bytes(byte[] b) {
        varlong(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    void string(String s) {
        bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}

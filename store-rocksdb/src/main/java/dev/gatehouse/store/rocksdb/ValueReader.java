package dev.gatehouse.store.rocksdb;

import java.nio.charset.StandardCharsets;

/** Reads what {@link ValueWriter} wrote; a truncated or malformed value throws {@link IllegalStateException}. */
final class ValueReader {
    private final byte[] buf;
    private int pos;

    ValueReader(byte[] buf) {
        this.buf = buf;
    }

    int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    long varlong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalStateException("varint longer than 10 bytes at " + pos);
    }

    int varint() {
        long v = varlong();
        if (v > Integer.MAX_VALUE) {
            throw new IllegalStateException("length " + v + " out of range at " + pos);
        }
        return (int) v;
    }

    long zigzag() {
        long v = varlong();
        return (v >>> 1) ^ -(v & 1);
    }

    long i64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    byte[] bytes() {
        int n = varint();
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    String string() {
        int n = varint();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** The whole value was read: trailing bytes mean a layout this code does not know. */
    void end() {
        if (pos != buf.length) {
            throw new IllegalStateException((buf.length - pos) + " unexpected trailing bytes");
        }
    }

    private void need(int n) {
        if (n < 0 || pos + n > buf.length) {
            throw new IllegalStateException("value truncated at byte " + pos + " of " + buf.length);
        }
    }
}

package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;

import io.netty.buffer.ByteBuf;

/**
 * A read cursor bounded to one packet's frame: the bytes after the fixed header, exactly Remaining
 * Length of them. Every read checks the bound, so a field that claims more than the frame holds is
 * a malformed packet instead of a read into the next packet.
 *
 * <p>It plays the part of a {@code ByteBuf} slice of the frame, but one instance is reused for every
 * packet of the connection, so framing costs no allocation. Reads never move the underlying
 * buffer's reader index.
 */
final class Frame {
    private ByteBuf buf;
    private int pos;
    private int end;

    /** Point at {@code buf[start, end)}. */
    void reset(ByteBuf buf, int start, int end) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
    }

    /** Drop the reference to the cumulation buffer once the packet is decoded. */
    void clear() {
        buf = null;
    }

    int remaining() {
        return end - pos;
    }

    boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n, String field) {
        if (end - pos < n) {
            throw malformed(field + " runs past the end of the packet");
        }
    }

    int readByte(String field) {
        need(1, field);
        return buf.getUnsignedByte(pos++);
    }

    int readUnsignedShort(String field) {
        need(2, field);
        int v = buf.getUnsignedShort(pos);
        pos += 2;
        return v;
    }

    int readInt(String field) {
        need(4, field);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    /** A Variable Byte Integer (MQTT 5 §1.5.5): at most 4 bytes, in the fewest bytes possible. */
    int readVarInt(String field) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int b = readByte(field);
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    // [MQTT-1.5.5-1]: the encoded value MUST use the minimum number of bytes.
                    throw malformed(field + " not in its shortest encoding");
                }
                return value;
            }
        }
        throw malformed(field + " longer than 4 bytes");
    }

    /** A UTF-8 Encoded String (MQTT 5 §1.5.4): two length bytes, then well-formed UTF-8 without U+0000. */
    String readUtf8(String field) {
        int len = readUnsignedShort(field);
        need(len, field);
        String s = Utf8.decode(buf, pos, len, field);
        pos += len;
        return s;
    }

    /** Binary Data (MQTT 5 §1.5.6): two length bytes, then the bytes. */
    byte[] readBinary(String field) {
        int len = readUnsignedShort(field);
        need(len, field);
        byte[] out = new byte[len];
        buf.getBytes(pos, out);
        pos += len;
        return out;
    }

    /** The rest of the frame as a retained slice of the buffer (a PUBLISH payload: no copy). */
    ByteBuf retainedRest() {
        ByteBuf rest = buf.retainedSlice(pos, end - pos);
        pos = end;
        return rest;
    }

    /** Where the packet has no payload remainder, bytes after the last field make it malformed. */
    void expectEnd(String packet) {
        if (pos != end) {
            throw malformed((end - pos) + " bytes after the last field of " + packet);
        }
    }

    /** A sub-range ends inside the frame (a property block), or the packet is malformed. */
    int boundedEnd(int length, String field) {
        need(length, field);
        return pos + length;
    }

    int position() {
        return pos;
    }
}

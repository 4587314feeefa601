package dev.gatehouse.bench.wire;

import java.nio.ByteBuffer;

/**
 * Cuts a byte stream into MQTT packets without copying: whole packets found in a read buffer are
 * handed to the sink in place, and a trailing partial one is left for the next read.
 */
public final class FrameParser {
    private FrameParser() {
    }

    /**
     * Delivers every complete packet in {@code buf} (between 0 and its position, as after a read), then
     * compacts the unread tail to the front and leaves the buffer ready for the next read.
     *
     * @return the number of packets delivered
     * @throws MalformedPacketException on a bad remaining length or a packet bigger than the buffer
     */
    public static int drain(ByteBuffer buf, FrameSink sink) {
        int limit = buf.position();
        int pos = 0;
        int frames = 0;
        while (limit - pos >= 2) {
            int header = buf.get(pos) & 0xFF;
            int remaining = 0;
            int multiplier = 1;
            int i = pos + 1;
            boolean complete = false;
            for (int n = 0; n < 4 && i < limit; n++) {
                int digit = buf.get(i++) & 0xFF;
                remaining += (digit & 0x7F) * multiplier;
                multiplier <<= 7;
                if ((digit & 0x80) == 0) {
                    complete = true;
                    break;
                }
                if (n == 3) {
                    throw new MalformedPacketException("remaining length longer than 4 bytes");
                }
            }
            if (!complete) {
                break;
            }
            if (i - pos + remaining > buf.capacity()) {
                throw new MalformedPacketException("packet of " + remaining + " bytes exceeds read buffer");
            }
            if (limit - i < remaining) {
                break;
            }
            sink.onFrame(header >>> 4, header & 0x0F, buf, i, remaining);
            frames++;
            pos = i + remaining;
        }
        buf.limit(limit).position(pos);
        buf.compact();
        return frames;
    }

    /** Index of a PUBLISH payload's first byte; the topic and packet id come before it. */
    public static int publishPayloadStart(ByteBuffer buf, int start, int qos, int version) {
        int topicLength = buf.getShort(start) & 0xFFFF;
        int p = start + 2 + topicLength + (qos > 0 ? 2 : 0);
        if (version == Wire.V5) {
            int propsLength = 0;
            int multiplier = 1;
            int digit;
            do {
                digit = buf.get(p++) & 0xFF;
                propsLength += (digit & 0x7F) * multiplier;
                multiplier <<= 7;
            } while ((digit & 0x80) != 0);
            p += propsLength;
        }
        return p;
    }

    /** A PUBLISH's packet id (QoS 1 and 2 only). */
    public static int publishPacketId(ByteBuffer buf, int start) {
        int topicLength = buf.getShort(start) & 0xFFFF;
        return buf.getShort(start + 2 + topicLength) & 0xFFFF;
    }
}

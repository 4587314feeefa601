package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Checks MQTT's UTF-8 Encoded Strings (MQTT 5 §1.5.4, MQTT 3.1.1 §1.5.3): well-formed UTF-8 as
 * Unicode defines it (no overlong forms, nothing above U+10FFFF), no UTF-16 surrogates U+D800..U+DFFF
 * [MQTT-1.5.4-1] and no U+0000 [MQTT-1.5.4-2]. Any of them makes the packet malformed. The JDK's
 * decoder would replace bad sequences with U+FFFD instead of refusing them, so the bytes are checked
 * here first; only then are they turned into a String.
 */
final class Utf8 {
    /** Stops at the first byte that is not printable-range ASCII: NUL or the start of a multi-byte sequence. */
    private static final ByteProcessor PLAIN_ASCII = b -> b > 0;

    private Utf8() {
    }

    static String decode(ByteBuf buf, int from, int len, String field) {
        // Topic names and client ids are nearly always ASCII: one bounds check and a tight loop settle it.
        if (len == 0 || buf.forEachByte(from, len, PLAIN_ASCII) < 0) {
            return buf.toString(from, len, StandardCharsets.US_ASCII);
        }
        int end = from + len;
        boolean ascii = true;
        int i = from;
        while (i < end) {
            int b = buf.getByte(i) & 0xFF;
            if (b < 0x80) {
                if (b == 0) {
                    throw malformed(field + " contains U+0000");
                }
                i++;
                continue;
            }
            ascii = false;
            i = multiByte(buf, i, end, b, field);
        }
        return buf.toString(from, len, ascii ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8);
    }

    /** Check one sequence of 2 to 4 bytes starting with lead byte {@code b}; return the index after it. */
    private static int multiByte(ByteBuf buf, int i, int end, int b, String field) {
        int count;
        int min;
        int max;
        if (b >= 0xC2 && b <= 0xDF) {
            count = 1;
            min = 0x80;
            max = 0x7FF;
        } else if (b >= 0xE0 && b <= 0xEF) {
            count = 2;
            min = 0x800;
            max = 0xFFFF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            count = 3;
            min = 0x10000;
            max = 0x10FFFF;
        } else {
            // 0x80..0xC1 (continuation or overlong lead) and 0xF5..0xFF never start a sequence.
            throw malformed(field + " is not valid UTF-8");
        }
        if (end - i <= count) {
            throw malformed(field + " ends inside a UTF-8 sequence");
        }
        int cp = b & (0x3F >> count);
        for (int k = 1; k <= count; k++) {
            int c = buf.getByte(i + k) & 0xFF;
            if ((c & 0xC0) != 0x80) {
                throw malformed(field + " is not valid UTF-8");
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        if (cp < min || cp > max) {
            throw malformed(field + " is not valid UTF-8 (overlong or beyond U+10FFFF)");
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            throw malformed(field + " contains a UTF-16 surrogate");
        }
        return i + count + 1;
    }
}

package dev.gatehouse.authn.nkey.codec;

import java.io.ByteArrayOutputStream;

/** RFC 4648 base32 (alphabet {@code A-Z2-7}) without padding, as NATS NKeys use it. Strict on decode. */
public final class Base32 {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final int[] LOOKUP = new int[128];

    static {
        java.util.Arrays.fill(LOOKUP, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            LOOKUP[ALPHABET[i]] = i;
        }
    }

    private Base32() {
    }

    /** Encode without padding. */
    public static String encode(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >> (bits - 5)) & 0x1F]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 0x1F]);
        }
        return out.toString();
    }

    /**
     * Decode unpadded base32. Rejects characters outside the alphabet (lower case included),
     * impossible lengths and non-zero trailing bits.
     */
    public static byte[] decode(CharSequence text) {
        int rem = text.length() % 8;
        if (rem == 1 || rem == 3 || rem == 6) {
            throw new NKeyException("not base32: impossible length " + text.length());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int v = c < 128 ? LOOKUP[c] : -1;
            if (v < 0) {
                throw new NKeyException("not base32: bad character at position " + i);
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xFF);
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new NKeyException("not base32: non-zero trailing bits");
        }
        return out.toByteArray();
    }
}

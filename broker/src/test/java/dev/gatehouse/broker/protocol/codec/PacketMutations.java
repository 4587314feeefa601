package dev.gatehouse.broker.protocol.codec;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

/** Damage to valid packet encodings, for the fuzz tests: deterministic for a given {@link Random}. */
public final class PacketMutations {
    private PacketMutations() {
    }

    /** One of eight kinds of damage to a valid encoding. */
    public static byte[] mutate(byte[] packet, Random rnd) {
        byte[] b = packet.clone();
        switch (rnd.nextInt(8)) {
            case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
            case 3 -> b = withRemainingLength(b, rnd);
            case 4 -> {
                int at = rnd.nextInt(b.length + 1);
                byte[] junk = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(junk);
                byte[] out = new byte[b.length + junk.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(junk, 0, out, at, junk.length);
                System.arraycopy(b, at, out, at + junk.length, b.length - at);
                b = out;
            }
            case 5 -> {
                b = new byte[rnd.nextInt(64)];
                rnd.nextBytes(b);
            }
            case 6 -> b[0] = (byte) rnd.nextInt(256);
            default -> {
                // A field's bytes repeated: lengths and counts stop matching.
                int from = rnd.nextInt(b.length);
                int len = 1 + rnd.nextInt(b.length - from);
                byte[] out = Arrays.copyOf(b, b.length + len);
                System.arraycopy(b, from, out, b.length, len);
                b = out;
            }
        }
        return b;
    }

    /** The same type byte and body behind a random Remaining Length of 1 to 4 bytes (maybe continued, maybe huge). */
    private static byte[] withRemainingLength(byte[] packet, Random rnd) {
        int header = 1;
        while (header < packet.length && (packet[header] & 0x80) != 0) {
            header++;
        }
        int bodyFrom = Math.min(packet.length, header + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(packet[0]);
        int lengthBytes = 1 + rnd.nextInt(4);
        for (int i = 0; i < lengthBytes; i++) {
            out.write(rnd.nextInt(256));
        }
        out.write(packet, bodyFrom, packet.length - bodyFrom);
        return out.toByteArray();
    }
}

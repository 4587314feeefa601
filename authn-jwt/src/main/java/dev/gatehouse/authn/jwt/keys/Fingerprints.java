package dev.gatehouse.authn.jwt.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 fingerprints of key material and tokens. */
public final class Fingerprints {
    private Fingerprints() {
    }

    /** The SHA-256 of {@code bytes}. */
    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The SHA-256 of a string's UTF-8 bytes. */
    public static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A short hex fingerprint of {@code bytes} under a label, e.g. {@code rsa:1a2b3c4d5e6f7a8b}. */
    static String of(String label, byte[] bytes) {
        byte[] label0 = label.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[label0.length + bytes.length];
        System.arraycopy(label0, 0, all, 0, label0.length);
        System.arraycopy(bytes, 0, all, label0.length, bytes.length);
        return label + ":" + HexFormat.of().formatHex(sha256(all), 0, 8);
    }
}

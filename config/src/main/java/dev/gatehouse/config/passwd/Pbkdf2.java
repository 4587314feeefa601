package dev.gatehouse.config.passwd;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * PBKDF2 (RFC 8018 §5.2) with HMAC-SHA512 over raw password bytes. The JDK's
 * {@code PBKDF2WithHmacSHA512} takes a {@code char[]}; MQTT passwords are bytes (mosquitto hashes the bytes
 * as received), so this works on bytes directly.
 */
final class Pbkdf2 {
    // The output length of HMAC-SHA512 (hLen in the RFC).
    private static final int BLOCK = 64;

    private Pbkdf2() {
    }

    static byte[] sha512(byte[] password, byte[] salt, int iterations, int length) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            // An empty password is a valid HMAC key in the RFC but SecretKeySpec refuses it; HMAC pads keys with
            // zero bytes to the block size, so a single zero byte is the same key.
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA512"));
            byte[] out = new byte[length];
            int blocks = (length + BLOCK - 1) / BLOCK;
            for (int i = 1; i <= blocks; i++) {
                mac.update(salt);
                mac.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
                byte[] u = mac.doFinal();
                byte[] t = u.clone();
                for (int n = 1; n < iterations; n++) {
                    u = mac.doFinal(u);
                    for (int k = 0; k < t.length; k++) {
                        t[k] ^= u[k];
                    }
                }
                int offset = (i - 1) * BLOCK;
                System.arraycopy(t, 0, out, offset, Math.min(BLOCK, length - offset));
            }
            return out;
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA512 refused the password bytes", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA512 is not available in this JVM", e);
        }
    }
}

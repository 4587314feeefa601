package dev.gatehouse.authn.jwt.keys;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;

/** Turns a configured HMAC secret into bytes and checks it is long enough for the pinned algorithms. */
public final class Secrets {
    private Secrets() {
    }

    /**
     * The secret's bytes: UTF-8 of the text, or its base64 decoding (standard or URL-safe alphabet,
     * padding optional) when {@code base64} is set.
     *
     * @throws IllegalArgumentException when the base64 is invalid or the secret is shorter than the
     *                                  largest configured HMAC algorithm's hash
     */
    public static KeyMaterial.HmacSecret decode(String text, boolean base64, Collection<JwtAlgorithm> algorithms) {
        byte[] bytes;
        if (base64) {
            String t = text.trim();
            try {
                bytes = t.indexOf('-') >= 0 || t.indexOf('_') >= 0
                        ? Base64.getUrlDecoder().decode(t) : Base64.getDecoder().decode(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("is not valid base64");
            }
        } else {
            bytes = text.getBytes(StandardCharsets.UTF_8);
        }
        int needed = algorithms.stream().filter(a -> a.family() == JwtAlgorithm.KeyFamily.HMAC)
                .mapToInt(JwtAlgorithm::hashBits).max().orElse(256) / 8;
        if (bytes.length < needed) {
            throw new IllegalArgumentException("is " + bytes.length + " bytes; HMAC secrets must be at least as long"
                    + " as the hash (" + needed + " bytes for the configured algorithms)");
        }
        return new KeyMaterial.HmacSecret(bytes);
    }
}

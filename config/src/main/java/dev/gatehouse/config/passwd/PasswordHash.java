package dev.gatehouse.config.passwd;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A salted PBKDF2-HMAC-SHA512 password hash, in one of two encodings:
 * <ul>
 *   <li>Gatehouse: {@code $gatehouse-pbkdf2-sha512$<iterations>$<salt>$<hash>} — standard Base64 with padding,
 *       16-byte random salt, 64-byte derived key, 210 000 iterations when written by {@code gatehouse passwd};</li>
 *   <li>mosquitto 2.x: {@code $7$<iterations>$<salt>$<hash>} — the same algorithm, Base64, a 12- or 64-byte salt
 *       and a 64-byte derived key (what {@code mosquitto_passwd} writes, by default with 101 iterations).</li>
 * </ul>
 * Nothing weaker is accepted: mosquitto's {@code $6$} (one SHA-512 round) and plain text are refused.
 *
 * @param scheme     {@code gatehouse-pbkdf2-sha512} or {@code 7}
 * @param iterations PBKDF2 iteration count
 * @param salt       the salt bytes
 * @param hash       the 64-byte derived key
 */
public record PasswordHash(String scheme, int iterations, byte[] salt, byte[] hash) {
    public static final String GATEHOUSE_SCHEME = "gatehouse-pbkdf2-sha512";
    public static final String MOSQUITTO_SCHEME = "7";
    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA512. */
    public static final int DEFAULT_ITERATIONS = 210_000;
    /** Refuse counts that would let one line in a password file pin a CPU for minutes per CONNECT. */
    public static final int MAX_ITERATIONS = 10_000_000;
    static final int HASH_LENGTH = 64;
    static final int SALT_LENGTH = 16;

    public PasswordHash {
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Hash {@code password} with a fresh random salt in the Gatehouse encoding. */
    public static PasswordHash create(byte[] password, int iterations, SecureRandom random) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be 1.." + MAX_ITERATIONS + ", not " + iterations);
        }
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        return new PasswordHash(GATEHOUSE_SCHEME, iterations, salt, Pbkdf2.sha512(password, salt, iterations, HASH_LENGTH));
    }

    /** Parse an encoded hash; the message of the exception never repeats the hash. */
    public static PasswordHash parse(String encoded) {
        String[] parts = encoded.trim().split("\\$", -1);
        if (parts.length < 2 || !parts[0].isEmpty()) {
            throw new IllegalArgumentException("not a password hash (plain-text passwords are not accepted)");
        }
        String scheme = parts[1];
        if (scheme.equals("6")) {
            throw new IllegalArgumentException("mosquitto $6$ hashes (a single SHA-512 round) are too weak; "
                    + "set the password again with gatehouse passwd or mosquitto_passwd 2.x");
        }
        if (scheme.startsWith("argon2")) {
            throw new IllegalArgumentException("argon2 hashes are not supported; use $7$ or gatehouse passwd");
        }
        if (!scheme.equals(GATEHOUSE_SCHEME) && !scheme.equals(MOSQUITTO_SCHEME)) {
            throw new IllegalArgumentException("unknown hash scheme $" + scheme + "$ (expected $" + GATEHOUSE_SCHEME
                    + "$ or mosquitto's $7$)");
        }
        if (parts.length != 5) {
            throw new IllegalArgumentException("expected $" + scheme + "$<iterations>$<salt>$<hash>");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iterations must be a number");
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be 1.." + MAX_ITERATIONS + ", not " + iterations);
        }
        byte[] salt = base64(parts[3], "salt");
        byte[] hash = base64(parts[4], "hash");
        if (scheme.equals(MOSQUITTO_SCHEME) && salt.length != 12 && salt.length != 64) {
            throw new IllegalArgumentException("a $7$ salt is 12 or 64 bytes, not " + salt.length);
        }
        if (salt.length < 8) {
            throw new IllegalArgumentException("the salt must be at least 8 bytes, not " + salt.length);
        }
        if (hash.length != HASH_LENGTH) {
            throw new IllegalArgumentException("the hash must be 64 bytes, not " + hash.length);
        }
        return new PasswordHash(scheme, iterations, salt, hash);
    }

    private static byte[] base64(String s, String what) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " is not valid Base64");
        }
    }

    /** Whether {@code password} matches; compares in constant time. Costs {@link #iterations()} HMAC rounds. */
    public boolean matches(byte[] password) {
        return MessageDigest.isEqual(hash, Pbkdf2.sha512(password, salt, iterations, HASH_LENGTH));
    }

    /** The encoded form, as written to a password file. */
    public String encode() {
        Base64.Encoder b64 = Base64.getEncoder();
        return "$" + scheme + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /** The {@code user:hash} line for a password file. */
    public String line(String user) {
        return user + ":" + encode();
    }

    @Override
    public String toString() {
        // Never print the hash: it is offline-crackable material.
        return "PasswordHash[" + scheme + ", " + iterations + " iterations]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash p && p.scheme.equals(scheme) && p.iterations == iterations
                && MessageDigest.isEqual(p.salt, salt) && MessageDigest.isEqual(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return scheme.hashCode() * 31 + iterations;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

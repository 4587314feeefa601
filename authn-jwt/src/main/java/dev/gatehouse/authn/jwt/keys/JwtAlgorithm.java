package dev.gatehouse.authn.jwt.keys;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The JWS algorithms Gatehouse verifies (RFC 7518 names, plus {@code EdDSA} from RFC 8037). The set a
 * deployment accepts is pinned by configuration; a token's {@code alg} header only selects among them.
 * {@code none} is not an algorithm here and can never be configured.
 */
public enum JwtAlgorithm {
    HS256(KeyFamily.HMAC, 256),
    HS384(KeyFamily.HMAC, 384),
    HS512(KeyFamily.HMAC, 512),
    RS256(KeyFamily.RSA, 256),
    RS384(KeyFamily.RSA, 384),
    RS512(KeyFamily.RSA, 512),
    PS256(KeyFamily.RSA, 256),
    PS384(KeyFamily.RSA, 384),
    PS512(KeyFamily.RSA, 512),
    ES256(KeyFamily.EC, 256),
    ES384(KeyFamily.EC, 384),
    ES512(KeyFamily.EC, 512),
    EdDSA(KeyFamily.ED25519, 512);

    private final KeyFamily family;
    private final int hashBits;

    JwtAlgorithm(KeyFamily family, int hashBits) {
        this.family = family;
        this.hashBits = hashBits;
    }

    /** The kind of key that verifies this algorithm. */
    public KeyFamily family() {
        return family;
    }

    /** The digest size in bits; for HMAC also the minimum secret length. */
    public int hashBits() {
        return hashBits;
    }

    /** Whether verification is cheap enough to run on a network thread (HMAC only). */
    public boolean isCheap() {
        return family == KeyFamily.HMAC;
    }

    /** The JWA name as it appears in a token header, e.g. {@code RS256}. */
    public String jwaName() {
        return name();
    }

    /** Exact (case-sensitive) lookup of a token header's {@code alg}. */
    public static Optional<JwtAlgorithm> fromHeader(String alg) {
        if (alg == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(a -> a.name().equals(alg)).findFirst();
    }

    /** Lenient (case-insensitive) lookup for configuration files. */
    public static Optional<JwtAlgorithm> fromConfig(String alg) {
        if (alg == null) {
            return Optional.empty();
        }
        String wanted = alg.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(a -> a.name().toUpperCase(Locale.ROOT).equals(wanted)).findFirst();
    }

    /** The kinds of verification key. */
    public enum KeyFamily { HMAC, RSA, EC, ED25519 }
}

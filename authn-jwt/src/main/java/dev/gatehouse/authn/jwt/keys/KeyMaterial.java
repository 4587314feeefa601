package dev.gatehouse.authn.jwt.keys;

import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * The secret or public key inside a {@link VerificationKey}. Each kind verifies only its own family of
 * algorithms, so an RSA public key can never be used as an HMAC secret.
 */
public sealed interface KeyMaterial {

    /** The algorithm family this key verifies. */
    JwtAlgorithm.KeyFamily family();

    /** Whether this key can verify {@code alg} (right family, and for EC the right curve). */
    default boolean fits(JwtAlgorithm alg) {
        return alg.family() == family();
    }

    /** A fingerprint of the key, for telling key sets apart (never the secret itself). */
    String fingerprint();

    /** An HMAC secret; its length was checked against the configured algorithms when it was loaded. */
    final class HmacSecret implements KeyMaterial {
        private final byte[] secret;

        public HmacSecret(byte[] secret) {
            this.secret = secret.clone();
        }

        public byte[] secret() {
            return secret.clone();
        }

        public int length() {
            return secret.length;
        }

        @Override
        public boolean fits(JwtAlgorithm alg) {
            return alg.family() == JwtAlgorithm.KeyFamily.HMAC && secret.length * 8 >= alg.hashBits();
        }

        @Override
        public JwtAlgorithm.KeyFamily family() {
            return JwtAlgorithm.KeyFamily.HMAC;
        }

        @Override
        public String fingerprint() {
            return Fingerprints.of("hmac", secret);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HmacSecret h && MessageDigest.isEqual(h.secret, secret);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(secret);
        }

        @Override
        public String toString() {
            return "HmacSecret[" + secret.length + " bytes]";
        }
    }

    /** An RSA public key (RS* and PS* algorithms). */
    record RsaPublic(RSAPublicKey key) implements KeyMaterial {
        public RsaPublic {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public JwtAlgorithm.KeyFamily family() {
            return JwtAlgorithm.KeyFamily.RSA;
        }

        @Override
        public String fingerprint() {
            return Fingerprints.of("rsa", key.getEncoded());
        }
    }

    /** An EC public key on P-256, P-384 or P-521; each curve verifies exactly one ES algorithm. */
    record EcPublic(ECPublicKey key, EcCurve curve) implements KeyMaterial {
        public EcPublic {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(curve, "curve");
        }

        @Override
        public JwtAlgorithm.KeyFamily family() {
            return JwtAlgorithm.KeyFamily.EC;
        }

        @Override
        public boolean fits(JwtAlgorithm alg) {
            return alg == curve.algorithm();
        }

        @Override
        public String fingerprint() {
            return Fingerprints.of("ec", key.getEncoded());
        }
    }

    /** An Ed25519 public key as its 32 raw bytes (EdDSA). */
    final class Ed25519Public implements KeyMaterial {
        private final byte[] raw;

        public Ed25519Public(byte[] raw) {
            if (raw.length != 32) {
                throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + raw.length);
            }
            this.raw = raw.clone();
        }

        public byte[] raw() {
            return raw.clone();
        }

        @Override
        public JwtAlgorithm.KeyFamily family() {
            return JwtAlgorithm.KeyFamily.ED25519;
        }

        @Override
        public String fingerprint() {
            return Fingerprints.of("ed25519", raw);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ed25519Public e && Arrays.equals(e.raw, raw);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(raw);
        }

        @Override
        public String toString() {
            return "Ed25519Public[" + fingerprint() + "]";
        }
    }
}

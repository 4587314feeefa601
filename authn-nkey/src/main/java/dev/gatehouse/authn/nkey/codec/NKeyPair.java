package dev.gatehouse.authn.nkey.codec;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * An NKey with its seed: signs. The seed is written {@code S} + role letter + base32 (58
 * characters). {@link #toString()} shows the public key only; never log {@link #encodedSeed()}.
 */
public final class NKeyPair {
    private static final int SEED_ENCODED_LENGTH = 58;

    private final NKeyType type;
    private final byte[] seed;
    private final PublicNKey publicKey;

    private NKeyPair(NKeyType type, byte[] seed) {
        if (type == NKeyType.CURVE) {
            throw new NKeyException("curve (X) seeds are X25519 keys and cannot sign");
        }
        this.type = type;
        this.seed = seed.clone();
        this.publicKey = PublicNKey.of(type, Ed25519.publicKey(seed));
    }

    /** A fresh key pair of role {@code type}. */
    public static NKeyPair generate(NKeyType type, SecureRandom random) {
        byte[] seed = new byte[Ed25519.KEY_SIZE];
        random.nextBytes(seed);
        try {
            return new NKeyPair(Objects.requireNonNull(type, "type"), seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** From a 32-byte RFC 8032 seed. */
    public static NKeyPair fromRawSeed(NKeyType type, byte[] rawSeed) {
        if (rawSeed.length != Ed25519.KEY_SIZE) {
            throw new NKeyException("an Ed25519 seed has 32 bytes, not " + rawSeed.length);
        }
        return new NKeyPair(type, rawSeed);
    }

    /** Parse an encoded seed ({@code SU…}, {@code SA…}, {@code SO…}, {@code SN…}, {@code SC…}). */
    public static NKeyPair fromSeed(CharSequence encodedSeed) {
        Objects.requireNonNull(encodedSeed, "encodedSeed");
        if (encodedSeed.length() != SEED_ENCODED_LENGTH) {
            throw new NKeyException("an NKey seed has " + SEED_ENCODED_LENGTH + " characters, not "
                    + encodedSeed.length());
        }
        byte[] raw = PublicNKey.checked(encodedSeed.toString());
        try {
            if ((raw[0] & 0xF8) != NKeyType.SEED_PREFIX) {
                throw new NKeyException("not an NKey seed (it must start with S)");
            }
            int pubPrefix = (raw[0] & 0x07) << 5 | (raw[1] & 0xF8) >> 3;
            NKeyType type = NKeyType.ofPrefix(pubPrefix);
            return new NKeyPair(type, Arrays.copyOfRange(raw, 2, 2 + Ed25519.KEY_SIZE));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Parse a seed that must have role {@code expected}. */
    public static NKeyPair fromSeed(CharSequence encodedSeed, NKeyType expected) {
        NKeyPair pair = fromSeed(encodedSeed);
        if (pair.type != expected) {
            throw new NKeyException("expected a " + expected.name().toLowerCase() + " seed (S" + expected.letter()
                    + "...) but got a " + pair.type.name().toLowerCase() + " seed");
        }
        return pair;
    }

    public NKeyType type() {
        return type;
    }

    public PublicNKey publicKey() {
        return publicKey;
    }

    /** The plain 64-byte Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        return Ed25519.sign(seed, message);
    }

    /** The encoded seed. Secret: the caller should clear the array when done. */
    public char[] encodedSeed() {
        byte[] raw = new byte[2 + Ed25519.KEY_SIZE + 2];
        raw[0] = (byte) (NKeyType.SEED_PREFIX | (type.prefix() >> 5));
        raw[1] = (byte) ((type.prefix() & 0x1F) << 3);
        System.arraycopy(seed, 0, raw, 2, Ed25519.KEY_SIZE);
        int crc = Crc16.of(raw, 2 + Ed25519.KEY_SIZE);
        raw[34] = (byte) crc;
        raw[35] = (byte) (crc >>> 8);
        try {
            return Base32.encode(raw).toCharArray();
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "NKeyPair[" + publicKey + "]";
    }
}

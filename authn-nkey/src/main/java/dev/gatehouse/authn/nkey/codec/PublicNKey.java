package dev.gatehouse.authn.nkey.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * A NATS public NKey: a role and a 32-byte Ed25519 public key, written as 56 base32 characters
 * ({@code prefix ‖ key ‖ crc16-LE}). Immutable; {@link #toString()} is the encoded key.
 */
public final class PublicNKey {
    private static final int ENCODED_LENGTH = 56;

    private final NKeyType type;
    private final byte[] key;
    private final String encoded;

    private PublicNKey(NKeyType type, byte[] key) {
        this.type = type;
        this.key = key.clone();
        byte[] raw = new byte[1 + Ed25519.KEY_SIZE + 2];
        raw[0] = (byte) type.prefix();
        System.arraycopy(key, 0, raw, 1, Ed25519.KEY_SIZE);
        int crc = Crc16.of(raw, 1 + Ed25519.KEY_SIZE);
        raw[33] = (byte) crc;
        raw[34] = (byte) (crc >>> 8);
        this.encoded = Base32.encode(raw);
    }

    /** A public key of {@code type} from its 32 raw bytes. */
    public static PublicNKey of(NKeyType type, byte[] rawKey) {
        Objects.requireNonNull(type, "type");
        if (rawKey.length != Ed25519.KEY_SIZE) {
            throw new NKeyException("an Ed25519 public key has 32 bytes, not " + rawKey.length);
        }
        return new PublicNKey(type, rawKey);
    }

    /** Parse an encoded public key of any role. */
    public static PublicNKey parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() != ENCODED_LENGTH) {
            throw new NKeyException("a public NKey has " + ENCODED_LENGTH + " characters, not " + text.length());
        }
        if (text.charAt(0) == 'S') {
            throw new NKeyException("this is a seed, not a public key");
        }
        byte[] raw = checked(text);
        int prefix = raw[0] & 0xFF;
        if (prefix == NKeyType.PRIVATE_PREFIX) {
            throw new NKeyException("this is a private key, not a public key");
        }
        NKeyType type = NKeyType.ofPrefix(prefix);
        return new PublicNKey(type, Arrays.copyOfRange(raw, 1, 1 + Ed25519.KEY_SIZE));
    }

    /** Parse an encoded public key that must have role {@code expected}. */
    public static PublicNKey parse(String text, NKeyType expected) {
        PublicNKey k = parse(text);
        if (k.type != expected) {
            throw new NKeyException("expected " + article(expected) + " key (" + expected.letter()
                    + "...) but got " + article(k.type) + " key (" + k.type.letter() + "...)");
        }
        return k;
    }

    /** Whether {@code text} is a well-formed public key of role {@code type}. */
    public static boolean isValid(String text, NKeyType type) {
        try {
            parse(text, type);
            return true;
        } catch (NKeyException e) {
            return false;
        }
    }

    /** Base32-decode and check the trailing CRC-16; returns the bytes without the checksum. */
    static byte[] checked(String text) {
        byte[] raw = Base32.decode(text);
        if (raw.length < 3) {
            throw new NKeyException("too short for an NKey");
        }
        int n = raw.length - 2;
        int expected = (raw[n] & 0xFF) | (raw[n + 1] & 0xFF) << 8;
        if (Crc16.of(raw, n) != expected) {
            throw new NKeyException("bad NKey checksum");
        }
        return Arrays.copyOf(raw, n);
    }

    private static String article(NKeyType t) {
        String n = t.name().toLowerCase();
        return (t == NKeyType.OPERATOR || t == NKeyType.ACCOUNT ? "an " : "a ") + n;
    }

    public NKeyType type() {
        return type;
    }

    /** The 32 raw Ed25519 public key bytes (a copy). */
    public byte[] rawKey() {
        return key.clone();
    }

    /** Whether {@code signature} is a valid Ed25519 signature of {@code message} by this key. */
    public boolean verify(byte[] message, byte[] signature) {
        if (type == NKeyType.CURVE) {
            return false;
        }
        return Ed25519.verify(key, message, signature);
    }

    /** The 56-character encoded key. */
    public String encoded() {
        return encoded;
    }

    @Override
    public String toString() {
        return encoded;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicNKey p && p.type == type && Arrays.equals(p.key, key);
    }

    @Override
    public int hashCode() {
        return encoded.hashCode();
    }
}

package dev.gatehouse.authn.nkey.codec;

/** The role of an NKey, given by its first character and prefix byte. */
public enum NKeyType {
    OPERATOR('O', 14 << 3),
    ACCOUNT('A', 0),
    USER('U', 20 << 3),
    SERVER('N', 13 << 3),
    CLUSTER('C', 2 << 3),
    /** X25519 curve keys; encodable, but never valid for signatures. */
    CURVE('X', 23 << 3);

    /** Prefix byte of an encoded seed ({@code S}). */
    public static final int SEED_PREFIX = 18 << 3;
    /** Prefix byte of an encoded private key ({@code P}). */
    public static final int PRIVATE_PREFIX = 15 << 3;

    private final char letter;
    private final int prefix;

    NKeyType(char letter, int prefix) {
        this.letter = letter;
        this.prefix = prefix;
    }

    /** The first character of an encoded public key of this role. */
    public char letter() {
        return letter;
    }

    /** The prefix byte of an encoded public key of this role. */
    public int prefix() {
        return prefix;
    }

    /** The role whose public prefix byte is {@code prefix}, if any. */
    public static NKeyType ofPrefix(int prefix) {
        for (NKeyType t : values()) {
            if (t.prefix == prefix) {
                return t;
            }
        }
        throw new NKeyException("unknown NKey prefix byte " + prefix);
    }
}

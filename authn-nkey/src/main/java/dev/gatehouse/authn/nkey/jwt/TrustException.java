package dev.gatehouse.authn.nkey.jwt;

/** The trust chain refused a user JWT; {@link #kind()} says how the client should be answered. */
public class TrustException extends RuntimeException {
    /** Why, coarsely: maps to a CONNACK code. */
    public enum Kind {
        /** Malformed, badly signed, expired or not yet valid. */
        INVALID,
        /** Valid, but not admitted: untrusted issuer, revoked, wrong source, limits. */
        NOT_AUTHORIZED,
        /** A resolver failed; retry later. */
        UNAVAILABLE
    }

    private final Kind kind;

    public TrustException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

package dev.gatehouse.authn.jwt;

import dev.gatehouse.authn.spi.FailureReason;

/**
 * Why a token was refused: the wire code it maps to and the short phrase an MQTT 5 client is told
 * (which never contains a token, a key or a claim value).
 */
public enum RefusalKind {
    NO_TOKEN(FailureReason.BAD_CREDENTIALS, "no token"),
    MALFORMED(FailureReason.BAD_CREDENTIALS, "malformed token"),
    ALGORITHM_NOT_ALLOWED(FailureReason.BAD_CREDENTIALS, "algorithm not allowed"),
    UNKNOWN_KID(FailureReason.BAD_CREDENTIALS, "unknown key"),
    BAD_SIGNATURE(FailureReason.BAD_CREDENTIALS, "bad signature"),
    KEYS_UNAVAILABLE(FailureReason.SERVER_UNAVAILABLE, "key set unavailable"),
    EXPIRED(FailureReason.BAD_CREDENTIALS, "token expired"),
    NOT_YET_VALID(FailureReason.BAD_CREDENTIALS, "token not yet valid"),
    ISSUED_IN_FUTURE(FailureReason.BAD_CREDENTIALS, "token issued in the future"),
    TOO_OLD(FailureReason.BAD_CREDENTIALS, "token too old"),
    MISSING_CLAIM(FailureReason.BAD_CREDENTIALS, "missing claim"),
    WRONG_ISSUER(FailureReason.NOT_AUTHORIZED, "issuer not accepted"),
    WRONG_AUDIENCE(FailureReason.NOT_AUTHORIZED, "audience not accepted"),
    CLAIM_MISMATCH(FailureReason.NOT_AUTHORIZED, "claim mismatch"),
    MALFORMED_ACL(FailureReason.NOT_AUTHORIZED, "malformed acl claim"),
    INTERNAL_ERROR(FailureReason.SERVER_UNAVAILABLE, "server error");

    private final FailureReason reason;
    private final String phrase;

    RefusalKind(FailureReason reason, String phrase) {
        this.reason = reason;
        this.phrase = phrase;
    }

    public FailureReason reason() {
        return reason;
    }

    /** The client-safe phrase, also the start of the log message. */
    public String phrase() {
        return phrase;
    }
}

package dev.gatehouse.authn.jwt;

import dev.gatehouse.authn.spi.AuthDecision;
import java.util.Objects;
import java.util.Optional;

/**
 * A refused token: what kind of refusal and details for the log (claim names, expected vs. seen times,
 * never the token or a secret).
 */
public record Refusal(RefusalKind kind, String detail) {
    private static final int MAX_LOGGED = 80;

    public Refusal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    public static Refusal of(RefusalKind kind, String detail) {
        return new Refusal(kind, detail);
    }

    /**
     * The broker-facing failure: the log message names the token's {@code sub} and {@code kid} (as read
     * from the token, possibly unverified), the client is told only the kind's phrase.
     */
    public AuthDecision.Failure toFailure(Optional<String> sub, Optional<String> kid) {
        StringBuilder log = new StringBuilder(kind.phrase());
        if (!detail.isEmpty()) {
            log.append(": ").append(detail);
        }
        log.append(" (sub=").append(sub.map(Refusal::safe).orElse("-"))
                .append(", kid=").append(kid.map(Refusal::safe).orElse("-")).append(')');
        return AuthDecision.failure(kind.reason(), log.toString()).withReasonString(kind.phrase());
    }

    /** A value from a token made safe for a log line: printable, short, quoted when odd. */
    public static String safe(String value) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length() && sb.length() < MAX_LOGGED; i++) {
            char c = value.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (value.length() > MAX_LOGGED) {
            sb.append("...");
        }
        return sb.toString();
    }
}

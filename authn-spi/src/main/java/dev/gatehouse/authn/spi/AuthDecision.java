package dev.gatehouse.authn.spi;

import dev.gatehouse.authn.spi.acl.Permissions;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link Authenticator} decided about one request. Exactly one of four outcomes:
 * {@link Success} and {@link Failure} end the chain, {@link Challenge} continues an MQTT 5
 * enhanced-authentication exchange, {@link Abstain} hands the request to the next authenticator.
 */
public sealed interface AuthDecision {

    /** Admit the client as {@code principal} with these permissions until {@code expiresAt} (if any). */
    static Success success(String principal, Permissions permissions) {
        return new Success(principal, permissions, Optional.empty(), Map.of());
    }

    /** Admit the client until the credential expires; the broker disconnects it at that instant. */
    static Success success(String principal, Permissions permissions, Instant expiresAt) {
        return new Success(principal, permissions, Optional.of(expiresAt), Map.of());
    }

    /** Refuse the client; {@code logMessage} goes to the broker log, never to the client. */
    static Failure failure(FailureReason reason, String logMessage) {
        return new Failure(reason, logMessage, Optional.empty());
    }

    /** Send AUTH 0x18 with {@code authData}; the client's answer comes back with {@code state}. */
    static Challenge challenge(byte[] authData, Object state) {
        return new Challenge(authData, state);
    }

    /** This request is not for this authenticator. */
    static Abstain abstain() {
        return Abstain.INSTANCE;
    }

    /**
     * The client is admitted.
     *
     * @param principal   who the client is, for logs and events (e.g. a token's {@code sub})
     * @param permissions the rules enforced on every PUBLISH and SUBSCRIBE of this connection
     * @param expiresAt   when the credential stops being valid; the connection is closed then
     *                    unless the client re-authenticates
     * @param attributes  free-form facts for event listeners (never secrets)
     */
    record Success(String principal, Permissions permissions, Optional<Instant> expiresAt,
                   Map<String, String> attributes) implements AuthDecision {
        public Success {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(permissions, "permissions");
            Objects.requireNonNull(expiresAt, "expiresAt");
            attributes = Map.copyOf(attributes);
        }

        /** A copy carrying these attributes. */
        public Success withAttributes(Map<String, String> attrs) {
            return new Success(principal, permissions, expiresAt, attrs);
        }
    }

    /**
     * The client is refused.
     *
     * @param reason       maps to the CONNACK / DISCONNECT code for either protocol version
     * @param logMessage   why, for the broker log; must not contain a secret
     * @param reasonString optional MQTT 5 reason string sent to the client; must leak nothing
     */
    record Failure(FailureReason reason, String logMessage, Optional<String> reasonString) implements AuthDecision {
        public Failure {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(logMessage, "logMessage");
            Objects.requireNonNull(reasonString, "reasonString");
        }

        /** A copy that also tells an MQTT 5 client {@code text}. */
        public Failure withReasonString(String text) {
            return new Failure(reason, logMessage, Optional.of(text));
        }
    }

    /**
     * Continue an MQTT 5 enhanced-authentication exchange: the broker sends AUTH (reason 0x18,
     * continue authentication) with {@code authData} and calls
     * {@link Authenticator#continueAuth(AuthRequest, Object, byte[])} with {@code state} when the client answers.
     */
    record Challenge(byte[] authData, Object state) implements AuthDecision {
        public Challenge {
            Objects.requireNonNull(authData, "authData");
        }
    }

    /** Not this authenticator's client; the next one in the chain decides. */
    final class Abstain implements AuthDecision {
        static final Abstain INSTANCE = new Abstain();

        private Abstain() {
        }

        @Override
        public String toString() {
            return "Abstain";
        }
    }
}

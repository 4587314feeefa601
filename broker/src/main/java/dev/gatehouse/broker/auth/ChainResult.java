package dev.gatehouse.broker.auth;

import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.Authenticator;

/** What the authenticator chain concluded about one request, with who concluded it. */
public sealed interface ChainResult {

    /** An authenticator admitted the client; {@code by} is null for the anonymous policy. */
    record Admitted(AuthDecision.Success success, String authenticator, Authenticator by) implements ChainResult {
    }

    /** An authenticator (or the chain itself, as {@code broker}) refused the client. */
    record Refused(AuthDecision.Failure failure, String authenticator) implements ChainResult {
    }

    /** An authenticator wants another AUTH round trip; its answer goes back to {@code authenticator}. */
    record Challenged(AuthDecision.Challenge challenge, Authenticator authenticator) implements ChainResult {
    }

    /** Every authenticator abstained: the listener's anonymous policy decides. */
    record AllAbstained() implements ChainResult {
    }
}

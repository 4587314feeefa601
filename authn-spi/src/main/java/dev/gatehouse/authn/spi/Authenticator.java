package dev.gatehouse.authn.spi;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may connect and with which permissions.
 *
 * <p>The broker calls an authenticator from its network threads: implementations must never
 * block the calling thread. Cheap checks may complete the returned stage immediately; anything
 * that waits (HTTP, disk) or burns CPU (RSA/EC signatures) runs elsewhere, for example on
 * {@link AuthenticatorContext#blockingExecutor()}, and completes the stage from there.
 *
 * <p>Authenticators form a chain: each either decides ({@link AuthDecision.Success},
 * {@link AuthDecision.Failure}), starts an MQTT 5 exchange ({@link AuthDecision.Challenge}),
 * or {@link AuthDecision.Abstain abstains}. When every authenticator abstains, the listener's
 * anonymous policy decides.
 *
 * <p>Re-authentication (MQTT 5 AUTH with reason 0x19) uses the same contract: the broker calls
 * {@link #authenticate(AuthRequest)} with {@link AuthRequest#reauthentication()} set, and a
 * success replaces the connection's permissions and expiry without reconnecting.
 */
public interface Authenticator extends AutoCloseable {

    /** A short name for logs, e.g. {@code jwt}. */
    String name();

    /**
     * The MQTT 5 authentication methods (CONNECT property 0x15) this authenticator handles, e.g.
     * {@code JWT}. A CONNECT naming a method that no authenticator in the chain lists is refused
     * with 0x8C (bad authentication method). Empty when it only reads user name / password.
     */
    default Set<String> authenticationMethods() {
        return Set.of();
    }

    /** Decide on a CONNECT (or an AUTH 0x19 re-authentication). Must not block. */
    CompletionStage<AuthDecision> authenticate(AuthRequest request);

    /**
     * Continue an enhanced-authentication exchange this authenticator started with a
     * {@link AuthDecision.Challenge}.
     *
     * @param request    the original request (its client id, address and method)
     * @param state      the state the challenge carried
     * @param clientData the authentication data of the client's AUTH packet (empty array if none)
     */
    default CompletionStage<AuthDecision> continueAuth(AuthRequest request, Object state, byte[] clientData) {
        return CompletableFuture.completedFuture(
                AuthDecision.failure(FailureReason.PROTOCOL_ERROR, name() + " does not continue authentication"));
    }

    /**
     * A success this authenticator returned no longer applies: the connection ended (for any reason,
     * including takeover and broker shutdown), a re-authentication replaced it, or the broker could
     * not use it (the client left before the answer arrived, the credential had already expired).
     * Called exactly once for every success returned, on a network thread: must not block. Lets an
     * authenticator keep per-account connection counts or leases.
     *
     * @param request  the request that was admitted
     * @param admitted the decision that admitted it
     */
    default void connectionClosed(AuthRequest request, AuthDecision.Success admitted) {
    }

    /**
     * The host starts using this authenticator and hands it its live connections, so that it can
     * disconnect clients whose credentials it learns are revoked. Called once, before the first
     * {@link #authenticate}; the default ignores it.
     */
    default void attach(LiveConnections connections) {
    }

    /**
     * Whether this authenticator can decide now, for the host's readiness check ({@code GET /health/ready} of the
     * jar): false while a source it needs has never been reached (a JWKS endpoint not fetched once yet) or is
     * failing now (an account server that did not answer its last request). Called from any thread, possibly
     * often: answer from state already held, never by fetching or blocking. The default: always ready (an
     * authenticator that needs nothing outside the process).
     */
    default boolean ready() {
        return true;
    }

    /** Release timers, threads and caches. Called once when the broker stops. */
    @Override
    default void close() {
    }
}

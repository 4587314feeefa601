package dev.gatehouse.authn.spi;

import java.util.function.Predicate;

/**
 * The host's handle on the connections an authenticator admitted, for credentials that are revoked
 * while in use (a revocation list, a refreshed account JWT). Safe to call from any thread; it never
 * blocks.
 */
public interface LiveConnections {

    /**
     * Disconnect every live connection admitted by the calling authenticator that {@code which}
     * selects (MQTT 5: DISCONNECT with {@link FailureReason#v5DisconnectCode()}). The predicate runs
     * on broker threads and must be quick.
     *
     * @param logMessage why, for the broker log; must not contain a secret
     * @return how many connections were selected
     */
    int disconnect(Predicate<AdmittedConnection> which, FailureReason reason, String logMessage);

    /** A handle for hosts without live connections (tests, tools): selects nothing. */
    static LiveConnections none() {
        return (which, reason, logMessage) -> 0;
    }
}

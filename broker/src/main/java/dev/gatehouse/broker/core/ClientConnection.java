package dev.gatehouse.broker.core;

import dev.gatehouse.authn.spi.AdmittedConnection;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import java.util.concurrent.CompletableFuture;

/**
 * What the core needs from a live connection: to take it over, to close it when the broker stops,
 * to revoke it for its authenticator, and to check its credential against the clock. Callable from
 * any thread.
 */
public interface ClientConnection {

    /** Close because another connection claims the same client id; completes once the session is detached. */
    CompletableFuture<Void> takeOver();

    /** Close because the broker stops (MQTT 5: DISCONNECT 0x8B); completes once closed. */
    CompletableFuture<Void> shutdown();

    /** The admission in force if {@code by} admitted this connection, else null. */
    AdmittedConnection admittedBy(Authenticator by);

    /** Disconnect because the authenticator revoked the credential. */
    void revoke(FailureReason reason, String logMessage);

    /** Disconnect if the credential has expired at {@code nowMillis} (by the broker's clock). */
    void checkExpiry(long nowMillis);

    /** Bytes waiting in this connection's outbound buffer, with the transport's per-packet overhead. */
    long outboundBufferedBytes();
}

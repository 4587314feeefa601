package dev.gatehouse.broker;

/**
 * Why a network connection ended, as a small fixed set (a metric label, never free text): every accepted
 * connection is counted under exactly one of these when it closes ({@link BrokerStats#connectionsClosed}).
 * The words in logs and {@link BrokerEvent.ClientDisconnected#reason()} stay more detailed.
 */
public enum CloseReason {
    /** The client sent DISCONNECT (any reason code). */
    CLIENT_DISCONNECT,
    /** The socket closed or failed without a DISCONNECT (network loss, client crash, I/O error). */
    CONNECTION_LOST,
    /** No complete CONNECT within the connect timeout. */
    CONNECT_TIMEOUT,
    /** The CONNECT was refused with a CONNACK error code (authentication, bad protocol version, limits). */
    CONNECT_REFUSED,
    /** Refused at accept: the broker's or the listener's connection limit was reached. */
    CONNECTION_LIMIT,
    /** The TLS handshake failed. */
    TLS_HANDSHAKE_FAILED,
    /** The client broke the protocol (malformed or oversized packet, bad alias, second CONNECT, ...). */
    PROTOCOL_ERROR,
    /** The client missed its keep-alive. */
    KEEP_ALIVE_TIMEOUT,
    /** A newer connection with the same client id took the session over. */
    TAKEN_OVER,
    /** The credential's expiry passed. */
    CREDENTIAL_EXPIRED,
    /** The authenticator revoked the credential, or a re-authentication failed or timed out. */
    CREDENTIAL_REVOKED,
    /** The client did not read what was sent to it for the slow-consumer timeout. */
    SLOW_CONSUMER,
    /** An MQTT 3.1.1 PUBLISH was refused by closing (denied with {@code DISCONNECT} action, storage full). */
    PUBLISH_REFUSED,
    /** The broker is stopping. */
    SERVER_SHUTDOWN,
    /** The broker failed internally (e.g. the store). */
    INTERNAL_ERROR;

    /** The label used in metrics: lower case, e.g. {@code keep_alive_timeout}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

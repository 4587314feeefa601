package dev.gatehouse.broker;

import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.MqttVersion;
import java.net.InetSocketAddress;
import java.time.Instant;

/** Something that happened to a client, as reported to a {@link BrokerEventListener}. Never carries a secret. */
public sealed interface BrokerEvent {

    /** When it happened, by the broker's clock. */
    Instant at();

    /** The client's identifier (possibly assigned by the broker). */
    String clientId();

    /**
     * A client was admitted and its CONNACK sent.
     *
     * @param principal      who the authenticator said it is ({@code anonymous} for the anonymous policy)
     * @param authenticator  the authenticator that admitted it, or {@code anonymous}
     * @param sessionPresent whether an existing session was resumed
     */
    record ClientConnected(Instant at, String clientId, String principal, String authenticator,
                           InetSocketAddress remoteAddress, String listener, MqttVersion version,
                           boolean sessionPresent) implements BrokerEvent {
    }

    /**
     * An admitted client's connection ended.
     *
     * @param reason        why, in words (e.g. {@code client DISCONNECT}, {@code keep-alive timeout})
     * @param willPublished whether the connection's will was published (or scheduled, with a will delay)
     */
    record ClientDisconnected(Instant at, String clientId, String principal, String reason,
                              boolean willPublished) implements BrokerEvent {
    }

    /**
     * A CONNECT (or a re-authentication) was refused.
     *
     * @param reason        the wire-level reason sent to the client
     * @param authenticator the authenticator that refused, or {@code anonymous} / {@code broker}
     * @param message       the log message (free of secrets)
     */
    record AuthenticationFailed(Instant at, String clientId, InetSocketAddress remoteAddress, String listener,
                                FailureReason reason, String authenticator, String message) implements BrokerEvent {
    }
}

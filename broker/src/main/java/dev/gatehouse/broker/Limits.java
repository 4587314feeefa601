package dev.gatehouse.broker;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Protocol limits and timeouts. Every value has a safe default ({@link #defaults()}); change one with
 * the {@code with…} copies.
 *
 * @param maxPacketSize          largest packet accepted, in bytes (checked from the fixed header, before
 *                               the payload is buffered); advertised to MQTT 5 clients
 * @param maxClientIdLength      longest client identifier accepted
 * @param connectTimeout         time from TCP accept to a complete CONNECT
 * @param authTimeout            time for the whole authentication (authenticators and AUTH round trips)
 * @param receiveMaximum         unacknowledged inbound QoS 1/2 PUBLISHes a client may have (MQTT 5 Receive Maximum)
 * @param maxInflight            unacknowledged outbound QoS 1/2 PUBLISHes per client (capped further by the
 *                               client's own Receive Maximum)
 * @param maxQueuedMessages      messages queued per session beyond the in-flight window; overflow is dropped and counted
 * @param maxSessionExpiry       longest session expiry interval granted; MQTT 3.1.1 persistent sessions get this
 * @param serverKeepAlive        when set, the keep-alive every client must use (MQTT 5 Server Keep Alive)
 * @param topicAliasMaximum      inbound topic aliases accepted per MQTT 5 connection (0 disables)
 * @param maxRetainedMessages    bound on the retained store; new retained topics beyond it are refused
 * @param deniedPublishAction    what happens to a denied MQTT 3.1.1 PUBLISH
 */
public record Limits(int maxPacketSize, int maxClientIdLength, Duration connectTimeout, Duration authTimeout,
                     int receiveMaximum, int maxInflight, int maxQueuedMessages, Duration maxSessionExpiry,
                     Optional<Integer> serverKeepAlive, int topicAliasMaximum, int maxRetainedMessages,
                     DeniedPublishAction deniedPublishAction) {

    public Limits {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(authTimeout, "authTimeout");
        Objects.requireNonNull(maxSessionExpiry, "maxSessionExpiry");
        Objects.requireNonNull(serverKeepAlive, "serverKeepAlive");
        Objects.requireNonNull(deniedPublishAction, "deniedPublishAction");
        positive(maxPacketSize, "maxPacketSize");
        positive(maxClientIdLength, "maxClientIdLength");
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw new IllegalArgumentException("receiveMaximum must be 1..65535, not " + receiveMaximum);
        }
        if (maxInflight < 1 || maxInflight > 65535) {
            throw new IllegalArgumentException("maxInflight must be 1..65535, not " + maxInflight);
        }
        positive(maxQueuedMessages, "maxQueuedMessages");
        positive(maxRetainedMessages, "maxRetainedMessages");
        if (topicAliasMaximum < 0 || topicAliasMaximum > 65535) {
            throw new IllegalArgumentException("topicAliasMaximum must be 0..65535, not " + topicAliasMaximum);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || authTimeout.isNegative() || authTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxSessionExpiry.isNegative()) {
            throw new IllegalArgumentException("maxSessionExpiry must not be negative, not " + maxSessionExpiry);
        }
        serverKeepAlive.ifPresent(k -> {
            if (k < 0 || k > 65535) {
                throw new IllegalArgumentException("serverKeepAlive must be 0..65535 seconds, not " + k);
            }
        });
    }

    private static void positive(int v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be positive, not " + v);
        }
    }

    /**
     * 1 MiB packets, 256-character client ids, 10 s to CONNECT, 30 s to authenticate, 64 in flight each
     * way, 1000 queued per session, sessions kept up to a day, 16 topic aliases, 100 000 retained topics.
     */
    public static Limits defaults() {
        return new Limits(1024 * 1024, 256, Duration.ofSeconds(10), Duration.ofSeconds(30), 64, 64, 1000,
                Duration.ofDays(1), Optional.empty(), 16, 100_000, DeniedPublishAction.ACK_AND_DROP);
    }

    public Limits withMaxPacketSize(int v) {
        return new Limits(v, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, maxRetainedMessages,
                deniedPublishAction);
    }

    public Limits withMaxClientIdLength(int v) {
        return new Limits(maxPacketSize, v, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, maxRetainedMessages,
                deniedPublishAction);
    }

    public Limits withConnectTimeout(Duration v) {
        return new Limits(maxPacketSize, maxClientIdLength, v, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, maxRetainedMessages,
                deniedPublishAction);
    }

    public Limits withAuthTimeout(Duration v) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, v, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, maxRetainedMessages,
                deniedPublishAction);
    }

    public Limits withReceiveMaximum(int v) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, v, maxInflight,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, maxRetainedMessages,
                deniedPublishAction);
    }

    public Limits withMaxInflight(int v) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, v,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, maxRetainedMessages,
                deniedPublishAction);
    }

    public Limits withMaxQueuedMessages(int v) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                v, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, maxRetainedMessages, deniedPublishAction);
    }

    public Limits withMaxSessionExpiry(Duration v) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, v, serverKeepAlive, topicAliasMaximum, maxRetainedMessages, deniedPublishAction);
    }

    public Limits withServerKeepAlive(int seconds) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSessionExpiry, Optional.of(seconds), topicAliasMaximum, maxRetainedMessages,
                deniedPublishAction);
    }

    public Limits withTopicAliasMaximum(int v) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, v, maxRetainedMessages, deniedPublishAction);
    }

    public Limits withMaxRetainedMessages(int v) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, v, deniedPublishAction);
    }

    public Limits withDeniedPublishAction(DeniedPublishAction v) {
        return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSessionExpiry, serverKeepAlive, topicAliasMaximum, maxRetainedMessages, v);
    }
}

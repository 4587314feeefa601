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
 * @param maxSubscriptionsPerSession subscriptions one session may hold; more are refused (MQTT 5 SUBACK 0x97)
 * @param maxSessionExpiry       longest session expiry interval granted; MQTT 3.1.1 persistent sessions get this
 * @param serverKeepAlive        when set, the keep-alive every client must use (MQTT 5 Server Keep Alive)
 * @param topicAliasMaximum      inbound topic aliases accepted per MQTT 5 connection (0 disables)
 * @param maxRetainedMessages    bound on the retained store; new retained topics beyond it are refused
 * @param deniedPublishAction    what happens to a denied MQTT 3.1.1 PUBLISH
 * @param maxConnections         connections open at once across all listeners (0: no limit); more are closed at accept
 * @param maxTopicLength         longest topic name or filter, in UTF-8 bytes
 * @param maxTopicLevels         most levels in a topic name or filter
 * @param minKeepAlive           shortest keep-alive accepted, in seconds
 * @param maxKeepAlive           longest keep-alive accepted, in seconds (0, "never", counts as longer); MQTT 5 clients
 *                               outside the bounds are told the nearest bound as Server Keep Alive, MQTT 3 clients are
 *                               refused
 * @param maxSessions            sessions held at once, connected or not (0: no limit). When a new session would pass
 *                               it, the session disconnected longest ago is ended to make room; when every session
 *                               is connected the CONNECT is refused (5.0: 0x97 Quota exceeded, 3.1.1: 3)
 * @param maxOutboundBuffer      bytes a connection may have waiting to be written (with Netty's per-packet
 *                               overhead). Past it the broker stops reading from that client until half has
 *                               drained, so a client that never reads costs at most this much
 * @param slowConsumerTimeout    how long a connection may stay at {@code maxOutboundBuffer} before it is
 *                               disconnected (5.0: DISCONNECT 0x97); also how long a publisher waits, unread, for
 *                               a connected subscriber whose queue is filling before that subscriber's overflow is
 *                               dropped instead
 * @param outboundTopicAliases   topic aliases the broker assigns per MQTT 5 connection for the topics it sends,
 *                               least recently used replaced first, capped by the client's Topic Alias Maximum
 *                               (0 disables)
 */
public record Limits(int maxPacketSize, int maxClientIdLength, Duration connectTimeout, Duration authTimeout,
                     int receiveMaximum, int maxInflight, int maxQueuedMessages, int maxSubscriptionsPerSession,
                     Duration maxSessionExpiry,
                     Optional<Integer> serverKeepAlive, int topicAliasMaximum, int maxRetainedMessages,
                     DeniedPublishAction deniedPublishAction, int maxConnections, int maxTopicLength,
                     int maxTopicLevels, int minKeepAlive, int maxKeepAlive, int maxSessions,
                     int maxOutboundBuffer, Duration slowConsumerTimeout, int outboundTopicAliases) {

    /** Default of {@link #maxOutboundBuffer()}: 256 KiB. */
    public static final int DEFAULT_MAX_OUTBOUND_BUFFER = 256 * 1024;
    /** Default of {@link #slowConsumerTimeout()}. */
    public static final Duration DEFAULT_SLOW_CONSUMER_TIMEOUT = Duration.ofSeconds(30);
    /** Default of {@link #outboundTopicAliases()}. */
    public static final int DEFAULT_OUTBOUND_TOPIC_ALIASES = 64;

    /** The limits before the flow-control ones existed; those get their defaults. */
    public Limits(int maxPacketSize, int maxClientIdLength, Duration connectTimeout, Duration authTimeout,
                  int receiveMaximum, int maxInflight, int maxQueuedMessages, int maxSubscriptionsPerSession,
                  Duration maxSessionExpiry, Optional<Integer> serverKeepAlive, int topicAliasMaximum,
                  int maxRetainedMessages, DeniedPublishAction deniedPublishAction, int maxConnections,
                  int maxTopicLength, int maxTopicLevels, int minKeepAlive, int maxKeepAlive, int maxSessions) {
        this(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSubscriptionsPerSession, maxSessionExpiry, serverKeepAlive, topicAliasMaximum,
                maxRetainedMessages, deniedPublishAction, maxConnections, maxTopicLength, maxTopicLevels, minKeepAlive,
                maxKeepAlive, maxSessions, DEFAULT_MAX_OUTBOUND_BUFFER, DEFAULT_SLOW_CONSUMER_TIMEOUT,
                DEFAULT_OUTBOUND_TOPIC_ALIASES);
    }

    /** Sessions held at once by default: a bound on memory even when session expiry is long. */
    public static final int DEFAULT_MAX_SESSIONS = 100_000;

    /** The limits before {@code maxSessions} existed; it gets {@link #DEFAULT_MAX_SESSIONS}. */
    public Limits(int maxPacketSize, int maxClientIdLength, Duration connectTimeout, Duration authTimeout,
                  int receiveMaximum, int maxInflight, int maxQueuedMessages, int maxSubscriptionsPerSession,
                  Duration maxSessionExpiry, Optional<Integer> serverKeepAlive, int topicAliasMaximum,
                  int maxRetainedMessages, DeniedPublishAction deniedPublishAction, int maxConnections,
                  int maxTopicLength, int maxTopicLevels, int minKeepAlive, int maxKeepAlive) {
        this(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum, maxInflight,
                maxQueuedMessages, maxSubscriptionsPerSession, maxSessionExpiry, serverKeepAlive, topicAliasMaximum,
                maxRetainedMessages, deniedPublishAction, maxConnections, maxTopicLength, maxTopicLevels, minKeepAlive,
                maxKeepAlive, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_OUTBOUND_BUFFER, DEFAULT_SLOW_CONSUMER_TIMEOUT,
                DEFAULT_OUTBOUND_TOPIC_ALIASES);
    }

    public Limits {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(authTimeout, "authTimeout");
        Objects.requireNonNull(maxSessionExpiry, "maxSessionExpiry");
        Objects.requireNonNull(serverKeepAlive, "serverKeepAlive");
        Objects.requireNonNull(deniedPublishAction, "deniedPublishAction");
        Objects.requireNonNull(slowConsumerTimeout, "slowConsumerTimeout");
        if (maxOutboundBuffer < 1024) {
            throw new IllegalArgumentException("maxOutboundBuffer must be at least 1024 bytes, not " + maxOutboundBuffer);
        }
        if (slowConsumerTimeout.isNegative() || slowConsumerTimeout.isZero()) {
            throw new IllegalArgumentException("slowConsumerTimeout must be positive");
        }
        if (outboundTopicAliases < 0 || outboundTopicAliases > 65535) {
            throw new IllegalArgumentException("outboundTopicAliases must be 0..65535, not " + outboundTopicAliases);
        }
        positive(maxPacketSize, "maxPacketSize");
        positive(maxClientIdLength, "maxClientIdLength");
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw new IllegalArgumentException("receiveMaximum must be 1..65535, not " + receiveMaximum);
        }
        if (maxInflight < 1 || maxInflight > 65535) {
            throw new IllegalArgumentException("maxInflight must be 1..65535, not " + maxInflight);
        }
        positive(maxQueuedMessages, "maxQueuedMessages");
        positive(maxSubscriptionsPerSession, "maxSubscriptionsPerSession");
        positive(maxRetainedMessages, "maxRetainedMessages");
        if (topicAliasMaximum < 0 || topicAliasMaximum > 65535) {
            throw new IllegalArgumentException("topicAliasMaximum must be 0..65535, not " + topicAliasMaximum);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || authTimeout.isNegative() || authTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be 0 (no limit) or positive, not " + maxConnections);
        }
        if (maxSessions < 0) {
            throw new IllegalArgumentException("maxSessions must be 0 (no limit) or positive, not " + maxSessions);
        }
        if (maxTopicLength < 1 || maxTopicLength > 65535) {
            throw new IllegalArgumentException("maxTopicLength must be 1..65535, not " + maxTopicLength);
        }
        positive(maxTopicLevels, "maxTopicLevels");
        if (minKeepAlive < 0 || maxKeepAlive < 1 || maxKeepAlive > 65535 || minKeepAlive > maxKeepAlive) {
            throw new IllegalArgumentException("keep-alive bounds must satisfy 0 <= minKeepAlive <= maxKeepAlive <= 65535"
                    + " (and maxKeepAlive >= 1), not " + minKeepAlive + ".." + maxKeepAlive);
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
     * way, 1000 queued and 1000 subscriptions per session, sessions kept up to a day, 16 topic aliases,
     * 100 000 retained topics, denied MQTT 3.1.1 publishes acknowledged and dropped, no connection limit,
     * topics up to 65 535 bytes and 128 levels, any keep-alive, at most 100 000 sessions, 256 KiB outbound
     * buffer per connection, slow consumers disconnected after 30 s, 64 outbound topic aliases.
     */
    public static Limits defaults() {
        return new Builder().build();
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.maxPacketSize = maxPacketSize;
        b.maxClientIdLength = maxClientIdLength;
        b.connectTimeout = connectTimeout;
        b.authTimeout = authTimeout;
        b.receiveMaximum = receiveMaximum;
        b.maxInflight = maxInflight;
        b.maxQueuedMessages = maxQueuedMessages;
        b.maxSubscriptionsPerSession = maxSubscriptionsPerSession;
        b.maxSessionExpiry = maxSessionExpiry;
        b.serverKeepAlive = serverKeepAlive;
        b.topicAliasMaximum = topicAliasMaximum;
        b.maxRetainedMessages = maxRetainedMessages;
        b.deniedPublishAction = deniedPublishAction;
        b.maxConnections = maxConnections;
        b.maxTopicLength = maxTopicLength;
        b.maxTopicLevels = maxTopicLevels;
        b.minKeepAlive = minKeepAlive;
        b.maxKeepAlive = maxKeepAlive;
        b.maxSessions = maxSessions;
        b.maxOutboundBuffer = maxOutboundBuffer;
        b.slowConsumerTimeout = slowConsumerTimeout;
        b.outboundTopicAliases = outboundTopicAliases;
        return b;
    }

    public Limits withMaxPacketSize(int v) {
        Builder b = toBuilder();
        b.maxPacketSize = v;
        return b.build();
    }

    public Limits withMaxClientIdLength(int v) {
        Builder b = toBuilder();
        b.maxClientIdLength = v;
        return b.build();
    }

    public Limits withConnectTimeout(Duration v) {
        Builder b = toBuilder();
        b.connectTimeout = v;
        return b.build();
    }

    public Limits withAuthTimeout(Duration v) {
        Builder b = toBuilder();
        b.authTimeout = v;
        return b.build();
    }

    public Limits withReceiveMaximum(int v) {
        Builder b = toBuilder();
        b.receiveMaximum = v;
        return b.build();
    }

    public Limits withMaxInflight(int v) {
        Builder b = toBuilder();
        b.maxInflight = v;
        return b.build();
    }

    public Limits withMaxQueuedMessages(int v) {
        Builder b = toBuilder();
        b.maxQueuedMessages = v;
        return b.build();
    }

    public Limits withMaxSubscriptionsPerSession(int v) {
        Builder b = toBuilder();
        b.maxSubscriptionsPerSession = v;
        return b.build();
    }

    public Limits withMaxSessionExpiry(Duration v) {
        Builder b = toBuilder();
        b.maxSessionExpiry = v;
        return b.build();
    }

    public Limits withServerKeepAlive(int seconds) {
        Builder b = toBuilder();
        b.serverKeepAlive = Optional.of(seconds);
        return b.build();
    }

    public Limits withTopicAliasMaximum(int v) {
        Builder b = toBuilder();
        b.topicAliasMaximum = v;
        return b.build();
    }

    public Limits withMaxRetainedMessages(int v) {
        Builder b = toBuilder();
        b.maxRetainedMessages = v;
        return b.build();
    }

    public Limits withDeniedPublishAction(DeniedPublishAction v) {
        Builder b = toBuilder();
        b.deniedPublishAction = v;
        return b.build();
    }

    public Limits withMaxConnections(int v) {
        Builder b = toBuilder();
        b.maxConnections = v;
        return b.build();
    }

    public Limits withMaxSessions(int v) {
        Builder b = toBuilder();
        b.maxSessions = v;
        return b.build();
    }

    public Limits withMaxOutboundBuffer(int bytes) {
        Builder b = toBuilder();
        b.maxOutboundBuffer = bytes;
        return b.build();
    }

    public Limits withSlowConsumerTimeout(Duration v) {
        Builder b = toBuilder();
        b.slowConsumerTimeout = v;
        return b.build();
    }

    public Limits withOutboundTopicAliases(int v) {
        Builder b = toBuilder();
        b.outboundTopicAliases = v;
        return b.build();
    }

    public Limits withMaxTopicLength(int v) {
        Builder b = toBuilder();
        b.maxTopicLength = v;
        return b.build();
    }

    public Limits withMaxTopicLevels(int v) {
        Builder b = toBuilder();
        b.maxTopicLevels = v;
        return b.build();
    }

    /** Keep-alive bounds in seconds, see {@link #minKeepAlive()} and {@link #maxKeepAlive()}. */
    public Limits withKeepAliveBounds(int min, int max) {
        Builder b = toBuilder();
        b.minKeepAlive = min;
        b.maxKeepAlive = max;
        return b.build();
    }

    /** Whether a keep-alive (0 meaning "never") lies within the bounds. */
    public boolean keepAliveAllowed(int seconds) {
        if (seconds == 0) {
            return maxKeepAlive == 65535 && minKeepAlive == 0;
        }
        return seconds >= minKeepAlive && seconds <= maxKeepAlive;
    }

    /** Mutable staging for a copy with one value changed; {@link #build()} validates. */
    private static final class Builder {
        private int maxPacketSize = 1024 * 1024;
        private int maxClientIdLength = 256;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration authTimeout = Duration.ofSeconds(30);
        private int receiveMaximum = 64;
        private int maxInflight = 64;
        private int maxQueuedMessages = 1000;
        private int maxSubscriptionsPerSession = 1000;
        private Duration maxSessionExpiry = Duration.ofDays(1);
        private Optional<Integer> serverKeepAlive = Optional.empty();
        private int topicAliasMaximum = 16;
        private int maxRetainedMessages = 100_000;
        private DeniedPublishAction deniedPublishAction = DeniedPublishAction.ACK_AND_DROP;
        private int maxConnections = 0;
        private int maxTopicLength = 65535;
        private int maxTopicLevels = 128;
        private int minKeepAlive = 0;
        private int maxKeepAlive = 65535;
        private int maxSessions = DEFAULT_MAX_SESSIONS;
        private int maxOutboundBuffer = DEFAULT_MAX_OUTBOUND_BUFFER;
        private Duration slowConsumerTimeout = DEFAULT_SLOW_CONSUMER_TIMEOUT;
        private int outboundTopicAliases = DEFAULT_OUTBOUND_TOPIC_ALIASES;

        private Builder() {
        }

        Limits build() {
            return new Limits(maxPacketSize, maxClientIdLength, connectTimeout, authTimeout, receiveMaximum,
                    maxInflight, maxQueuedMessages, maxSubscriptionsPerSession, maxSessionExpiry, serverKeepAlive,
                    topicAliasMaximum, maxRetainedMessages, deniedPublishAction, maxConnections, maxTopicLength,
                    maxTopicLevels, minKeepAlive, maxKeepAlive, maxSessions, maxOutboundBuffer, slowConsumerTimeout,
                    outboundTopicAliases);
        }
    }
}

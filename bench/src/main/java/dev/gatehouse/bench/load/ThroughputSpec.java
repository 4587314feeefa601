package dev.gatehouse.bench.load;

import java.time.Duration;

/**
 * One publish/subscribe run: {@code publishers} clients publish to one topic that {@code subscribers}
 * clients subscribe to. Closed loop (at most {@code window} messages in flight) unless
 * {@code ratePerSecond} is set, in which case messages go out on a fixed schedule and latency is
 * measured from the scheduled time (so a stalled broker cannot hide its queueing delay).
 *
 * @param messagesPerPublisher upper bound on messages per publisher
 * @param sendTime             upper bound on the time spent sending; the run also ends at the count
 * @param maxUnacked           QoS 1/2 messages a publisher may have unacknowledged
 * @param persistentSession    subscribers connect with clean session 0 (MQTT 5: clean start 0 and a session
 *                             expiry), so a broker with durable state stores every QoS 1/2 message it routes to them
 */
public record ThroughputSpec(int version, int publishers, int subscribers, int qos, int payloadSize,
                             long messagesPerPublisher, int window, int maxUnacked, Duration sendTime,
                             long ratePerSecond, boolean persistentSession) {
    public ThroughputSpec(int version, int publishers, int subscribers, int qos, int payloadSize,
                          long messagesPerPublisher, int window, int maxUnacked, Duration sendTime,
                          long ratePerSecond) {
        this(version, publishers, subscribers, qos, payloadSize, messagesPerPublisher, window, maxUnacked, sendTime,
                ratePerSecond, false);
    }

    public ThroughputSpec {
        if (publishers < 1 || subscribers < 1 || qos < 0 || qos > 2 || window < 1 || maxUnacked < 1) {
            throw new IllegalArgumentException("bad throughput spec");
        }
        if (messagesPerPublisher < 1 || messagesPerPublisher > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("messagesPerPublisher out of range");
        }
    }

    /**
     * Closed loop, MQTT 3.1.1, window 500, 20 unacknowledged per publisher. 20 is Mosquitto's default
     * max_inflight_messages: a 3.1.1 client cannot learn a broker's limit, and Mosquitto 2.0 acknowledges
     * and drops incoming QoS 2 (and QoS 1 under fan-in) beyond it, so more would measure that, not speed.
     */
    public static ThroughputSpec closed(int publishers, int subscribers, int qos, int payloadSize, long messages,
                                        Duration sendTime) {
        long perPublisher = Math.max(1, messages / publishers);
        return new ThroughputSpec(4, publishers, subscribers, qos, payloadSize, perPublisher, 500, 20, sendTime, 0);
    }

    public ThroughputSpec withRate(long perSecond) {
        return new ThroughputSpec(version, publishers, subscribers, qos, payloadSize, messagesPerPublisher,
                window, maxUnacked, sendTime, perSecond, persistentSession);
    }

    public ThroughputSpec withWindow(int w) {
        return new ThroughputSpec(version, publishers, subscribers, qos, payloadSize, messagesPerPublisher,
                w, maxUnacked, sendTime, ratePerSecond, persistentSession);
    }

    public ThroughputSpec withVersion(int v) {
        return new ThroughputSpec(v, publishers, subscribers, qos, payloadSize, messagesPerPublisher,
                window, maxUnacked, sendTime, ratePerSecond, persistentSession);
    }

    /** Subscribers with persistent sessions (see {@link #persistentSession}). */
    public ThroughputSpec withPersistentSession() {
        return new ThroughputSpec(version, publishers, subscribers, qos, payloadSize, messagesPerPublisher,
                window, maxUnacked, sendTime, ratePerSecond, true);
    }
}

package dev.gatehouse.broker;

/**
 * The broker's live figures, for metrics, health checks and {@code $SYS} topics ({@link Broker#stats()}). Every
 * method may be called from any thread at any time; counters are monotonic since the broker was built, gauges are
 * read when called. Counters are lock-free {@link java.util.concurrent.atomic.LongAdder}s on the I/O path; the
 * session gauges ({@link #queuedMessages()}, {@link #inflightMessages()}, {@link #subscriptions()}) walk the
 * sessions, so read them at scrape intervals, not per message.
 */
public interface BrokerStats {

    /** Network connections open now (accepted and past the connection limits), admitted or not yet. */
    int connectionsOpen();

    /** Clients that completed CONNECT and are connected now. */
    int clientsConnected();

    /** Network connections accepted since start (including those refused at accept). */
    long connectionsOpened();

    /** Network connections closed since start for {@code reason}. */
    long connectionsClosed(CloseReason reason);

    /** PUBLISH packets received from clients at {@code qos} (0..2), allowed or not. */
    long messagesReceived(int qos);

    /** Payload bytes of those PUBLISH packets. */
    long bytesReceived(int qos);

    /** PUBLISH packets sent to clients at {@code qos} (0..2), redeliveries included. */
    long messagesSent(int qos);

    /** Payload bytes of those PUBLISH packets. */
    long bytesSent(int qos);

    /** Messages not delivered or not kept, for {@code reason}. */
    long dropped(DropReason reason);

    /** PUBLISH packets refused by the client's permissions. */
    long deniedPublishes();

    /** Topic filters in SUBSCRIBE packets refused by the client's permissions. */
    long deniedSubscribes();

    /** Sessions held, connected or not. */
    int sessions();

    /** Sessions held with no connection. */
    int offlineSessions();

    /** Subscriptions held by every session (shared ones included). */
    long subscriptions();

    /** Retained topics held. */
    int retainedMessages();

    /** Messages waiting in session queues (behind the in-flight window), summed over sessions. */
    long queuedMessages();

    /** Outbound QoS 1/2 messages sent and not yet acknowledged, summed over sessions. */
    long inflightMessages();

    /** Flow-control figures now. */
    FlowStats flow();
}

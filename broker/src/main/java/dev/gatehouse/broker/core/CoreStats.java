package dev.gatehouse.broker.core;

import dev.gatehouse.broker.BrokerStats;
import dev.gatehouse.broker.CloseReason;
import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.FlowStats;
import dev.gatehouse.broker.session.Session;

/** {@link BrokerStats} over a {@link BrokerCore}: counters are summed, gauges read, when asked. */
final class CoreStats implements BrokerStats {
    private final BrokerCore core;

    CoreStats(BrokerCore core) {
        this.core = core;
    }

    @Override
    public int connectionsOpen() {
        return core.connectionGate().open();
    }

    @Override
    public int clientsConnected() {
        return core.registry().size();
    }

    @Override
    public long connectionsOpened() {
        return core.traffic().openedCount();
    }

    @Override
    public long connectionsClosed(CloseReason reason) {
        return core.traffic().closedCount(reason);
    }

    @Override
    public long messagesReceived(int qos) {
        return core.traffic().messagesIn(qos);
    }

    @Override
    public long bytesReceived(int qos) {
        return core.traffic().bytesIn(qos);
    }

    @Override
    public long messagesSent(int qos) {
        return core.traffic().messagesOut(qos);
    }

    @Override
    public long bytesSent(int qos) {
        return core.traffic().bytesOut(qos);
    }

    @Override
    public long dropped(DropReason reason) {
        return core.drops().count(reason);
    }

    @Override
    public long deniedPublishes() {
        return core.traffic().deniedPublishes();
    }

    @Override
    public long deniedSubscribes() {
        return core.traffic().deniedSubscribes();
    }

    @Override
    public int sessions() {
        return core.sessions().store().size();
    }

    @Override
    public int offlineSessions() {
        return core.sessions().offlineCount();
    }

    @Override
    public long subscriptions() {
        long n = 0;
        for (Session s : core.sessions().store().all()) {
            n += s.subscriptionCount();
        }
        return n;
    }

    @Override
    public int retainedMessages() {
        return core.retained().size();
    }

    @Override
    public long queuedMessages() {
        long n = 0;
        for (Session s : core.sessions().store().all()) {
            n += s.queuedCount();
        }
        return n;
    }

    @Override
    public long inflightMessages() {
        long n = 0;
        for (Session s : core.sessions().store().all()) {
            n += s.inflightCount();
        }
        return n;
    }

    @Override
    public FlowStats flow() {
        return core.flowStats();
    }
}

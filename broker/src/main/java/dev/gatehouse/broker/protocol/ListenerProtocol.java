package dev.gatehouse.broker.protocol;

import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.core.BrokerCore;
import dev.gatehouse.broker.core.ConnectionGate;
import io.netty.channel.ChannelHandler;

/**
 * The MQTT protocol engine of one listener: what its connections share (the listener's connection
 * gate and the stateless helpers, kept out of each connection so an idle one stays small) and the
 * factory of the per-connection handler the transport puts at the end of each pipeline.
 */
public final class ListenerProtocol {
    private final BrokerCore core;
    private final ListenerConfig listener;
    private final ConnectionGate gate;
    private final TopicLimits topicLimits;
    private final SubscriptionRequests subscriptions;

    public ListenerProtocol(BrokerCore core, ListenerConfig listener) {
        this.core = core;
        this.listener = listener;
        this.gate = new ConnectionGate(listener.maxConnections());
        this.topicLimits = new TopicLimits(core.limits());
        this.subscriptions = new SubscriptionRequests(core, topicLimits);
    }

    /** The handler for one new connection. */
    public ChannelHandler newConnection() {
        return new MqttConnection(this);
    }

    BrokerCore core() {
        return core;
    }

    ListenerConfig listener() {
        return listener;
    }

    ConnectionGate gate() {
        return gate;
    }

    TopicLimits topicLimits() {
        return topicLimits;
    }

    SubscriptionRequests subscriptions() {
        return subscriptions;
    }
}

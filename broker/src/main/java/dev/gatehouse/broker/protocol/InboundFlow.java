package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.acl.TopicFilters;
import dev.gatehouse.broker.DeniedPublishAction;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;
import dev.gatehouse.broker.session.FlowControlled;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISHes from the client: topic aliases, topic checks, the inbound QoS 2 flow and its Receive
 * Maximum, the permission check, routing and the acknowledgement. When a subscriber it feeds falls
 * behind, routing asks this connection to stop reading ({@link FlowControlled}); TCP then slows the
 * publisher down instead of the broker dropping what it already acknowledged.
 */
final class InboundFlow implements FlowControlled {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    private final ConnectionContext c;
    private final TopicLimits topicLimits;
    private String[] topicAliases;
    private ScheduledFuture<?> pauseTimer;

    InboundFlow(ConnectionContext c, TopicLimits topicLimits) {
        this.c = c;
        this.topicLimits = topicLimits;
    }

    /** The client is connected: room for the topic aliases we advertised. */
    void start() {
        int max = c.limits.topicAliasMaximum();
        topicAliases = c.version.isV5() && max > 0 ? new String[max + 1] : null;
    }

    void onPublish(MqttPublishMessage m) {
        int qos = m.fixedHeader().qosLevel().value();
        boolean retain = m.fixedHeader().isRetain();
        int packetId = m.variableHeader().packetId();
        MqttProperties props = m.variableHeader().properties();
        String topic = m.variableHeader().topicName();
        c.core.traffic().received(qos, m.content().readableBytes());
        if (qos == 0 && m.fixedHeader().isDup()) {
            log.info("closing {} ({}): DUP flag on a QoS 0 PUBLISH", c.clientId, c.remote());
            c.disconnect(ReasonCodes.MALFORMED_PACKET, "DUP on QoS 0");
            return;
        }
        if (c.version.isV5()) {
            topic = resolveAlias(topic, props);
            if (topic == null) {
                return;
            }
        }
        if (!TopicFilters.isValidTopicName(topic)) {
            log.info("client {} published to an invalid topic name", c.clientId);
            c.disconnect(ReasonCodes.TOPIC_NAME_INVALID, "invalid topic name");
            return;
        }
        if (!topicLimits.allows(topic)) {
            log.info("client {} published to a topic beyond the length/level limits", c.clientId);
            refusePublish(qos, packetId, ReasonCodes.TOPIC_NAME_INVALID, "topic too long or too deep");
            return;
        }
        if (qos > 0 && c.core.stateStore().full()) {
            storeFull();
            refusePublish(qos, packetId, ReasonCodes.QUOTA_EXCEEDED, "broker storage full");
            return;
        }
        if (qos == 2 && !c.session.beginInboundQos2(packetId, c.store.changes())) {
            // A duplicate of a QoS 2 message we already routed: acknowledge again, deliver nothing.
            c.store.ack(Packets.pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.SUCCESS, null));
            return;
        }
        if (qos == 2 && c.session.inboundQos2Count() > c.limits.receiveMaximum()) {
            log.info("closing {} ({}): more than {} QoS 2 messages awaiting PUBREL", c.clientId, c.remote(),
                    c.limits.receiveMaximum());
            c.disconnect(ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED, "receive maximum exceeded");
            return;
        }
        if (!c.guard.mayPublish(topic, qos, retain)) {
            refusePublish(qos, packetId, ReasonCodes.NOT_AUTHORIZED, "not authorized");
            return;
        }
        long expiresAt = Message.NO_EXPIRY;
        if (c.version.isV5()) {
            Optional<Integer> expiry = Props.integer(props, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL);
            if (expiry.isPresent()) {
                expiresAt = c.core.clock().millis() + Integer.toUnsignedLong(expiry.get()) * 1000;
            }
        }
        Message msg = new Message(topic, ByteBufUtil.getBytes(m.content()), qos, retain,
                c.version.isV5() ? Props.messageProperties(props) : MessageProperties.NONE, expiresAt, c.clientId);
        int reached = c.core.router().route(msg, this, c.store.changes());
        int code = reached == 0 && c.version.isV5() ? ReasonCodes.NO_MATCHING_SUBSCRIBERS : ReasonCodes.SUCCESS;
        if (qos == 1) {
            c.store.ack(Packets.pubReply(MqttMessageType.PUBACK, packetId, code, null));
        } else if (qos == 2) {
            c.store.ack(Packets.pubReply(MqttMessageType.PUBREC, packetId, code, null));
        }
    }

    /** The topic a PUBLISH is for, after its alias (MQTT 5 §3.3.2.3.4); null when the connection was closed. */
    private String resolveAlias(String topic, MqttProperties props) {
        Optional<Integer> alias = Props.integer(props, MqttPropertyType.TOPIC_ALIAS);
        if (alias.isEmpty()) {
            return topic;
        }
        int a = alias.get();
        if (topicAliases == null || a == 0 || a >= topicAliases.length) {
            c.disconnect(ReasonCodes.TOPIC_ALIAS_INVALID, "topic alias " + a + " out of range");
            return null;
        }
        if (topic == null || topic.isEmpty()) {
            String known = topicAliases[a];
            if (known == null) {
                c.protocolError("unknown topic alias " + a);
            }
            return known;
        }
        topicAliases[a] = topic;
        return topic;
    }

    /** MQTT 5: PUBACK/PUBREC with {@code code} (QoS 0: dropped); MQTT 3: acknowledged and dropped, or closed. */
    private void refusePublish(int qos, int packetId, int code, String why) {
        if (c.version.isV5()) {
            if (qos == 2) {
                // A PUBREC with an error code ends the QoS 2 flow: no PUBREL will follow.
                c.session.endInboundQos2(packetId, c.store.changes());
            }
            if (qos > 0) {
                c.store.ack(Packets.pubReply(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId,
                        code, c.reason(why)));
            }
            return;
        }
        if (c.limits.deniedPublishAction() == DeniedPublishAction.DISCONNECT || code == ReasonCodes.QUOTA_EXCEEDED) {
            // MQTT 3.1.1 cannot say "not now": closing keeps the message with the client.
            c.close("publish refused: " + why);
            return;
        }
        if (qos == 1) {
            c.store.ack(Packets.pubReply(MqttMessageType.PUBACK, packetId, 0, null));
        } else if (qos == 2) {
            c.store.ack(Packets.pubReply(MqttMessageType.PUBREC, packetId, 0, null));
        }
    }

    void onPubRel(int packetId) {
        boolean known = c.session.endInboundQos2(packetId, c.store.changes());
        c.store.ack(Packets.pubReply(MqttMessageType.PUBCOMP, packetId,
                known || !c.version.isV5() ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, null));
    }

    private void storeFull() {
        c.core.storeFullLog().event("store full", "QoS 1/2 PUBLISHes refused: broker storage full",
                "refusing QoS 1/2 PUBLISH from {}: the broker's storage is full (max-disk); QoS 0 still flows",
                c.clientId);
    }

    // ---- held back by a congested subscriber ----

    /** On this connection's event loop (routing runs there): stop reading until released or timed out. */
    @Override
    public void pauseReading() {
        if (c.state != ConnectionContext.State.CONNECTED || c.readGate.holds(ReadGate.CONGESTED)) {
            return;
        }
        c.readGate.hold(ReadGate.CONGESTED);
        // Bounded: a subscriber that stays behind this long stops holding publishers back (its session
        // lets the overflow drop instead), so one stuck subscriber cannot stall this publisher for good.
        pauseTimer = c.ctx.executor().schedule(this::resumeNow, c.limits.slowConsumerTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** From any thread. */
    @Override
    public void resumeReading() {
        c.channel.eventLoop().execute(this::resumeNow);
    }

    private void resumeNow() {
        ConnectionContext.cancel(pauseTimer);
        pauseTimer = null;
        c.readGate.release(ReadGate.CONGESTED);
    }

    void closed() {
        ConnectionContext.cancel(pauseTimer);
        pauseTimer = null;
    }
}

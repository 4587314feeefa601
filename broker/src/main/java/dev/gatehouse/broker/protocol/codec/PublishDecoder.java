package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;
import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.protocolError;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;

/**
 * PUBLISH (MQTT 5 §3.3). The payload is everything after the variable header: a retained slice of
 * the received bytes, never a copy. Wildcards in the topic name and topic aliases are the
 * connection's business (0x90, 0x94 and alias resolution need its state); only what the packet alone
 * shows is checked here.
 */
final class PublishDecoder {
    private PublishDecoder() {
    }

    static MqttPublishMessage read(Frame f, MqttFixedHeader fixed, boolean v5) {
        String topic = f.readUtf8("topic name");
        // Netty's convention: -1 when a QoS 0 PUBLISH has no Packet Identifier.
        int packetId = -1;
        if (fixed.qosLevel().value() > 0) {
            packetId = f.readUnsignedShort("packet identifier");
            if (packetId == 0) {
                throw protocolError("PUBLISH with QoS > 0 and Packet Identifier 0 [MQTT-2.2.1-3]");
            }
        }
        MqttProperties props = v5 ? PropertyReader.read(f, PropertyRules.PUBLISH) : MqttProperties.NO_PROPERTIES;
        if (topic.isEmpty()) {
            if (!v5) {
                throw malformed("empty topic name (MQTT 3.1.1 [MQTT-4.7.3-1])");
            }
            if (props.getProperty(PropertyRules.TOPIC_ALIAS) == null) {
                throw protocolError("empty topic name without a Topic Alias (§3.3.2.1)");
            }
        }
        return new MqttPublishMessage(fixed, new MqttPublishVariableHeader(topic, packetId, props), f.retainedRest());
    }
}

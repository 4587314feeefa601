package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;
import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.protocolError;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import java.util.ArrayList;
import java.util.List;

/**
 * SUBSCRIBE (MQTT 5 §3.8) and UNSUBSCRIBE (§3.10). Topic filter syntax, shared subscriptions and
 * permissions are judged per filter by the connection (SUBACK 0x8F, 0x87 …); here only the packet's
 * own shape is.
 */
final class SubscriptionDecoder {
    private SubscriptionDecoder() {
    }

    static MqttSubscribeMessage subscribe(Frame f, MqttFixedHeader fixed, boolean v5) {
        MqttMessageIdAndPropertiesVariableHeader header = idAndProperties(f, v5, PropertyRules.SUBSCRIBE, "SUBSCRIBE");
        List<MqttTopicSubscription> subscriptions = new ArrayList<>(2);
        while (f.hasRemaining()) {
            String filter = f.readUtf8("topic filter");
            int options = f.readByte("subscription options");
            subscriptions.add(new MqttTopicSubscription(filter, v5 ? options5(options) : options3(options)));
        }
        if (subscriptions.isEmpty()) {
            throw protocolError("SUBSCRIBE without a topic filter [MQTT-3.8.3-2]");
        }
        return new MqttSubscribeMessage(fixed, header, new MqttSubscribePayload(subscriptions));
    }

    static MqttUnsubscribeMessage unsubscribe(Frame f, MqttFixedHeader fixed, boolean v5) {
        MqttMessageIdAndPropertiesVariableHeader header =
                idAndProperties(f, v5, PropertyRules.UNSUBSCRIBE, "UNSUBSCRIBE");
        List<String> filters = new ArrayList<>(2);
        while (f.hasRemaining()) {
            filters.add(f.readUtf8("topic filter"));
        }
        if (filters.isEmpty()) {
            throw protocolError("UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]");
        }
        return new MqttUnsubscribeMessage(fixed, header, new MqttUnsubscribePayload(filters));
    }

    private static MqttMessageIdAndPropertiesVariableHeader idAndProperties(Frame f, boolean v5, int context,
            String packet) {
        int packetId = f.readUnsignedShort("packet identifier");
        if (packetId == 0) {
            throw protocolError(packet + " with Packet Identifier 0 [MQTT-2.2.1-3]");
        }
        MqttProperties props = v5 ? PropertyReader.read(f, context) : MqttProperties.NO_PROPERTIES;
        return new MqttMessageIdAndPropertiesVariableHeader(packetId, props);
    }

    /** MQTT 5 §3.8.3.1: bits 6-7 reserved (malformed, [MQTT-3.8.3-5]); QoS 3 and Retain Handling 3 are protocol errors. */
    private static MqttSubscriptionOption options5(int options) {
        if ((options & 0xC0) != 0) {
            throw malformed("reserved bits set in subscription options [MQTT-3.8.3-5]");
        }
        int qos = options & 0x03;
        if (qos == 3) {
            throw protocolError("subscription with Maximum QoS 3 (§3.8.3.1)");
        }
        int retainHandling = (options >> 4) & 0x03;
        if (retainHandling == 3) {
            throw protocolError("Retain Handling 3 (§3.8.3.1)");
        }
        return new MqttSubscriptionOption(MqttQoS.valueOf(qos), (options & 0x04) != 0, (options & 0x08) != 0,
                RetainedHandlingPolicy.valueOf(retainHandling));
    }

    /** MQTT 3.1.1 §3.8.3.1: the upper 6 bits are reserved and QoS 3 is invalid, both malformed [MQTT-3-8.3-4]. */
    private static MqttSubscriptionOption options3(int requestedQos) {
        if ((requestedQos & 0xFC) != 0 || requestedQos == 3) {
            throw malformed("invalid requested QoS byte 0x" + Integer.toHexString(requestedQos) + " [MQTT-3-8.3-4]");
        }
        return MqttSubscriptionOption.onlyFromQos(MqttQoS.valueOf(requestedQos));
    }
}

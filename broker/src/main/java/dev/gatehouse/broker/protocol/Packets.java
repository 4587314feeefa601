package dev.gatehouse.broker.protocol;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;
import dev.gatehouse.broker.session.Delivery;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;

/** Builds the packets the broker sends, for either protocol version. */
final class Packets {
    private Packets() {
    }

    static MqttConnAckMessage connAck(int code, boolean sessionPresent, MqttProperties props) {
        return new MqttConnAckMessage(new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(MqttConnectReturnCode.valueOf((byte) code), sessionPresent, props));
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP; MQTT 3 peers get the bare packet id (the encoder drops the rest). */
    static MqttMessage pubReply(MqttMessageType type, int packetId, int reasonCode, String reasonString) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, (byte) reasonCode, Props.reasonString(reasonString)));
    }

    static MqttSubAckMessage subAck(int packetId, int[] codes, String reasonString) {
        return new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, Props.reasonString(reasonString)),
                new MqttSubAckPayload(codes));
    }

    static MqttUnsubAckMessage unsubAck(int packetId, short[] codes, boolean v5) {
        MqttFixedHeader h = new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);
        MqttMessageIdAndPropertiesVariableHeader vh =
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES);
        return v5 ? new MqttUnsubAckMessage(h, vh, new MqttUnsubAckPayload(codes)) : new MqttUnsubAckMessage(h, vh);
    }

    static MqttMessage disconnect(int reasonCode, String reasonString) {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, Props.reasonString(reasonString)));
    }

    static MqttMessage auth(int reasonCode, String method, byte[] data) {
        MqttProperties p = new MqttProperties();
        Props.addString(p, MqttPropertyType.AUTHENTICATION_METHOD, method);
        if (data != null && data.length > 0) {
            Props.addBinary(p, MqttPropertyType.AUTHENTICATION_DATA, data);
        }
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, p));
    }

    static MqttMessage pingResp() {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));
    }

    /**
     * The PUBLISH for one delivery; the payload array is wrapped, never copied. With {@code aliases}
     * (MQTT 5, the client accepts them) the topic travels as an alias once the client knows it.
     */
    static MqttPublishMessage publish(Delivery d, int packetId, boolean dup, boolean v5, long nowMillis,
                                      OutboundTopicAliases aliases) {
        Message m = d.message();
        String topic = m.topic();
        int alias = 0;
        if (aliases != null) {
            int a = aliases.aliasFor(topic);
            alias = Math.abs(a);
            if (a > 0) {
                topic = "";
            }
        }
        MqttProperties props = v5 ? publishProperties(d, nowMillis, alias) : MqttProperties.NO_PROPERTIES;
        return new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(d.qos()), d.retain(), 0),
                new MqttPublishVariableHeader(topic, packetId, props),
                Unpooled.wrappedBuffer(m.payload()));
    }

    private static MqttProperties publishProperties(Delivery d, long nowMillis, int alias) {
        Message m = d.message();
        MessageProperties mp = m.properties();
        if (mp.isEmpty() && m.expiresAt() == Message.NO_EXPIRY && d.subscriptionIds().length == 0 && alias == 0) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        if (alias != 0) {
            Props.addInt(p, MqttPropertyType.TOPIC_ALIAS, alias);
        }
        if (mp.payloadFormatUtf8()) {
            Props.addInt(p, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1);
        }
        if (m.expiresAt() != Message.NO_EXPIRY) {
            Props.addInt(p, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, (int) m.remainingExpirySeconds(nowMillis));
        }
        mp.contentType().ifPresent(v -> Props.addString(p, MqttPropertyType.CONTENT_TYPE, v));
        mp.responseTopic().ifPresent(v -> Props.addString(p, MqttPropertyType.RESPONSE_TOPIC, v));
        mp.correlationData().ifPresent(v -> Props.addBinary(p, MqttPropertyType.CORRELATION_DATA, v));
        Props.addUserProperties(p, mp.userProperties());
        for (int id : d.subscriptionIds()) {
            Props.addInt(p, MqttPropertyType.SUBSCRIPTION_IDENTIFIER, id);
        }
        return p;
    }
}

package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (MQTT 5 §3.4-3.7): a Packet Identifier, and in MQTT 5 an
 * optional Reason Code and properties (omitted when 0x00 with none, §3.4.2.1). Like Netty's decoder,
 * every version gets a {@link MqttPubReplyMessageVariableHeader} (code 0x00 and no properties for
 * MQTT 3), which is also the {@code MqttMessageIdVariableHeader} the connection reads.
 */
final class AckDecoder {
    private AckDecoder() {
    }

    static MqttMessage read(Frame f, MqttFixedHeader fixed, boolean v5) {
        MqttMessageType type = fixed.messageType();
        int packetId = f.readUnsignedShort("packet identifier");
        int code = 0;
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            if (f.hasRemaining()) {
                code = f.readByte("reason code");
                boolean pubAckOrRec = type == MqttMessageType.PUBACK || type == MqttMessageType.PUBREC;
                if (!ReasonCodeSets.contains(pubAckOrRec ? ReasonCodeSets.PUBACK_PUBREC : ReasonCodeSets.PUBREL_PUBCOMP,
                        code)) {
                    throw malformed("reason code 0x" + Integer.toHexString(code) + " is not defined for " + type);
                }
                if (f.hasRemaining()) {
                    props = PropertyReader.read(f, context(type));
                }
            }
        }
        f.expectEnd(type.name());
        return MqttMessageFactory.newMessage(fixed, new MqttPubReplyMessageVariableHeader(packetId, (byte) code, props),
                null);
    }

    private static int context(MqttMessageType type) {
        return switch (type) {
            case PUBACK -> PropertyRules.PUBACK;
            case PUBREC -> PropertyRules.PUBREC;
            case PUBREL -> PropertyRules.PUBREL;
            default -> PropertyRules.PUBCOMP;
        };
    }
}

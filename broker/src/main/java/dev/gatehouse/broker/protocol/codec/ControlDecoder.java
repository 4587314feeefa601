package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

/**
 * The packets without a Packet Identifier that a client sends after CONNECT: PINGREQ (§3.12, empty),
 * DISCONNECT (§3.14) and AUTH (§3.15, MQTT 5 only). DISCONNECT and AUTH always get a
 * {@link MqttReasonCodeAndPropertiesVariableHeader}, with 0x00 and no properties when omitted (and for
 * an MQTT 3 DISCONNECT, which has neither), as Netty's decoder gives them.
 */
final class ControlDecoder {
    private ControlDecoder() {
    }

    static MqttMessage pingReq(Frame f) {
        f.expectEnd("PINGREQ");
        // Immutable and identical to a decoded one: no allocation for the most frequent idle packet.
        return MqttMessage.PINGREQ;
    }

    static MqttMessage disconnect(Frame f, MqttFixedHeader fixed, boolean v5) {
        if (!v5) {
            f.expectEnd("DISCONNECT");
            return new MqttMessage(fixed, new MqttReasonCodeAndPropertiesVariableHeader((byte) 0,
                    MqttProperties.NO_PROPERTIES));
        }
        return new MqttMessage(fixed, reasonAndProperties(f, ReasonCodeSets.DISCONNECT, PropertyRules.DISCONNECT,
                "DISCONNECT"));
    }

    static MqttMessage auth(Frame f, MqttFixedHeader fixed) {
        return new MqttMessage(fixed, reasonAndProperties(f, ReasonCodeSets.AUTH, PropertyRules.AUTH, "AUTH"));
    }

    private static MqttReasonCodeAndPropertiesVariableHeader reasonAndProperties(Frame f, long[] codes, int context,
            String packet) {
        int code = 0;
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (f.hasRemaining()) {
            code = f.readByte("reason code");
            if (!ReasonCodeSets.contains(codes, code)) {
                throw malformed("reason code 0x" + Integer.toHexString(code) + " is not defined for " + packet);
            }
            if (f.hasRemaining()) {
                props = PropertyReader.read(f, context);
            }
        }
        f.expectEnd(packet);
        return new MqttReasonCodeAndPropertiesVariableHeader((byte) code, props);
    }
}

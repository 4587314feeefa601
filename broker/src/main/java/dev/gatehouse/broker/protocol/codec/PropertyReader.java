package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;
import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.protocolError;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperty;

/**
 * Reads one MQTT 5 property block (§2.2.2) into Netty's {@link MqttProperties}, checking it against
 * {@link PropertyRules} for the packet it is in. Which failure is which code:
 * <ul>
 * <li>malformed (0x81): the block or a value runs past its length or the frame, an unknown identifier,
 *     an identifier not valid for the packet type (§2.2.2.2);
 * <li>protocol error (0x82): a property that may appear once appearing twice, and values the spec
 *     names a protocol error (0 for Receive Maximum §3.1.2.11.3, Maximum Packet Size §3.1.2.11.4,
 *     Subscription Identifier §3.8.2.1.2; not 0/1 for Request Problem / Response Information
 *     §3.1.2.11.6-7; Subscription Identifier in a client's PUBLISH [MQTT-3.3.4-6]; Authentication
 *     Data without Authentication Method §3.1.2.11.10).
 * </ul>
 * A Payload Format Indicator other than 0/1 and a Response Topic that is not a Topic Name (empty or
 * with a wildcard, [MQTT-3.3.2-14]) parse but are not allowed: protocol errors as well.
 */
final class PropertyReader {
    private PropertyReader() {
    }

    /** Read the Property Length and the properties after it; none gives the shared empty instance. */
    static MqttProperties read(Frame f, int context) {
        int length = f.readVarInt("property length");
        if (length == 0) {
            return MqttProperties.NO_PROPERTIES;
        }
        int end = f.boundedEnd(length, "properties");
        MqttProperties props = new MqttProperties();
        long seen = 0;
        while (f.position() < end) {
            int id = f.readVarInt("property identifier");
            byte type = PropertyRules.type(id);
            if (type == 0) {
                throw malformed("unknown property identifier 0x" + Integer.toHexString(id));
            }
            if (id == PropertyRules.SUBSCRIPTION_IDENTIFIER && context == PropertyRules.PUBLISH) {
                throw protocolError("Subscription Identifier in a PUBLISH from a client [MQTT-3.3.4-6]");
            }
            if (!PropertyRules.allowedIn(id, context)) {
                throw malformed("property 0x" + Integer.toHexString(id) + " not valid in this packet (§2.2.2.2)");
            }
            if (id != PropertyRules.USER_PROPERTY) {
                long bit = 1L << id;
                if ((seen & bit) != 0) {
                    throw protocolError("property 0x" + Integer.toHexString(id) + " included more than once");
                }
                seen |= bit;
            }
            props.add(value(f, id, type));
            if (f.position() > end) {
                throw malformed("property 0x" + Integer.toHexString(id) + " runs past the property length");
            }
        }
        if (context == PropertyRules.CONNECT && (seen & (1L << PropertyRules.AUTHENTICATION_DATA)) != 0
                && (seen & (1L << PropertyRules.AUTHENTICATION_METHOD)) == 0) {
            throw protocolError("Authentication Data without Authentication Method (§3.1.2.11.10)");
        }
        return props;
    }

    private static MqttProperties.MqttProperty<?> value(Frame f, int id, byte type) {
        return switch (type) {
            case PropertyRules.BYTE -> new IntegerProperty(id, checkByte(id, f.readByte("property value")));
            case PropertyRules.TWO_BYTE -> new IntegerProperty(id, checkInt(id, f.readUnsignedShort("property value")));
            case PropertyRules.FOUR_BYTE -> new IntegerProperty(id, checkInt(id, f.readInt("property value")));
            case PropertyRules.VAR_INT -> new IntegerProperty(id, checkInt(id, f.readVarInt("property value")));
            case PropertyRules.UTF8 -> new StringProperty(id, checkString(id, f.readUtf8("property value")));
            case PropertyRules.BINARY -> new BinaryProperty(id, f.readBinary("property value"));
            default -> new UserProperty(f.readUtf8("user property name"), f.readUtf8("user property value"));
        };
    }

    private static int checkByte(int id, int v) {
        if (v > 1 && (id == PropertyRules.PAYLOAD_FORMAT_INDICATOR || id == PropertyRules.REQUEST_PROBLEM_INFORMATION
                || id == PropertyRules.REQUEST_RESPONSE_INFORMATION)) {
            throw protocolError("property 0x" + Integer.toHexString(id) + " must be 0 or 1, was " + v);
        }
        return v;
    }

    private static int checkInt(int id, int v) {
        if (v == 0 && (id == PropertyRules.RECEIVE_MAXIMUM || id == PropertyRules.MAXIMUM_PACKET_SIZE
                || id == PropertyRules.SUBSCRIPTION_IDENTIFIER)) {
            throw protocolError("property 0x" + Integer.toHexString(id) + " must not be 0");
        }
        return v;
    }

    private static String checkString(int id, String s) {
        if (id == PropertyRules.RESPONSE_TOPIC && (s.isEmpty() || s.indexOf('+') >= 0 || s.indexOf('#') >= 0)) {
            throw protocolError("Response Topic is not a topic name [MQTT-3.3.2-14]");
        }
        return s;
    }
}

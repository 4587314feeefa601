package dev.gatehouse.broker.protocol.codec;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;

/**
 * Maps the cause in a failed decoder result to the MQTT 5 reason code a CONNACK or DISCONNECT
 * should carry, and to a short text for the reason string and the log.
 */
public final class DecodeFailures {
    /** MQTT 5 reason code 0x95 Packet too large. */
    public static final int PACKET_TOO_LARGE = 0x95;
    /** MQTT 5 reason code 0x84 Unsupported Protocol Version. */
    public static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    /** MQTT 5 reason code 0x85 Client Identifier not valid. */
    public static final int CLIENT_IDENTIFIER_NOT_VALID = 0x85;

    private DecodeFailures() {
    }

    /** The MQTT 5 reason code for {@code cause}; anything unknown counts as a malformed packet. */
    public static int reasonCode(Throwable cause) {
        if (cause instanceof MalformedPacketException m) {
            return m.reasonCode();
        }
        if (cause instanceof TooLongFrameException) {
            return PACKET_TOO_LARGE;
        }
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            return UNSUPPORTED_PROTOCOL_VERSION;
        }
        if (cause instanceof MqttIdentifierRejectedException) {
            return CLIENT_IDENTIFIER_NOT_VALID;
        }
        return MalformedPacketException.MALFORMED_PACKET;
    }

    /** A short text naming the kind of failure (the cause's message holds the detail). */
    public static String text(Throwable cause) {
        return switch (reasonCode(cause)) {
            case PACKET_TOO_LARGE -> "packet too large";
            case MalformedPacketException.PROTOCOL_ERROR -> "protocol error";
            case UNSUPPORTED_PROTOCOL_VERSION -> "unsupported protocol version";
            case CLIENT_IDENTIFIER_NOT_VALID -> "client identifier not valid";
            default -> "malformed packet";
        };
    }
}

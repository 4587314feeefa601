package dev.gatehouse.broker.protocol.codec;

import io.netty.handler.codec.DecoderException;

/**
 * A packet the decoder refused, with the MQTT 5 reason code the spec gives for the rule it broke:
 * {@link #MALFORMED_PACKET} (0x81, the bytes cannot be parsed as the packet) or {@link #PROTOCOL_ERROR}
 * (0x82, parsed but not allowed). MQTT 3 connections are closed without a code.
 *
 * <p>It carries no stack trace: a peer can provoke one per connection, and the place in the decoder is
 * named by the message.
 */
public final class MalformedPacketException extends DecoderException {
    private static final long serialVersionUID = 1L;

    /** MQTT 5 reason code 0x81 Malformed Packet. */
    public static final int MALFORMED_PACKET = 0x81;
    /** MQTT 5 reason code 0x82 Protocol Error. */
    public static final int PROTOCOL_ERROR = 0x82;

    private final int reasonCode;

    private MalformedPacketException(int reasonCode, String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    /** The bytes do not parse as the packet (MQTT 5 §1.2 "Malformed Packet"). */
    public static MalformedPacketException malformed(String message) {
        return new MalformedPacketException(MALFORMED_PACKET, message);
    }

    /** The packet parses but carries data the protocol forbids (MQTT 5 §1.2 "Protocol Error"). */
    public static MalformedPacketException protocolError(String message) {
        return new MalformedPacketException(PROTOCOL_ERROR, message);
    }

    /** 0x81 or 0x82. */
    public int reasonCode() {
        return reasonCode;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}

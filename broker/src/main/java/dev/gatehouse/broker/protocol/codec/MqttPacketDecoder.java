package dev.gatehouse.broker.protocol.codec;

import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.malformed;
import static dev.gatehouse.broker.protocol.codec.MalformedPacketException.protocolError;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import java.util.List;

/**
 * The broker's MQTT 3.1 / 3.1.1 / 5.0 decoder for packets a client sends, producing the message
 * objects of Netty's codec ({@code MqttConnectMessage}, {@code MqttPublishMessage} …).
 *
 * <p>Every packet is framed by its Remaining Length first (MQTT 5 §2.1.4): the size is checked against
 * the maximum packet size as soon as the length is known, before the body is waited for, and the
 * packet is then decoded within exactly its frame. A field running past the frame, or bytes left
 * after the last field, make the packet malformed; nothing is ever read from the next packet.
 *
 * <p>Bad input never throws out of the pipeline: the decoder emits one {@link MqttMessage} whose
 * {@code decoderResult()} failed with the cause, then discards everything else the connection sends.
 * The causes: {@link TooLongFrameException} (0x95), {@code MqttUnacceptableProtocolVersionException},
 * {@code MqttIdentifierRejectedException}, and {@link MalformedPacketException} (0x81 or 0x82) for
 * the rest; {@link DecodeFailures} maps them to reason codes.
 *
 * <p>The protocol version is stored in the channel attribute {@code NETTY_CODEC_MQTT_VERSION}, which
 * Netty's {@code MqttEncoder} reads, as soon as CONNECT's level is known, so a refusal of a malformed
 * CONNECT can be written in the client's format. One instance per channel: it holds that channel's state.
 */
public final class MqttPacketDecoder extends ByteToMessageDecoder {
    private static final AttributeKey<MqttVersion> VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final int maxPacketSize;
    private final int maxClientIdLength;
    private final Frame frame = new Frame();
    /** Set by the first CONNECT; later CONNECTs (a protocol error the connection reports) do not change it. */
    private MqttVersion version;
    private boolean failed;

    /**
     * @param maxPacketSize     the largest packet accepted, fixed header included (MQTT 5 §3.2.2.3.6)
     * @param maxClientIdLength the longest client identifier accepted, in UTF-16 characters
     */
    public MqttPacketDecoder(int maxPacketSize, int maxClientIdLength) {
        if (maxPacketSize < 2 || maxClientIdLength < 1) {
            throw new IllegalArgumentException("maxPacketSize " + maxPacketSize + ", maxClientIdLength "
                    + maxClientIdLength);
        }
        this.maxPacketSize = maxPacketSize;
        this.maxClientIdLength = maxClientIdLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            // The connection stopped reading (backpressure): stop at this packet boundary too, or one read
            // of small packets would still produce thousands of replies. What is buffered waits for resume().
            return;
        }
        int start = in.readerIndex();
        int available = in.readableBytes();
        try {
            // Fixed header (§2.1.1): one type/flags byte, then the Remaining Length in 1 to 4 bytes (§1.5.5).
            int remaining = 0;
            int headerLength = 0;
            for (int i = 1; i <= 4; i++) {
                if (available <= i) {
                    return;
                }
                int b = in.getUnsignedByte(start + i);
                remaining |= (b & 0x7F) << (7 * (i - 1));
                if ((b & 0x80) == 0) {
                    if (b == 0 && i > 1) {
                        throw malformed("Remaining Length not in its shortest encoding [MQTT-1.5.5-1]");
                    }
                    headerLength = i + 1;
                    break;
                }
            }
            if (headerLength == 0) {
                throw malformed("Remaining Length longer than 4 bytes (§1.5.5)");
            }
            long packetSize = (long) headerLength + remaining;
            if (packetSize > maxPacketSize) {
                throw new TooLongFrameException("packet of " + packetSize + " bytes exceeds the maximum of "
                        + maxPacketSize);
            }
            if (available < packetSize) {
                return;
            }
            int end = start + (int) packetSize;
            frame.reset(in, start + headerLength, end);
            MqttMessage message;
            try {
                message = decodePacket(ctx, in.getUnsignedByte(start), remaining);
            } finally {
                frame.clear();
            }
            in.readerIndex(end);
            out.add(message);
        } catch (DecoderException e) {
            fail(in, out, e);
        } catch (RuntimeException e) {
            // A Netty constructor refusing a value the checks above let through: still the peer's bytes.
            fail(in, out, malformed("undecodable packet: " + e));
        }
    }

    /**
     * While reading is paused, do not ask for more bytes the way {@code ByteToMessageDecoder} does when a
     * read produced nothing: the bytes already buffered are all a paused connection may hold.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().config().isAutoRead()) {
            discardSomeReadBytes();
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    /**
     * Reading resumed: decode what was buffered while paused, in a task of its own (the caller may be
     * inside this decoder's read), without waiting for the client to send more.
     */
    public void resume(ChannelHandlerContext ctx) {
        ctx.executor().execute(() -> {
            if (!ctx.isRemoved() && ctx.channel().config().isAutoRead() && internalBuffer().isReadable()) {
                try {
                    channelRead(ctx, io.netty.buffer.Unpooled.EMPTY_BUFFER);
                    channelReadComplete(ctx);
                } catch (Exception e) {
                    ctx.fireExceptionCaught(e);
                }
            }
        });
    }

    private void fail(ByteBuf in, List<Object> out, DecoderException cause) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(MqttMessageFactory.newInvalidMessage(cause));
    }

    private MqttMessage decodePacket(ChannelHandlerContext ctx, int first, int remaining) {
        int type = first >>> 4;
        int flags = first & 0x0F;
        if (type == 1) {
            return connect(ctx, flags, remaining);
        }
        MqttVersion v = currentVersion(ctx);
        boolean v5 = v == MqttVersion.MQTT_5;
        checkFlags(type, flags, v);
        if (type == 12) {
            return ControlDecoder.pingReq(frame);
        }
        MqttFixedHeader fixed = new MqttFixedHeader(MqttMessageType.valueOf(type), (flags & 0x08) != 0,
                MqttQoS.valueOf((flags >> 1) & 0x03), (flags & 0x01) != 0, remaining);
        return switch (type) {
            case 3 -> PublishDecoder.read(frame, fixed, v5);
            case 4, 5, 6, 7 -> AckDecoder.read(frame, fixed, v5);
            case 8 -> SubscriptionDecoder.subscribe(frame, fixed, v5);
            case 10 -> SubscriptionDecoder.unsubscribe(frame, fixed, v5);
            case 14 -> ControlDecoder.disconnect(frame, fixed, v5);
            case 15 -> ControlDecoder.auth(frame, fixed);
            default -> throw new IllegalStateException("type " + type); // refused by checkFlags
        };
    }

    private MqttMessage connect(ChannelHandlerContext ctx, int flags, int remaining) {
        if (flags != 0) {
            throw malformed("reserved fixed header flags of CONNECT set (§2.1.3)");
        }
        MqttVersion v = ConnectDecoder.readProtocol(frame);
        if (version == null) {
            version = v;
            ctx.channel().attr(VERSION).set(v);
        }
        MqttFixedHeader fixed = new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, false,
                remaining);
        return ConnectDecoder.readRest(frame, fixed, v, maxClientIdLength);
    }

    /** Before CONNECT (the connection refuses such packets anyway) whatever the channel says, else 3.1.1. */
    private MqttVersion currentVersion(ChannelHandlerContext ctx) {
        if (version != null) {
            return version;
        }
        MqttVersion v = ctx.channel().attr(VERSION).get();
        return v != null ? v : MqttVersion.MQTT_3_1_1;
    }

    /**
     * The packet type and its fixed header flags (§2.1.2-3): reserved flags must be as the table says,
     * else the packet is malformed. MQTT 3.1 marked these bits "unused" and let a resent PUBREL or
     * SUBSCRIBE carry DUP, so for it only PUBLISH's flags are checked.
     */
    private static void checkFlags(int type, int flags, MqttVersion v) {
        boolean v31 = v == MqttVersion.MQTT_3_1;
        switch (type) {
            case 0 -> throw malformed("reserved packet type 0 (§2.1.2)");
            case 2, 9, 11, 13 -> throw protocolError(MqttMessageType.valueOf(type) + " is sent by servers only");
            case 15 -> {
                if (v != MqttVersion.MQTT_5) {
                    throw malformed("packet type 15 is reserved before MQTT 5");
                }
                requireFlags(type, flags, 0);
            }
            case 3 -> {
                int qos = (flags >> 1) & 0x03;
                if (qos == 3) {
                    throw malformed("PUBLISH with both QoS bits set [MQTT-3.3.1-4]");
                }
                if (qos == 0 && (flags & 0x08) != 0) {
                    throw malformed("DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]");
                }
            }
            case 6, 8, 10 -> {
                if (!v31) {
                    requireFlags(type, flags, 0x02);
                }
            }
            default -> {
                if (!v31) {
                    requireFlags(type, flags, 0);
                }
            }
        }
    }

    private static void requireFlags(int type, int flags, int expected) {
        if (flags != expected) {
            throw malformed("fixed header flags 0x" + Integer.toHexString(flags) + " of "
                    + MqttMessageType.valueOf(type) + " must be 0x" + Integer.toHexString(expected) + " (§2.1.3)");
        }
    }
}

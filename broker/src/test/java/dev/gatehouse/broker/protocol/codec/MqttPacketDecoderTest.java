package dev.gatehouse.broker.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MqttPacketDecoder} in an {@link EmbeddedChannel}: every client packet type encoded by Netty's
 * {@code MqttEncoder} decodes to what Netty's own decoder makes of the same bytes (same classes, same
 * fields); then corrupted and truncated bytes give one failed decoder result with the right cause.
 */
class MqttPacketDecoderTest {
    static final AttributeKey<MqttVersion> VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    static final int MAX_PACKET = 4096;
    static final int MAX_ID = 64;

    // ---- round trips ----

    static Stream<Arguments> packets() {
        List<Arguments> out = new ArrayList<>();
        for (MqttVersion v : List.of(MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5)) {
            for (MqttMessage m : samples(v)) {
                out.add(Arguments.of(v, m.fixedHeader().messageType() + " " + describe(m), m));
            }
        }
        for (MqttMessage m : List.of(connect(MqttVersion.MQTT_3_1, false), connect(MqttVersion.MQTT_3_1, true))) {
            out.add(Arguments.of(MqttVersion.MQTT_3_1, "CONNECT 3.1", m));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("packets")
    void decodesWhatNettysEncoderWroteAsNettysDecoderDoes(MqttVersion version, String name, MqttMessage sample) {
        byte[] bytes = encode(version, sample);
        MqttMessage ours = decodeOne(new MqttPacketDecoder(MAX_PACKET, MAX_ID), version, bytes);
        MqttMessage netty = decodeOne(new MqttDecoder(MAX_PACKET, MAX_ID), version, bytes);
        try {
            assertThat(ours.decoderResult().isSuccess()).as("%s", ours.decoderResult()).isTrue();
            assertThat(netty.decoderResult().isSuccess()).isTrue();
            assertThat(describe(ours)).isEqualTo(describe(netty));
            assertThat(classes(ours)).isEqualTo(classes(netty));
        } finally {
            ReferenceCountUtil.release(ours);
            ReferenceCountUtil.release(netty);
            ReferenceCountUtil.release(sample);
        }
    }

    @Test
    void publishPayloadIsASliceOfTheReceivedBytesNotACopy() {
        EmbeddedChannel ch = channel(MqttVersion.MQTT_5);
        ByteBuf in = Unpooled.wrappedBuffer(encode(MqttVersion.MQTT_5, publish(MqttVersion.MQTT_5, 1, true)));
        ch.writeInbound(in);
        MqttPublishMessage m = ch.readInbound();
        assertThat(m.content().unwrap()).isNotNull();
        assertThat(m.content().refCnt()).isEqualTo(in.refCnt()).isPositive();
        assertThat(ByteBufUtil.getBytes(m.content())).isEqualTo(payloadBytes());
        m.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void framesArrivingByteByByteDecodeTheSame() {
        EmbeddedChannel ch = channel(MqttVersion.MQTT_5);
        byte[] a = encode(MqttVersion.MQTT_5, publish(MqttVersion.MQTT_5, 2, true));
        byte[] b = encode(MqttVersion.MQTT_5, MqttMessage.PINGREQ);
        byte[] all = concat(a, b);
        for (byte x : all) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {x}));
        }
        MqttPublishMessage p = ch.readInbound();
        assertThat(p.decoderResult().isSuccess()).isTrue();
        assertThat(p.variableHeader().topicName()).isEqualTo("site/7/temp");
        p.release();
        MqttMessage ping = ch.readInbound();
        assertThat(ping.fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGREQ);
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void theVersionIsRecordedAtConnectAndASecondConnectDoesNotChangeIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttPacketDecoder(MAX_PACKET, MAX_ID));
        ch.writeInbound(Unpooled.wrappedBuffer(encode(MqttVersion.MQTT_5, connect(MqttVersion.MQTT_5, true))));
        assertThat(ch.attr(VERSION).get()).isEqualTo(MqttVersion.MQTT_5);
        ch.writeInbound(Unpooled.wrappedBuffer(encode(MqttVersion.MQTT_3_1_1, connect(MqttVersion.MQTT_3_1_1, false))));
        assertThat(ch.attr(VERSION).get()).isEqualTo(MqttVersion.MQTT_5);
        MqttMessage first = ch.readInbound();
        MqttMessage second = ch.readInbound();
        assertThat(first.decoderResult().isSuccess()).isTrue();
        assertThat(second.decoderResult().isSuccess()).as("the handler refuses it, with the client's format").isTrue();
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void theVersionIsRecordedEvenWhenTheRestOfTheConnectIsMalformed(MqttVersion version) {
        byte[] bytes = encode(version, connect(version, false));
        bytes[1 + 1 + 6 + 1] |= 0x01; // reserved connect flag [MQTT-3.1.2-3]
        EmbeddedChannel ch = new EmbeddedChannel(new MqttPacketDecoder(MAX_PACKET, MAX_ID));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        assertFailure(ch.readInbound(), MalformedPacketException.class, 0x81);
        assertThat(ch.attr(VERSION).get()).isEqualTo(version);
        ch.finishAndReleaseAll();
    }

    // ---- failures ----

    @Test
    void aVariableHeaderClaimingMoreThanTheRemainingLengthFailsInsteadOfSwallowingTheNextPacket() {
        // PUBLISH, Remaining Length 4: a topic length of 16 but only "ab" in the frame; then a PINGREQ.
        byte[] bytes = {0x30, 0x04, 0x00, 0x10, 'a', 'b', (byte) 0xC0, 0x00};
        for (MqttVersion v : List.of(MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5)) {
            EmbeddedChannel ch = channel(v);
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
            assertFailure(ch.readInbound(), MalformedPacketException.class, 0x81);
            assertThat((Object) ch.readInbound()).as("nothing after the failure, the PINGREQ included").isNull();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void everythingAfterAFailureIsDiscarded() {
        EmbeddedChannel ch = channel(MqttVersion.MQTT_5);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x00, 0x00}));
        assertFailure(ch.readInbound(), MalformedPacketException.class, 0x81);
        ch.writeInbound(Unpooled.wrappedBuffer(encode(MqttVersion.MQTT_5, MqttMessage.PINGREQ)));
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void anOversizedPacketFailsAsSoonAsItsLengthIsKnownWithoutWaitingForTheBody() {
        EmbeddedChannel ch = channel(MqttVersion.MQTT_5);
        // Remaining Length 16384 (0x80 0x80 0x01): only the fixed header is sent.
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x30, (byte) 0x80, (byte) 0x80, 0x01}));
        MqttMessage m = ch.readInbound();
        assertThat(m.decoderResult().cause()).isInstanceOf(TooLongFrameException.class);
        assertThat(DecodeFailures.reasonCode(m.decoderResult().cause())).isEqualTo(0x95);
        ch.finishAndReleaseAll();
    }

    @Test
    void thePacketSizeLimitCountsTheWholePacket() {
        // MQTT 5 §3.2.2.3.6: Maximum Packet Size is the total size, fixed header included.
        EmbeddedChannel ch = new EmbeddedChannel(new MqttPacketDecoder(10, MAX_ID));
        ch.attr(VERSION).set(MqttVersion.MQTT_3_1_1);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x30, 0x08, 0x00, 0x01, 'a', 'p', 'p', 'p', 'p', 'p'}));
        MqttPublishMessage ok = ch.readInbound();
        assertThat(ok.decoderResult().isSuccess()).isTrue();
        ok.release();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x30, 0x09}));
        assertThat(((MqttMessage) ch.readInbound()).decoderResult().cause()).isInstanceOf(TooLongFrameException.class);
        ch.finishAndReleaseAll();
    }

    @Test
    void anIncompleteFrameIsWaitedFor() {
        EmbeddedChannel ch = channel(MqttVersion.MQTT_3_1_1);
        byte[] full = encode(MqttVersion.MQTT_3_1_1, publish(MqttVersion.MQTT_3_1_1, 1, false));
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(full, full.length - 1)));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {full[full.length - 1]}));
        MqttPublishMessage m = ch.readInbound();
        assertThat(m.decoderResult().isSuccess()).isTrue();
        m.release();
        ch.finishAndReleaseAll();
    }

    /** Corruptions of valid encodings: version, name, bytes, expected cause, expected code. */
    static Stream<Arguments> corruptions() {
        MqttVersion v3 = MqttVersion.MQTT_3_1_1;
        MqttVersion v5 = MqttVersion.MQTT_5;
        Class<?> bad = MalformedPacketException.class;
        return Stream.of(
                Arguments.of(v5, "5th Remaining Length byte (§1.5.5)", hex("30ffffffff01"), bad, 0x81),
                Arguments.of(v5, "Remaining Length not minimal [MQTT-1.5.5-1]", hex("c08000"), bad, 0x81),
                Arguments.of(v5, "PINGREQ with a body", hex("c00100"), bad, 0x81),
                Arguments.of(v3, "PUBLISH truncated topic", hex("3003000561"), bad, 0x81),
                Arguments.of(v5, "PUBLISH property length past the frame", hex("3005000161" + "0a01"), bad, 0x81),
                Arguments.of(v5, "PUBLISH unknown property 0x7f", hex("3006000161" + "027f00"), bad, 0x81),
                Arguments.of(v5, "PUBLISH Session Expiry Interval (§2.2.2.2)", hex("3009000161" + "051100000001"), bad, 0x81),
                Arguments.of(v5, "PUBLISH Subscription Identifier [MQTT-3.3.4-6]", hex("3006000161" + "020b01"), bad, 0x82),
                Arguments.of(v5, "PUBLISH Payload Format Indicator 2", hex("3006000161" + "020102"), bad, 0x82),
                Arguments.of(v5, "PUBLISH Topic Alias twice", hex("300b000161" + "0723000123000200"), bad, 0x82),
                Arguments.of(v5, "PUBLISH Response Topic with #", hex("3008000161" + "040800012300"), bad, 0x82),
                Arguments.of(v5, "PUBLISH empty topic without alias (§3.3.2.1)", hex("30030000" + "00"), bad, 0x82),
                Arguments.of(v3, "PUBLISH empty topic (3.1.1)", hex("30020000"), bad, 0x81),
                Arguments.of(v5, "PUBLISH QoS 3 [MQTT-3.3.1-4]", hex("3606000161000100"), bad, 0x81),
                Arguments.of(v3, "PUBLISH QoS 0 with DUP [MQTT-3.3.1-2]", hex("3803000161"), bad, 0x81),
                Arguments.of(v3, "PUBLISH QoS 1 packet id 0 [MQTT-2.2.1-3]", hex("32050001610000"), bad, 0x82),
                Arguments.of(v3, "PUBLISH invalid UTF-8 (lone continuation)", hex("3003000180"), bad, 0x81),
                Arguments.of(v3, "PUBLISH U+0000 [MQTT-1.5.4-2]", hex("3003000100"), bad, 0x81),
                Arguments.of(v3, "PUBLISH surrogate U+D800 [MQTT-1.5.4-1]", hex("30050003eda080"), bad, 0x81),
                Arguments.of(v3, "PUBLISH overlong NUL C0 80", hex("30040002c080"), bad, 0x81),
                Arguments.of(v3, "PUBLISH beyond U+10FFFF", hex("30060004f4908080"), bad, 0x81),
                Arguments.of(v3, "PUBACK flags 0x2 (§2.1.3)", hex("42020001"), bad, 0x81),
                Arguments.of(v3, "PUBREL flags 0x0 [MQTT-3.6.1-1]", hex("60020001"), bad, 0x81),
                Arguments.of(v3, "PUBACK with an extra byte", hex("4003000100"), bad, 0x81),
                Arguments.of(v5, "PUBACK undefined reason code", hex("4003000101"), bad, 0x81),
                Arguments.of(v5, "PUBREL reason code 0x10", hex("6203000110"), bad, 0x81),
                Arguments.of(v3, "SUBSCRIBE flags 0x0 [MQTT-3.8.1-1]", hex("8006000100016100"), bad, 0x81),
                Arguments.of(v3, "SUBSCRIBE without filters [MQTT-3.8.3-3]", hex("82020001"), bad, 0x82),
                Arguments.of(v5, "SUBSCRIBE without filters [MQTT-3.8.3-2]", hex("8203000100"), bad, 0x82),
                Arguments.of(v3, "SUBSCRIBE packet id 0", hex("8206000000016101"), bad, 0x82),
                Arguments.of(v3, "SUBSCRIBE reserved QoS bits [MQTT-3-8.3-4]", hex("8206000100016104"), bad, 0x81),
                Arguments.of(v3, "SUBSCRIBE QoS 3 (3.1.1)", hex("8206000100016103"), bad, 0x81),
                Arguments.of(v5, "SUBSCRIBE reserved option bits [MQTT-3.8.3-5]", hex("820700010000016140"), bad, 0x81),
                Arguments.of(v5, "SUBSCRIBE QoS 3 (§3.8.3.1)", hex("820700010000016103"), bad, 0x82),
                Arguments.of(v5, "SUBSCRIBE Retain Handling 3 (§3.8.3.1)", hex("820700010000016130"), bad, 0x82),
                Arguments.of(v5, "SUBSCRIBE Subscription Identifier 0", hex("8209000102" + "0b00" + "00016100"), bad, 0x82),
                Arguments.of(v5, "SUBSCRIBE truncated options", hex("82060001000001" + "61"), bad, 0x81),
                Arguments.of(v3, "UNSUBSCRIBE without filters [MQTT-3.10.3-2]", hex("a2020001"), bad, 0x82),
                Arguments.of(v5, "UNSUBSCRIBE without filters", hex("a203000100"), bad, 0x82),
                Arguments.of(v5, "UNSUBSCRIBE Topic Alias property", hex("a20a000103" + "230001" + "000161"), bad, 0x81),
                Arguments.of(v5, "DISCONNECT Maximum QoS (server only)", hex("e004" + "00022401"), bad, 0x81),
                Arguments.of(v5, "DISCONNECT undefined reason code", hex("e00101"), bad, 0x81),
                Arguments.of(v3, "DISCONNECT with a body (3.1.1)", hex("e00100"), bad, 0x81),
                Arguments.of(v3, "AUTH in 3.1.1", hex("f000"), bad, 0x81),
                Arguments.of(v5, "AUTH flags 0x1", hex("f100"), bad, 0x81),
                Arguments.of(v5, "CONNACK from a client", hex("20020000"), bad, 0x82),
                Arguments.of(v5, "reserved type 0", hex("0000"), bad, 0x81),
                Arguments.of(v5, "CONNECT fixed header flags", hex("11" + "0d" + "00044d5154540502003c00" + "0000"), bad, 0x81),
                Arguments.of(v5, "CONNECT protocol name MQTX", hex("10" + "0d" + "00044d5154580502003c00" + "0000"),
                        MqttUnacceptableProtocolVersionException.class, 0x84),
                Arguments.of(v5, "CONNECT level 6", hex("10" + "0d" + "00044d5154540602003c00" + "0000"),
                        MqttUnacceptableProtocolVersionException.class, 0x84),
                Arguments.of(v5, "CONNECT client id over the limit", connectWithId(MqttVersion.MQTT_5, "x".repeat(MAX_ID + 1)),
                        MqttIdentifierRejectedException.class, 0x85),
                Arguments.of(v5, "CONNECT will QoS without will flag [MQTT-3.1.2-11]", hex("10" + "0d" + "00044d515454050a003c00" + "0000"), bad, 0x81),
                Arguments.of(v5, "CONNECT will retain without will flag [MQTT-3.1.2-13]", hex("10" + "0d" + "00044d5154540522003c00" + "0000"), bad, 0x81),
                Arguments.of(v5, "CONNECT will QoS 3 (§3.1.2.6)", hex("10" + "0d" + "00044d515454051e003c00" + "0000"), bad, 0x81),
                Arguments.of(v3, "CONNECT password without user name [MQTT-3.1.2-22]", hex("10" + "10" + "00044d5154540442003c" + "0000" + "00017a"), bad, 0x81),
                Arguments.of(v5, "CONNECT user name present without its flag [MQTT-3.1.2-16]", hex("10" + "10" + "00044d5154540502003c00" + "0000" + "000175"), bad, 0x81),
                Arguments.of(v5, "CONNECT user name flag without a user name [MQTT-3.1.2-17]", hex("10" + "0d" + "00044d5154540582003c00" + "0000"), bad, 0x81),
                Arguments.of(v5, "CONNECT Receive Maximum 0", hex("10" + "10" + "00044d5154540502003c03" + "210000" + "0000"), bad, 0x82),
                Arguments.of(v5, "CONNECT Maximum Packet Size 0", hex("10" + "12" + "00044d5154540502003c05" + "2700000000" + "0000"), bad, 0x82),
                Arguments.of(v5, "CONNECT Request Problem Information 2", hex("10" + "0f" + "00044d5154540502003c02" + "1702" + "0000"), bad, 0x82),
                Arguments.of(v5, "CONNECT Request Response Information 2", hex("10" + "0f" + "00044d5154540502003c02" + "1902" + "0000"), bad, 0x82),
                Arguments.of(v5, "CONNECT Session Expiry twice", hex("10" + "17" + "00044d5154540502003c0a" + "1100000001" + "1100000002" + "0000"), bad, 0x82),
                Arguments.of(v5, "CONNECT Retain Available (server only)", hex("10" + "0f" + "00044d5154540502003c02" + "2501" + "0000"), bad, 0x81),
                Arguments.of(v5, "CONNECT Authentication Data without Method", hex("10" + "10" + "00044d5154540502003c03" + "160000" + "0000"), bad, 0x82),
                Arguments.of(v5, "CONNECT will Response Topic with +", hex("10" + "17" + "00044d5154540506003c00" + "0000"
                        + "04" + "0800012b" + "000174" + "0000"), bad, 0x82),
                Arguments.of(v5, "CONNECT will Topic Alias (§2.2.2.2)", hex("10" + "16" + "00044d5154540506003c00" + "0000" + "03" + "230001" + "000174" + "0000"), bad, 0x81),
                Arguments.of(v3, "CONNECT truncated client id", hex("10" + "0e" + "00044d5154540402003c" + "000561"), bad, 0x81));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("corruptions")
    void corruptedPacketsFailWithTheRightCause(MqttVersion version, String name, byte[] bytes, Class<?> cause,
            int code) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttPacketDecoder(MAX_PACKET, MAX_ID));
        if (bytes[0] >> 4 != 1) {
            ch.attr(VERSION).set(version);
        }
        ch.writeInbound(Unpooled.wrappedBuffer(bytes), Unpooled.wrappedBuffer(hex("c000")));
        assertFailure(ch.readInbound(), cause, code);
        assertThat((Object) ch.readInbound()).as("the PINGREQ after it is discarded").isNull();
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void everyTruncationOfEveryPacketIsWaitedForThenFailsWhenTheLengthIsCut(MqttVersion version) {
        for (MqttMessage sample : samples(version)) {
            byte[] full = encode(version, sample);
            ReferenceCountUtil.release(sample);
            int header = headerLength(full);
            for (int cut = 1; cut < full.length; cut++) {
                // Sent short: nothing yet.
                EmbeddedChannel ch = channel(version);
                ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(full, cut)));
                assertThat((Object) ch.readInbound()).isNull();
                ch.finishAndReleaseAll();
                if (cut <= header) {
                    continue;
                }
                // The Remaining Length shrunk to match: the packet is complete but a field is cut.
                byte[] shrunk = withRemainingLength(Arrays.copyOf(full, cut), cut - header);
                ch = channel(version);
                ch.writeInbound(Unpooled.wrappedBuffer(shrunk));
                MqttMessage m = ch.readInbound();
                if (m.decoderResult().isFailure()) {
                    assertThat(m.decoderResult().cause()).isInstanceOf(DecoderException.class);
                    assertThat(DecodeFailures.reasonCode(m.decoderResult().cause())).isIn(0x81, 0x82);
                } else {
                    // A PUBLISH payload, a trailing filter, an omitted reason code: still the same packet.
                    assertThat(m.fixedHeader().messageType()).isEqualTo(sampleType(full));
                }
                ReferenceCountUtil.release(m);
                ch.finishAndReleaseAll();
            }
        }
    }

    @Test
    void mutatedStreamsNeverThrowAndFailAtMostOnce() {
        long seed = 20_261_201L;
        java.util.Random rnd = new java.util.Random(seed);
        List<byte[]> v5 = PacketSamples.encoded(MqttVersion.MQTT_5);
        List<byte[]> v3 = PacketSamples.encoded(MqttVersion.MQTT_3_1_1);
        for (int run = 0; run < 2_000; run++) {
            MqttVersion version = run % 2 == 0 ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1;
            List<byte[]> corpus = version == MqttVersion.MQTT_5 ? v5 : v3;
            EmbeddedChannel ch = channel(version);
            int failures = 0;
            for (int p = 0; p < 5; p++) {
                byte[] packet = corpus.get(rnd.nextInt(corpus.size()));
                byte[] bytes = rnd.nextBoolean() ? packet : PacketMutations.mutate(packet, rnd);
                ch.writeInbound(Unpooled.wrappedBuffer(bytes));
                MqttMessage m;
                while ((m = ch.readInbound()) != null) {
                    if (m.decoderResult().isFailure()) {
                        failures++;
                        assertThat(m.decoderResult().cause()).as("seed %d run %d", seed, run)
                                .isInstanceOf(DecoderException.class);
                    }
                    ReferenceCountUtil.release(m);
                }
            }
            assertThat(failures).as("seed %d run %d", seed, run).isLessThanOrEqualTo(1);
            ch.checkException();
            ch.finishAndReleaseAll();
        }
    }

    // ---- helpers ----

    static MqttMessageType sampleType(byte[] packet) {
        return MqttMessageType.valueOf((packet[0] & 0xFF) >> 4);
    }

    static void assertFailure(MqttMessage m, Class<?> cause, int code) {
        assertThat(m).as("a decoder result").isNotNull();
        assertThat(m.decoderResult().isFailure()).as("failed decoder result").isTrue();
        assertThat(m.decoderResult().cause()).isInstanceOf(cause);
        assertThat(DecodeFailures.reasonCode(m.decoderResult().cause())).as("reason code").isEqualTo(code);
    }

    static EmbeddedChannel channel(MqttVersion version) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttPacketDecoder(MAX_PACKET, MAX_ID));
        ch.attr(VERSION).set(version);
        return ch;
    }

    static MqttMessage decodeOne(io.netty.channel.ChannelHandler decoder, MqttVersion version, byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.attr(VERSION).set(version);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        MqttMessage m = ch.readInbound();
        assertThat((Object) ch.readInbound()).isNull();
        ch.finish();
        return m;
    }

    static byte[] encode(MqttVersion version, MqttMessage m) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        ch.attr(VERSION).set(version);
        ReferenceCountUtil.retain(m);
        ch.writeOutbound(m);
        ByteBuf b = ch.readOutbound();
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        ch.finishAndReleaseAll();
        return out;
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int headerLength(byte[] packet) {
        int i = 1;
        while ((packet[i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    /** The packet's body with a fresh fixed header giving {@code length}. */
    static byte[] withRemainingLength(byte[] packet, int length) {
        byte[] body = Arrays.copyOfRange(packet, headerLength(packet), packet.length);
        ByteBuf b = Unpooled.buffer();
        b.writeByte(packet[0]);
        int v = length;
        do {
            int d = v % 128;
            v /= 128;
            b.writeByte(v > 0 ? d | 0x80 : d);
        } while (v > 0);
        b.writeBytes(body);
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    static byte[] payloadBytes() {
        return "21.5 °C".getBytes(StandardCharsets.UTF_8);
    }

    static byte[] connectWithId(MqttVersion version, String id) {
        return encode(version, MqttMessageBuilders.connect().protocolVersion(version).clientId(id).cleanSession(true)
                .build());
    }

    /** One of every packet a client sends, in {@code v}'s variant (MQTT 5 ones with properties). */
    static List<MqttMessage> samples(MqttVersion v) {
        boolean v5 = v == MqttVersion.MQTT_5;
        List<MqttMessage> out = new ArrayList<>();
        out.add(connect(v, false));
        out.add(connect(v, true));
        out.add(publish(v, 0, false));
        out.add(publish(v, 1, true));
        out.add(publish(v, 2, false));
        out.add(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, true, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader("é/ünï/中/😀", 65535, props(v5, MqttPropertyType.TOPIC_ALIAS, 3)),
                Unpooled.EMPTY_BUFFER));
        for (MqttMessageType t : List.of(MqttMessageType.PUBACK, MqttMessageType.PUBREC, MqttMessageType.PUBREL,
                MqttMessageType.PUBCOMP)) {
            MqttQoS qos = t == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
            out.add(new MqttMessage(new MqttFixedHeader(t, false, qos, false, 0), MqttMessageIdVariableHeader.from(7)));
            if (v5) {
                int code = t == MqttMessageType.PUBREL || t == MqttMessageType.PUBCOMP ? 0x92 : 0x10;
                out.add(new MqttMessage(new MqttFixedHeader(t, false, qos, false, 0),
                        new MqttPubReplyMessageVariableHeader(8, (byte) code, MqttProperties.NO_PROPERTIES)));
                out.add(new MqttMessage(new MqttFixedHeader(t, false, qos, false, 0),
                        new MqttPubReplyMessageVariableHeader(9, (byte) (code == 0x92 ? 0 : 0x80), reasonString("why"))));
            }
        }
        MqttProperties subProps = v5 ? props(true, MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 268_435_455) : MqttProperties.NO_PROPERTIES;
        if (v5) {
            subProps.add(new MqttProperties.UserProperty("k", "v"));
        }
        out.add(new MqttSubscribeMessage(new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(11, subProps),
                new MqttSubscribePayload(List.of(
                        new MqttTopicSubscription("a/+/c", v5 ? new MqttSubscriptionOption(MqttQoS.EXACTLY_ONCE, true, true,
                                RetainedHandlingPolicy.DONT_SEND_AT_SUBSCRIBE) : MqttSubscriptionOption.onlyFromQos(MqttQoS.EXACTLY_ONCE)),
                        new MqttTopicSubscription("$share/g/x/#", MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE)),
                        new MqttTopicSubscription("z", v5 ? new MqttSubscriptionOption(MqttQoS.AT_LEAST_ONCE, false, false,
                                RetainedHandlingPolicy.SEND_AT_SUBSCRIBE_IF_NOT_YET_EXISTS) : MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_LEAST_ONCE))))));
        out.add(new MqttUnsubscribeMessage(new MqttFixedHeader(MqttMessageType.UNSUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(12, v5 ? userProps() : MqttProperties.NO_PROPERTIES),
                new MqttUnsubscribePayload(List.of("a/+/c", "z"))));
        out.add(MqttMessage.PINGREQ);
        if (v5) {
            out.add(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttReasonCodeAndPropertiesVariableHeader((byte) 0, MqttProperties.NO_PROPERTIES)));
            MqttProperties dp = props(true, MqttPropertyType.SESSION_EXPIRY_INTERVAL, 30);
            dp.add(new StringProperty(MqttPropertyType.REASON_STRING.value(), "bye"));
            out.add(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttReasonCodeAndPropertiesVariableHeader((byte) 0x04, dp)));
            MqttProperties ap = new MqttProperties();
            ap.add(new StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), "nkey"));
            ap.add(new BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), new byte[] {1, 2, 3}));
            out.add(new MqttMessage(new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttReasonCodeAndPropertiesVariableHeader((byte) 0x18, ap)));
        } else {
            out.add(MqttMessage.DISCONNECT);
        }
        return out;
    }

    static MqttConnectMessage connect(MqttVersion v, boolean full) {
        boolean v5 = v == MqttVersion.MQTT_5;
        if (!full) {
            return new MqttConnectMessage(new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttConnectVariableHeader(v.protocolName(), v.protocolLevel(), false, false, false, 0, false,
                            true, 60, MqttProperties.NO_PROPERTIES),
                    new MqttConnectPayload("c1", MqttProperties.NO_PROPERTIES, null, null, null, null));
        }
        MqttProperties props = new MqttProperties();
        MqttProperties willProps = new MqttProperties();
        if (v5) {
            props.add(new IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 3600));
            props.add(new IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(), 10));
            props.add(new IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), 100_000));
            props.add(new IntegerProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), 5));
            props.add(new IntegerProperty(MqttPropertyType.REQUEST_PROBLEM_INFORMATION.value(), 0));
            props.add(new IntegerProperty(MqttPropertyType.REQUEST_RESPONSE_INFORMATION.value(), 1));
            props.add(new StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), "m"));
            props.add(new BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), new byte[] {9}));
            props.add(new MqttProperties.UserProperty("a", "1"));
            props.add(new MqttProperties.UserProperty("a", "2"));
            willProps.add(new IntegerProperty(MqttPropertyType.WILL_DELAY_INTERVAL.value(), 5));
            willProps.add(new IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), 1));
            willProps.add(new IntegerProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(), 99));
            willProps.add(new StringProperty(MqttPropertyType.CONTENT_TYPE.value(), "text/plain"));
            willProps.add(new StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), "reply/here"));
            willProps.add(new BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), new byte[] {4, 2}));
            willProps.add(new MqttProperties.UserProperty("w", "x"));
        }
        return new MqttConnectMessage(new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnectVariableHeader(v.protocolName(), v.protocolLevel(), true, true, true, 1, true, false, 0,
                        v5 ? props : MqttProperties.NO_PROPERTIES),
                new MqttConnectPayload("client-ü", v5 ? willProps : MqttProperties.NO_PROPERTIES, "will/topic",
                        "gone".getBytes(StandardCharsets.UTF_8), "user", new byte[] {0, (byte) 0xFF, 7}));
    }

    static MqttPublishMessage publish(MqttVersion v, int qos, boolean retain) {
        boolean v5 = v == MqttVersion.MQTT_5;
        MqttProperties p = new MqttProperties();
        if (v5) {
            p.add(new IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), 1));
            p.add(new IntegerProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(), 60));
            p.add(new StringProperty(MqttPropertyType.CONTENT_TYPE.value(), "text/plain"));
            p.add(new StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), "reply/7"));
            p.add(new BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), new byte[] {1}));
            p.add(new MqttProperties.UserProperty("u", "v"));
        }
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), retain, 0),
                new MqttPublishVariableHeader("site/7/temp", qos == 0 ? -1 : 100 + qos, v5 ? p : MqttProperties.NO_PROPERTIES),
                Unpooled.wrappedBuffer(payloadBytes()));
    }

    static MqttProperties props(boolean v5, MqttPropertyType type, int value) {
        if (!v5) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        p.add(new IntegerProperty(type.value(), value));
        return p;
    }

    static MqttProperties reasonString(String s) {
        MqttProperties p = new MqttProperties();
        p.add(new StringProperty(MqttPropertyType.REASON_STRING.value(), s));
        p.add(new MqttProperties.UserProperty("k", "v"));
        return p;
    }

    static MqttProperties userProps() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.UserProperty("k", "v"));
        p.add(new MqttProperties.UserProperty("k", "w"));
        return p;
    }

    static String classes(MqttMessage m) {
        return m.getClass().getSimpleName() + "/" + cls(m.variableHeader()) + "/" + cls(m.payload());
    }

    private static String cls(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName();
    }

    /** Every field of a decoded message, in a form that compares across decoders (not the remaining length). */
    static String describe(MqttMessage m) {
        StringBuilder b = new StringBuilder();
        MqttFixedHeader f = m.fixedHeader();
        b.append(f.messageType()).append(" dup=").append(f.isDup()).append(" qos=").append(f.qosLevel())
                .append(" retain=").append(f.isRetain());
        Object vh = m.variableHeader();
        if (vh instanceof MqttConnectVariableHeader c) {
            b.append(" name=").append(c.name()).append(" level=").append(c.version()).append(" user=")
                    .append(c.hasUserName()).append(" pw=").append(c.hasPassword()).append(" willRetain=")
                    .append(c.isWillRetain()).append(" willQos=").append(c.willQos()).append(" will=")
                    .append(c.isWillFlag()).append(" clean=").append(c.isCleanSession()).append(" keepAlive=")
                    .append(c.keepAliveTimeSeconds()).append(" props=").append(props(c.properties()));
        } else if (vh instanceof MqttPublishVariableHeader p) {
            b.append(" topic=").append(p.topicName()).append(" id=").append(p.packetId()).append(" props=")
                    .append(props(p.properties()));
        } else if (vh instanceof MqttPubReplyMessageVariableHeader r) {
            b.append(" id=").append(r.messageId()).append(" code=").append(r.reasonCode()).append(" props=")
                    .append(props(r.properties()));
        } else if (vh instanceof MqttMessageIdAndPropertiesVariableHeader r) {
            b.append(" id=").append(r.messageId()).append(" props=").append(props(r.properties()));
        } else if (vh instanceof MqttMessageIdVariableHeader r) {
            b.append(" id=").append(r.messageId());
        } else if (vh instanceof MqttReasonCodeAndPropertiesVariableHeader r) {
            b.append(" code=").append(r.reasonCode()).append(" props=").append(props(r.properties()));
        } else if (vh != null) {
            b.append(" vh=").append(vh);
        }
        Object pl = m.payload();
        if (pl instanceof MqttConnectPayload c) {
            b.append(" clientId=").append(c.clientIdentifier()).append(" willProps=").append(props(c.willProperties()))
                    .append(" willTopic=").append(c.willTopic()).append(" willMessage=")
                    .append(hexOf(c.willMessageInBytes())).append(" userName=").append(c.userName())
                    .append(" password=").append(hexOf(c.passwordInBytes()));
        } else if (pl instanceof MqttSubscribePayload s) {
            for (MqttTopicSubscription t : s.topicSubscriptions()) {
                MqttSubscriptionOption o = t.option();
                b.append(" [").append(t.topicFilter()).append(' ').append(o.qos()).append(' ').append(o.isNoLocal())
                        .append(' ').append(o.isRetainAsPublished()).append(' ').append(o.retainHandling()).append(']');
            }
        } else if (pl instanceof MqttUnsubscribePayload u) {
            b.append(" filters=").append(u.topics());
        } else if (pl instanceof ByteBuf content) {
            b.append(" content=").append(ByteBufUtil.hexDump(content));
        } else if (pl != null) {
            b.append(" payload=").append(pl);
        }
        return b.toString();
    }

    private static String hexOf(byte[] bytes) {
        return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
    }

    @SuppressWarnings("unchecked")
    private static String props(MqttProperties p) {
        if (p == null) {
            return "null";
        }
        List<String> out = new ArrayList<>();
        List<MqttProperties.MqttProperty<?>> all = new ArrayList<>((java.util.Collection<MqttProperties.MqttProperty<?>>) p.listAll());
        all.sort(Comparator.comparingInt(MqttProperties.MqttProperty::propertyId));
        for (MqttProperties.MqttProperty<?> prop : all) {
            Object v = prop.value();
            String s;
            if (v instanceof byte[] bytes) {
                s = hexOf(bytes);
            } else if (prop instanceof UserProperties u) {
                StringBuilder sb = new StringBuilder();
                for (StringPair pair : u.value()) {
                    sb.append(pair.key).append('=').append(pair.value).append(';');
                }
                s = sb.toString();
            } else if (v instanceof StringPair pair) {
                s = pair.key + "=" + pair.value;
            } else {
                s = String.valueOf(v);
            }
            out.add(prop.propertyId() + ":" + s);
        }
        return out.toString();
    }
}

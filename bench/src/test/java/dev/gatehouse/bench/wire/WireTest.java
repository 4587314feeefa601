package dev.gatehouse.bench.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our hand-written encoder, read back by Netty's decoder (the one Gatehouse uses), for both versions. */
class WireTest {
    @ParameterizedTest
    @ValueSource(ints = {Wire.V311, Wire.V5})
    void persistent_session_connect_and_retained_publish(int version) {
        ByteBuffer out = ByteBuffer.allocate(1024);
        Wire.connect(out, version, "keeper", 30, null, null, null, null, false);
        Wire.publish(out, version, Wire.utf8("bench/r/7"), 1, false, true, 3, new byte[24], 24);

        List<MqttMessage> decoded = decode(out, version);

        MqttConnectMessage connect = (MqttConnectMessage) decoded.get(0);
        assertThat(connect.variableHeader().isCleanSession()).isFalse();
        if (version == Wire.V5) {
            assertThat(connect.variableHeader().properties()
                    .getProperty(io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value())
                    .value()).isEqualTo(-1);
        }
        MqttPublishMessage publish = (MqttPublishMessage) decoded.get(1);
        assertThat(publish.fixedHeader().isRetain()).isTrue();
        assertThat(publish.fixedHeader().isDup()).isFalse();
        assertThat(publish.variableHeader().topicName()).isEqualTo("bench/r/7");
        decoded.forEach(m -> assertThat(m.decoderResult().isSuccess()).as(m.toString()).isTrue());
    }

    @ParameterizedTest
    @ValueSource(ints = {Wire.V311, Wire.V5})
    void netty_decodes_what_we_encode(int version) {
        ByteBuffer out = ByteBuffer.allocate(8192);
        Wire.connect(out, version, "client-1", 30, "user", "secret".getBytes(StandardCharsets.UTF_8), null, null);
        byte[] payload = new byte[300];
        Payload.write(payload, 7, 42, 123_456_789L);
        byte[] topic = Wire.utf8("bench/t");
        int before = out.position();
        Wire.publish(out, version, topic, 1, false, 513, payload, payload.length);
        assertThat(out.position() - before).isEqualTo(Wire.publishSize(version, topic.length, 1, payload.length));
        Wire.publish(out, version, topic, 0, false, 0, payload, 20);
        Wire.subscribe(out, version, 9, "bench/+/t", 2);
        Wire.ack(out, Wire.PUBREL, 65_535);
        Wire.pingreq(out);
        Wire.disconnect(out);

        List<MqttMessage> decoded = decode(out, version);

        assertThat(decoded).extracting(m -> m.fixedHeader().messageType()).containsExactly(
                MqttMessageType.CONNECT, MqttMessageType.PUBLISH, MqttMessageType.PUBLISH, MqttMessageType.SUBSCRIBE,
                MqttMessageType.PUBREL, MqttMessageType.PINGREQ, MqttMessageType.DISCONNECT);
        decoded.forEach(m -> assertThat(m.decoderResult().isSuccess()).as(m.toString()).isTrue());
        MqttConnectMessage connect = (MqttConnectMessage) decoded.get(0);
        assertThat(connect.variableHeader().version()).isEqualTo(version);
        assertThat(connect.variableHeader().isCleanSession()).isTrue();
        assertThat(connect.payload().clientIdentifier()).isEqualTo("client-1");
        assertThat(connect.payload().userName()).isEqualTo("user");
        assertThat(connect.payload().passwordInBytes()).isEqualTo("secret".getBytes(StandardCharsets.UTF_8));
        MqttPublishMessage publish = (MqttPublishMessage) decoded.get(1);
        assertThat(publish.variableHeader().topicName()).isEqualTo("bench/t");
        assertThat(publish.variableHeader().packetId()).isEqualTo(513);
        assertThat(publish.fixedHeader().qosLevel().value()).isEqualTo(1);
        ByteBuffer p = publish.payload().nioBuffer();
        assertThat(publish.payload().readableBytes()).isEqualTo(300);
        assertThat(Payload.publisher(p, p.position())).isEqualTo(7);
        assertThat(Payload.sequence(p, p.position())).isEqualTo(42);
        assertThat(Payload.nanoTime(p, p.position())).isEqualTo(123_456_789L);
        assertThat(((MqttPublishMessage) decoded.get(2)).payload().readableBytes()).isEqualTo(20);
        MqttSubscribeMessage sub = (MqttSubscribeMessage) decoded.get(3);
        assertThat(sub.payload().topicSubscriptions().get(0).topicName()).isEqualTo("bench/+/t");
        assertThat(sub.payload().topicSubscriptions().get(0).qualityOfService().value()).isEqualTo(2);
        assertThat(((MqttMessageIdVariableHeader) decoded.get(4).variableHeader()).messageId()).isEqualTo(65_535);
        decoded.forEach(io.netty.util.ReferenceCountUtil::release);
    }

    @ParameterizedTest
    @ValueSource(ints = {Wire.V311, Wire.V5})
    void frame_parser_finds_packets_split_anywhere_and_locates_payload(int version) {
        ByteBuffer stream = ByteBuffer.allocate(4096);
        byte[] payload = new byte[200];
        Payload.write(payload, 3, 99, 5L);
        for (int i = 0; i < 5; i++) {
            Wire.publish(stream, version, Wire.utf8("a/b"), 2, false, 100 + i, payload, payload.length);
        }
        stream.flip();
        ByteBuffer in = ByteBuffer.allocate(1024);
        List<long[]> seen = new ArrayList<>();
        // Feed 7 bytes at a time so that headers and bodies straddle reads.
        while (stream.hasRemaining()) {
            int n = Math.min(7, stream.remaining());
            for (int i = 0; i < n; i++) {
                in.put(stream.get());
            }
            FrameParser.drain(in, (type, flags, buf, start, length) -> {
                int at = FrameParser.publishPayloadStart(buf, start, (flags >> 1) & 3, version);
                seen.add(new long[] {type, FrameParser.publishPacketId(buf, start), Payload.sequence(buf, at),
                        start + length - at});
            });
        }
        assertThat(seen).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(seen.get(i)).containsExactly(Wire.PUBLISH, 100 + i, 99, 200);
        }
    }

    private static List<MqttMessage> decode(ByteBuffer out, int version) {
        out.flip();
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(1 << 20));
        ByteBuf bytes = Unpooled.wrappedBuffer(out);
        ch.writeInbound(bytes);
        List<MqttMessage> result = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            result.add((MqttMessage) m);
        }
        ch.finishAndReleaseAll();
        return result;
    }

    @Test
    void auth_round_trips_through_our_parser() {
        byte[] nonce = new byte[32];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) (i * 7);
        }
        ByteBuffer out = ByteBuffer.allocate(256);
        Wire.auth(out, "NKEY", nonce);
        assertThat(out.position()).isEqualTo(Wire.authSize("NKEY", nonce));
        out.flip();
        assertThat(out.get(0) & 0xFF).isEqualTo(Wire.AUTH << 4);
        int length = out.get(1) & 0xFF; // < 128 here: one length byte

        Wire.Auth auth = Wire.parseAuth(out, 2, length);

        assertThat(auth.reasonCode()).isEqualTo(Wire.AUTH_CONTINUE);
        assertThat(auth.method()).isEqualTo("NKEY");
        assertThat(auth.data()).isEqualTo(nonce);
        assertThat(Wire.parseAuth(out, 2, 0).reasonCode()).isZero();
    }
}

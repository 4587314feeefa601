package dev.gatehouse.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server-side DISCONNECT the client can read (MQTT 5 §4.13): a client that breaks a rule while it has
 * much more in flight towards the broker gets the DISCONNECT with the reason code, then an orderly close
 * (end of stream), not a connection reset that would destroy the DISCONNECT in its receive buffer. The
 * broker flushes, half-closes, reads and discards what the client still sends, and closes.
 *
 * <p>The peer here is a plain socket so that a reset is told apart from an end of stream (the shared
 * {@code RawMqttClient} reports both as "closed"); everything the client sends after CONNECT goes in one
 * {@code write}, so it is in the broker's receive buffer before the broker has decided anything.
 */
class DisconnectLingerTest extends FlowTestSupport {
    private static final AttributeKey<MqttVersion> VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    private static final int RECEIVE_MAXIMUM_EXCEEDED = 0x93;
    private static final int MALFORMED_PACKET = 0x81;
    private static final int PROTOCOL_ERROR = 0x82;
    /**
     * Sent behind the offending packet: 500 QoS 2 PUBLISHes of 32 KiB and 500 PINGREQs, 16 MiB in all, far
     * more than the socket buffers hold. The client's single write only completes if the broker keeps
     * reading after its DISCONNECT; a broker that closed at once would close with unread data, which resets
     * the connection (and can destroy the DISCONNECT before the client reads it).
     */
    private static void trailing(ByteArrayOutputStream burst, int firstPacketId) {
        byte[] ping = pingReq();
        for (int i = 0; i < 500; i++) {
            burst.writeBytes(qos2Publish(firstPacketId + i, 32 * 1024));
            burst.writeBytes(ping);
        }
    }

    @Test
    void exceedingTheReceiveMaximumWithMuchMoreBehindItGetsAReadableDisconnect0x93() throws Exception {
        restartBroker(limits().withReceiveMaximum(2), b -> { });
        try (Peer peer = Peer.connect(port(), unique("greedy"))) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int id = 1; id <= 3; id++) {
                burst.writeBytes(qos2Publish(id, 16)); // no PUBREL for any of them
            }
            trailing(burst, 4);
            peer.write(burst.toByteArray());

            List<MqttMessageType> before = new ArrayList<>();
            MqttMessage disconnect = peer.readUntil(MqttMessageType.DISCONNECT, before);
            assertThat(reasonCode(disconnect)).isEqualTo(RECEIVE_MAXIMUM_EXCEEDED);
            // The two QoS 2 messages within the maximum were acknowledged before the third broke it; nothing
            // sent after the third was answered.
            assertThat(before).containsExactly(MqttMessageType.PUBREC, MqttMessageType.PUBREC);
            peer.expectEndOfStream();
        }
        await("the broker to let the connection go", () -> broker.broker().connectionCount() == 0);
    }

    @Test
    void aMalformedPacketWithMoreDataBehindItGetsAReadableDisconnect0x81() throws Exception {
        try (Peer peer = Peer.connect(port(), unique("garbled"))) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.writeBytes(pingReq());
            burst.writeBytes(publishWithQos3());
            trailing(burst, 1);
            peer.write(burst.toByteArray());

            List<MqttMessageType> before = new ArrayList<>();
            MqttMessage disconnect = peer.readUntil(MqttMessageType.DISCONNECT, before);
            assertThat(reasonCode(disconnect)).isEqualTo(MALFORMED_PACKET);
            assertThat(before).containsExactly(MqttMessageType.PINGRESP);
            peer.expectEndOfStream();
        }
        await("the broker to let the connection go", () -> broker.broker().connectionCount() == 0);
    }

    @Test
    void aSecondConnectWithMoreDataBehindItGetsAReadableDisconnect0x82() throws Exception {
        String id = unique("twice");
        try (Peer peer = Peer.connect(port(), id)) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.writeBytes(pingReq());
            burst.writeBytes(encode(connectPacket(MqttVersion.MQTT_5, id, true).build()));
            trailing(burst, 1);
            peer.write(burst.toByteArray());

            List<MqttMessageType> before = new ArrayList<>();
            MqttMessage disconnect = peer.readUntil(MqttMessageType.DISCONNECT, before);
            assertThat(reasonCode(disconnect)).isEqualTo(PROTOCOL_ERROR);
            assertThat(before).containsExactly(MqttMessageType.PINGRESP);
            peer.expectEndOfStream();
        }
        await("the broker to let the connection go", () -> broker.broker().connectionCount() == 0);
    }

    @Test
    void aClientThatKeepsTheSocketOpenAfterTheDisconnectIsClosedByTheBrokerAnyway() throws Exception {
        restartBroker(limits().withReceiveMaximum(2), b -> { });
        try (Peer peer = Peer.connect(port(), unique("lingerer"))) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int id = 1; id <= 3; id++) {
                burst.writeBytes(qos2Publish(id, 16));
            }
            peer.write(burst.toByteArray());
            assertThat(reasonCode(peer.readUntil(MqttMessageType.DISCONNECT, new ArrayList<>())))
                    .isEqualTo(RECEIVE_MAXIMUM_EXCEEDED);
            // The client neither reads on nor closes: the broker's linger is bounded, the connection goes.
            await("the broker to close the connection", () -> broker.broker().connectionCount() == 0);
            peer.expectEndOfStream();
        }
    }

    // ---- packets, as bytes ----

    private static byte[] qos2Publish(int packetId, int payloadBytes) {
        return encode(MqttMessageBuilders.publish().topicName("linger/x").qos(MqttQoS.EXACTLY_ONCE)
                .messageId(packetId).payload(Unpooled.wrappedBuffer(new byte[payloadBytes])).build());
    }

    private static byte[] pingReq() {
        return new byte[] {(byte) 0xC0, 0};
    }

    /** A PUBLISH whose QoS bits say 3 (MQTT 5 §3.3.1.2: malformed), topic "q", packet id 1, no properties. */
    private static byte[] publishWithQos3() {
        byte[] body = {0, 1, 'q', 0, 1, 0, 'x'};
        byte[] packet = new byte[2 + body.length];
        packet[0] = 0x36;
        packet[1] = (byte) body.length;
        System.arraycopy(body, 0, packet, 2, body.length);
        return packet;
    }

    private static byte[] encode(MqttMessage m) {
        return dev.gatehouse.broker.testing.RawMqttClient.encode(m, MqttVersion.MQTT_5);
    }

    /** An MQTT 5 peer on a plain socket that fails the test on a connection reset. */
    private static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder(1024 * 1024));

        private Peer(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            decoder.attr(VERSION).set(MqttVersion.MQTT_5);
        }

        static Peer connect(int port, String clientId) throws IOException {
            Peer p = new Peer(port);
            p.write(encode(connectPacket(MqttVersion.MQTT_5, clientId, true).build()));
            MqttMessage ack = p.read();
            assertThat(ack).as("CONNACK").isNotNull();
            assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
            ReferenceCountUtil.release(ack);
            return p;
        }

        /** One write call, however large (it returns once the broker has read enough of it). */
        void write(byte[] bytes) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new AssertionError("the connection was reset while the client was still sending: " + e, e);
            }
        }

        /** The next packet; null at end of stream; fails on a reset or when nothing comes within {@link #WAIT}. */
        MqttMessage read() throws IOException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            byte[] chunk = new byte[8192];
            while (true) {
                MqttMessage decoded = decoder.readInbound();
                if (decoded != null) {
                    return decoded;
                }
                int n = readChunk(chunk, deadline);
                if (n < 0) {
                    return null;
                }
                decoder.writeInbound(Unpooled.copiedBuffer(chunk, 0, n));
            }
        }

        /** Reads packets up to one of {@code type}, recording the types of those before it. */
        MqttMessage readUntil(MqttMessageType type, List<MqttMessageType> before) throws IOException {
            for (int i = 0; i < 10_000; i++) {
                MqttMessage m = read();
                if (m == null) {
                    fail("the connection ended before a " + type + " arrived; got " + before);
                }
                if (m.decoderResult().isFailure()) {
                    fail("undecodable packet from the broker: " + m.decoderResult().cause());
                }
                if (m.fixedHeader().messageType() == type) {
                    return m;
                }
                before.add(m.fixedHeader().messageType());
                ReferenceCountUtil.release(m);
            }
            fail("no " + type + " among 10 000 packets");
            return null;
        }

        /** Nothing more arrives, then an orderly end of stream (FIN), not a reset. */
        void expectEndOfStream() throws IOException {
            MqttMessage m = read();
            if (m != null) {
                ReferenceCountUtil.release(m);
                fail("expected the end of the stream, got " + m);
            }
        }

        private int readChunk(byte[] chunk, long deadline) throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                fail("nothing arrived within " + WAIT);
            }
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                return in.read(chunk);
            } catch (SocketTimeoutException e) {
                fail("nothing arrived within " + WAIT);
                return -1;
            } catch (IOException e) {
                throw new AssertionError("the connection was reset instead of closed: " + e, e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            decoder.finishAndReleaseAll();
        }
    }
}

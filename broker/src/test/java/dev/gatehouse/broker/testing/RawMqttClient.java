package dev.gatehouse.broker.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A test-only MQTT peer over a plain socket: sends hand-made bytes or packets encoded by Netty's
 * codec, and reads packets back with a timeout. For what real clients refuse to do (malformed
 * packets, withheld acknowledgements, raw AUTH exchanges).
 */
public final class RawMqttClient implements AutoCloseable {
    private static final AttributeKey<MqttVersion> VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
    private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder(16 * 1024 * 1024));

    public RawMqttClient(int port, MqttVersion version) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        encoder.attr(VERSION).set(version);
        decoder.attr(VERSION).set(version);
    }

    /** The bytes Netty's encoder writes for {@code m} in protocol {@code version}, for tests that send raw streams. */
    public static byte[] encode(MqttMessage m, MqttVersion version) {
        EmbeddedChannel enc = new EmbeddedChannel(MqttEncoder.INSTANCE);
        enc.attr(VERSION).set(version);
        enc.writeOutbound(m);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuf b;
        while ((b = enc.readOutbound()) != null) {
            out.writeBytes(ByteBufUtil.getBytes(b));
            b.release();
        }
        enc.finishAndReleaseAll();
        return out.toByteArray();
    }

    /** Send raw bytes as they are. */
    public void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Encode with Netty's MQTT encoder (in this client's protocol version) and send. */
    public void send(MqttMessage m) throws IOException {
        encoder.writeOutbound(m);
        ByteBuf buf;
        while ((buf = encoder.readOutbound()) != null) {
            try {
                sendBytes(ByteBufUtil.getBytes(buf));
            } finally {
                buf.release();
            }
        }
    }

    /** The next packet, or null if none arrives within {@code timeout} or the broker closed the connection. */
    public MqttMessage read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] chunk = new byte[8192];
        while (true) {
            Object decoded = decoder.readInbound();
            if (decoded != null) {
                return (MqttMessage) decoded;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                return null;
            } catch (IOException e) {
                return null;
            }
            if (n < 0) {
                return null;
            }
            decoder.writeInbound(Unpooled.copiedBuffer(chunk, 0, n));
        }
    }

    /** Whether the broker closes the connection within {@code timeout} (packets before the close are skipped). */
    public boolean closedWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] chunk = new byte[8192];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            try {
                if (in.read(chunk) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    /** Release a packet returned by {@link #read}. */
    public static void release(Object m) {
        ReferenceCountUtil.release(m);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}

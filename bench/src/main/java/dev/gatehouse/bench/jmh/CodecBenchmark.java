package dev.gatehouse.bench.jmh;

import dev.gatehouse.broker.protocol.codec.MqttPacketDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * MQTT codecs on a QoS 1 PUBLISH in an EmbeddedChannel: Netty's encoder (the one Gatehouse runs),
 * Netty's decoder (the one it ran before) and Gatehouse's {@link MqttPacketDecoder} side by side.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    @Param({"64", "1024"})
    public int payloadSize;

    private EmbeddedChannel encoder;
    private EmbeddedChannel decoder;
    private EmbeddedChannel strictDecoder;
    private ByteBuf payload;
    private ByteBuf encoded;

    @Setup
    public void setUp() {
        encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
        decoder = new EmbeddedChannel(new MqttDecoder(1 << 20));
        strictDecoder = new EmbeddedChannel(new MqttPacketDecoder(1 << 20, 65535));
        payload = Unpooled.directBuffer(payloadSize).writeZero(payloadSize);
        encoder.writeOutbound(publish());
        encoded = encoder.readOutbound();
    }

    @TearDown
    public void tearDown() {
        encoded.release();
        payload.release();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
        strictDecoder.finishAndReleaseAll();
    }

    private MqttPublishMessage publish() {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader("site/7/device/4242/telemetry", 1234), payload.retainedDuplicate());
    }

    @Benchmark
    public int encodePublish() {
        encoder.writeOutbound(publish());
        ByteBuf out = encoder.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @Benchmark
    public Object decodePublish() {
        decoder.writeInbound(encoded.retainedDuplicate());
        Object m = decoder.readInbound();
        ReferenceCountUtil.release(m);
        return m;
    }

    @Benchmark
    public Object decodePublishStrict() {
        strictDecoder.writeInbound(encoded.retainedDuplicate());
        Object m = strictDecoder.readInbound();
        ReferenceCountUtil.release(m);
        return m;
    }
}

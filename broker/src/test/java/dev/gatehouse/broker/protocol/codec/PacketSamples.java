package dev.gatehouse.broker.protocol.codec;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/** Valid encodings of every packet a client sends, for tests outside this package (the fuzz test mutates them). */
public final class PacketSamples {
    private PacketSamples() {
    }

    /** A plain valid CONNECT (clean start, keep-alive 60) for {@code clientId}. */
    public static byte[] connect(MqttVersion version, String clientId) {
        return MqttPacketDecoderTest.connectWithId(version, clientId);
    }

    /** Each client packet type (CONNECT first), encoded by Netty's encoder in {@code version}. */
    public static List<byte[]> encoded(MqttVersion version) {
        List<byte[]> out = new ArrayList<>();
        for (MqttMessage m : MqttPacketDecoderTest.samples(version)) {
            out.add(MqttPacketDecoderTest.encode(version, m));
            ReferenceCountUtil.release(m);
        }
        return out;
    }
}

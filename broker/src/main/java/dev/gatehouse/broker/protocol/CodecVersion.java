package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.MqttVersion;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.Optional;

/**
 * The protocol version the MQTT decoder ({@code MqttPacketDecoder}) recorded on the channel while reading
 * CONNECT, under the attribute Netty's codec uses. It is known even when the rest of the CONNECT was
 * malformed, so the refusal can use the client's format.
 */
final class CodecVersion {
    // Netty's codec (our encoder) keeps the version under this attribute name; valueOf returns the same key instance.
    private static final AttributeKey<io.netty.handler.codec.mqtt.MqttVersion> KEY =
            AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private CodecVersion() {
    }

    static Optional<MqttVersion> of(Channel ch) {
        io.netty.handler.codec.mqtt.MqttVersion v = ch.attr(KEY).get();
        if (v == null) {
            return Optional.empty();
        }
        return Optional.of(switch (v) {
            case MQTT_3_1 -> MqttVersion.V3_1;
            case MQTT_5 -> MqttVersion.V5;
            default -> MqttVersion.V3_1_1;
        });
    }
}

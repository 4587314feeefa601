package dev.gatehouse.broker.transport;

import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.core.BrokerCore;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;

/** The pipeline of one TCP connection: MQTT decoder (size-limited), encoder, connection handler. */
final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final BrokerCore core;
    private final ListenerConfig listener;

    MqttChannelInitializer(BrokerCore core, ListenerConfig listener) {
        this.core = core;
        this.listener = listener;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("decoder", new MqttDecoder(core.limits().maxPacketSize(), core.limits().maxClientIdLength()))
                .addLast("encoder", MqttEncoder.INSTANCE)
                .addLast("mqtt", new MqttConnection(core, listener));
    }
}

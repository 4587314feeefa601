package dev.gatehouse.broker.transport;

import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.core.BrokerCore;
import dev.gatehouse.broker.protocol.ListenerProtocol;
import dev.gatehouse.broker.protocol.codec.MqttPacketDecoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;

/**
 * The pipeline of one connection: TLS when the listener is secure, the HTTP upgrade and frame
 * unwrapping when it is a WebSocket listener, then the strict, size-limited MQTT decoder, the encoder and
 * the connection handler of the MQTT protocol engine.
 */
final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** Subprotocols a WebSocket client may ask for; {@code mqtt} is the standard one (MQTT 5.0 §6). */
    private static final String SUBPROTOCOLS = "mqtt,mqttv3.1";

    private final BrokerCore core;
    private final ListenerConfig listener;
    private final SslContext ssl;
    private final ListenerProtocol protocol;

    MqttChannelInitializer(BrokerCore core, ListenerConfig listener, SslContext ssl) {
        this.core = core;
        this.listener = listener;
        this.ssl = ssl;
        this.protocol = new ListenerProtocol(core, listener);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast("tls", ssl.newHandler(ch.alloc()));
        }
        if (listener.transport().webSocket()) {
            int maxPacket = core.limits().maxPacketSize();
            p.addLast("http", new HttpServerCodec())
                    .addLast("http-aggregator", new HttpObjectAggregator(8192))
                    .addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                            .websocketPath(listener.webSocketPath())
                            .subprotocols(SUBPROTOCOLS)
                            .maxFramePayloadLength(maxPacket + 8)
                            .checkStartsWith(false)
                            .build()))
                    .addLast("not-websocket", new NotWebSocket())
                    .addLast("websocket-frames", new WebSocketFrames());
        }
        p.addLast("decoder", new MqttPacketDecoder(core.limits().maxPacketSize(), core.limits().maxClientIdLength()))
                .addLast("encoder", MqttEncoder.INSTANCE)
                .addLast("mqtt", protocol.newConnection());
    }
}

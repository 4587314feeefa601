package dev.gatehouse.bench.load;

import dev.gatehouse.bench.wire.Wire;
import java.nio.ByteBuffer;

/** Connects and then sits there, answering nothing but what MQTT requires (it never publishes). */
public final class IdleClient extends MqttClient {
    public IdleClient(String clientId, int keepAliveSeconds, Credentials credentials) {
        super(clientId, keepAliveSeconds, credentials);
    }

    @Override
    protected void onConnected(Conn c) {
    }

    @Override
    protected void onPacket(Conn c, int type, int flags, ByteBuffer buf, int start, int length) {
        if (type == Wire.DISCONNECT) {
            c.close("DISCONNECT from broker");
        }
    }
}

package dev.gatehouse.bench.load;

import java.nio.ByteBuffer;

/** Connects, and on CONNACK disconnects at once: one unit of the connection-rate scenario. */
public final class OneShotClient extends MqttClient {
    public OneShotClient(String clientId, Credentials credentials) {
        super(clientId, 60, credentials);
    }

    @Override
    protected void onConnected(Conn c) {
        disconnect();
    }

    @Override
    protected void onPacket(Conn c, int type, int flags, ByteBuffer buf, int start, int length) {
    }
}

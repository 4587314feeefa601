package dev.gatehouse.bench.load;

import dev.gatehouse.bench.wire.Wire;
import java.nio.ByteBuffer;

/**
 * The CONNECT / CONNACK part every benchmark client shares; subclasses say what happens once connected.
 */
public abstract class MqttClient implements ConnHandler {
    private final String clientId;
    private final int keepAliveSeconds;
    private final Credentials credentials;
    private Conn conn;
    private boolean connected;
    private boolean closed;
    private String failure;
    private String closeReason;
    private long connectStartNanos;
    private long connackNanos;
    private boolean cleanSession = true;
    private boolean sessionPresent;

    protected MqttClient(String clientId, int keepAliveSeconds, Credentials credentials) {
        this.clientId = clientId;
        this.keepAliveSeconds = keepAliveSeconds;
        this.credentials = credentials;
    }

    /** Records when the TCP connect was started, for connect-latency figures. */
    public final void started(Conn c, long nanos) {
        this.conn = c;
        this.connectStartNanos = nanos;
    }

    @Override
    public final void onTcpConnected(Conn c) {
        this.conn = c;
        Wire.connect(c.out(), c.version(), clientId, keepAliveSeconds, credentials.username(), credentials.password(),
                credentials.authMethod(), credentials.authData(), cleanSession);
        c.flush();
    }

    @Override
    public final void onFrame(Conn c, int type, int flags, ByteBuffer buf, int start, int length) {
        if (type == Wire.CONNACK) {
            int code = length >= 2 ? buf.get(start + 1) & 0xFF : 0xFF;
            if (code == 0) {
                connected = true;
                sessionPresent = length >= 1 && (buf.get(start) & 1) != 0;
                connackNanos = System.nanoTime();
                onConnected(c);
            } else {
                failure = "CONNACK refused with code " + code;
                c.close(failure);
            }
            return;
        }
        if (type == Wire.AUTH && !connected) {
            answerChallenge(c, buf, start, length);
            return;
        }
        onPacket(c, type, flags, buf, start, length);
    }

    @Override
    public final void onClosed(Conn c, String why) {
        closed = true;
        closeReason = why;
        if (!connected && failure == null) {
            failure = why;
        }
        onLost(why);
    }

    /** AUTH 0x18 before CONNACK: the credentials' challenge function answers it, or the client gives up. */
    private void answerChallenge(Conn c, ByteBuffer buf, int start, int length) {
        Wire.Auth auth;
        try {
            auth = Wire.parseAuth(buf, start, length);
        } catch (RuntimeException e) {
            failure = "malformed AUTH: " + e.getMessage();
            c.close(failure);
            return;
        }
        if (auth.reasonCode() != Wire.AUTH_CONTINUE || credentials.challenge() == null
                || credentials.authMethod() == null || !credentials.authMethod().equals(auth.method())) {
            failure = "unexpected AUTH reason " + auth.reasonCode() + " method " + auth.method();
            c.close(failure);
            return;
        }
        byte[] answer = credentials.challenge().apply(auth.data());
        if (!c.ensureSpace(Wire.authSize(credentials.authMethod(), answer))) {
            return;
        }
        Wire.auth(c.out(), credentials.authMethod(), answer);
        c.flush();
    }

    /**
     * Asks for a persistent session (clean session 0; MQTT 5: clean start 0, session expiry "never"), so that the
     * broker keeps the subscriptions and queues QoS 1/2 messages for the client while it is away. Before connecting.
     */
    public final MqttClient persistentSession() {
        this.cleanSession = false;
        return this;
    }

    /** Whether the CONNACK said the broker still had a session for this client id. */
    public final boolean sessionPresent() {
        return sessionPresent;
    }

    /** CONNACK with success arrived. */
    protected abstract void onConnected(Conn c);

    /** Any packet after CONNACK. */
    protected abstract void onPacket(Conn c, int type, int flags, ByteBuffer buf, int start, int length);

    /** The connection ended (after or before CONNACK). */
    protected void onLost(String why) {
    }

    public final Conn conn() {
        return conn;
    }

    public final boolean connected() {
        return connected && !closed;
    }

    public final boolean everConnected() {
        return connected;
    }

    public final boolean closed() {
        return closed;
    }

    /** Why the connection never got a successful CONNACK, or null. */
    public final String failure() {
        return failure;
    }

    /** How the connection ended, or null while open. */
    public final String closeReason() {
        return closeReason;
    }

    public final String clientId() {
        return clientId;
    }

    /** TCP connect start to CONNACK, or -1. */
    public final long connectNanos() {
        return connected ? connackNanos - connectStartNanos : -1;
    }

    /** Sends DISCONNECT and closes. */
    public final void disconnect() {
        if (conn != null && !conn.isClosed()) {
            if (connected && conn.out().remaining() >= 2) {
                Wire.disconnect(conn.out());
                conn.flush();
            }
            conn.close("disconnected by client");
        }
    }
}

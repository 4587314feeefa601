package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.core.BrokerCore;
import dev.gatehouse.broker.session.Session;
import dev.gatehouse.broker.session.Will;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facts of one connection that its parts share (who the client is, what it negotiated, its
 * session) and the only way they write to it or end it. Every method runs on the channel's event
 * loop, so nothing here needs a lock.
 */
final class ConnectionContext {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    /** How long a closing connection waits for the client to read our DISCONNECT and close its side. */
    static final long CLOSE_LINGER_MILLIS = 500;

    enum State { AWAIT_CONNECT, AUTHENTICATING, CONNECTED, CLOSING, CLOSED }

    final BrokerCore core;
    final Limits limits;
    final ListenerConfig listener;
    final PermissionGuard guard;
    final StoreBatch store;
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    ChannelHandlerContext ctx;
    Channel channel;
    ReadGate readGate;

    State state = State.AWAIT_CONNECT;
    MqttVersion version = MqttVersion.V3_1_1;
    String clientId = "";
    String username;
    String principal = "";
    String authenticatorName = "";
    Session session;
    long sessionExpiry;
    boolean problemInformation = true;
    int clientReceiveMaximum = 65535;
    long clientMaxPacketSize = Long.MAX_VALUE;
    int clientTopicAliasMaximum;
    Will will;
    boolean sendWill = true;
    String closeReason = "connection lost";
    /** {@link #closeReason} as one of a fixed set, for metrics. */
    dev.gatehouse.broker.CloseReason closeKind = dev.gatehouse.broker.CloseReason.CONNECTION_LOST;

    private boolean reading;
    private boolean flushPending;

    ConnectionContext(BrokerCore core, ListenerConfig listener) {
        this.core = core;
        this.limits = core.limits();
        this.listener = listener;
        this.guard = new PermissionGuard(core.denials(), core.traffic());
        this.store = new StoreBatch(this, core.stateStore());
    }

    void bind(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.readGate = new ReadGate(channel, core.flow());
    }

    boolean connected() {
        return state == State.CONNECTED;
    }

    // ---- writing ----

    void readStarted() {
        reading = true;
    }

    /**
     * The read batch ended: what it must store is committed in one go, and the acknowledgements written
     * during it go out in one flush (those waiting for the store, once it has answered).
     */
    void readComplete() {
        reading = false;
        store.commit();
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    /** Write a reply: flushed at the end of the current read batch, or now outside one. */
    void reply(Object packet) {
        if (reading) {
            ctx.write(packet);
            flushPending = true;
        } else {
            ctx.writeAndFlush(packet);
        }
    }

    /** Flush what was written: at the end of the current read batch, or now outside one. */
    void flushSoon() {
        if (reading) {
            flushPending = true;
        } else {
            ctx.flush();
        }
    }

    /** Work outside a read batch (a drain woken by a publisher, a timer) commits what it changed at its end. */
    void commitSoon() {
        if (!reading) {
            store.commit();
            if (flushPending) {
                flushPending = false;
                ctx.flush();
            }
        }
    }

    /** Something was written that the next flush point must send. */
    void flushPending() {
        flushPending = true;
    }

    String reason(String text) {
        return problemInformation ? text : null;
    }

    // ---- ending ----

    void protocolError(String why) {
        log.info("closing {} ({}): protocol error: {}", clientId, remote(), why);
        disconnect(ReasonCodes.PROTOCOL_ERROR, "protocol error");
    }

    /**
     * Server-side DISCONNECT for a client that broke a rule (MQTT 5 only; MQTT 3 just closes). The
     * DISCONNECT is flushed, our side half-closed, and what the client still sends is read and discarded
     * for a moment, so the client gets to read the reason code instead of a reset. The will is published.
     */
    void disconnect(int reasonCode, String why) {
        end(reasonCode, why, true);
    }

    /** Server-side DISCONNECT, closed as soon as it is flushed (takeover, shutdown, keep-alive, revocation). */
    void disconnectPromptly(int reasonCode, String why) {
        end(reasonCode, why, false);
    }

    private void end(int reasonCode, String why, boolean linger) {
        if (state == State.CLOSED || state == State.CLOSING) {
            return;
        }
        closeReason = why;
        closeKind = kindOf(reasonCode);
        boolean tell = version.isV5() && state == State.CONNECTED;
        state = State.CLOSING;
        if (!tell) {
            ctx.close();
            return;
        }
        ctx.writeAndFlush(Packets.disconnect(reasonCode, reason(why)))
                .addListener(linger ? (ChannelFutureListener) f -> linger() : ChannelFutureListener.CLOSE);
    }

    /** A last packet (a refusing CONNACK), then close the way {@link #disconnect} does. */
    void sendLastAndClose(Object packet) {
        closeKind = dev.gatehouse.broker.CloseReason.CONNECT_REFUSED;
        state = State.CLOSING;
        ctx.writeAndFlush(packet).addListener((ChannelFutureListener) f -> linger());
    }

    /** Half-close after our last packet, drain the client's, and close when it does or the linger ends. */
    private void linger() {
        if (!channel.isActive()) {
            return;
        }
        readGate.drainForClose();
        if (channel instanceof DuplexChannel d && ctx.pipeline().get("tls") == null) {
            d.shutdownOutput();
        }
        ScheduledFuture<?> t = ctx.executor().schedule(() -> {
            ctx.close();
        }, CLOSE_LINGER_MILLIS, TimeUnit.MILLISECONDS);
        closed.whenComplete((v, e) -> t.cancel(false));
    }

    /** Close at once: nothing more is sent. */
    void close(String why) {
        closeReason = why;
        closeKind = kindOf(why);
        if (state != State.CLOSED) {
            state = State.CLOSING;
        }
        ctx.close();
    }

    // ---- helpers ----

    /** The kind of a server-side DISCONNECT, by its reason code. */
    static dev.gatehouse.broker.CloseReason kindOf(int reasonCode) {
        return switch (reasonCode) {
            case ReasonCodes.SESSION_TAKEN_OVER -> dev.gatehouse.broker.CloseReason.TAKEN_OVER;
            case ReasonCodes.KEEP_ALIVE_TIMEOUT -> dev.gatehouse.broker.CloseReason.KEEP_ALIVE_TIMEOUT;
            case ReasonCodes.MAXIMUM_CONNECT_TIME -> dev.gatehouse.broker.CloseReason.CREDENTIAL_EXPIRED;
            case ReasonCodes.SERVER_SHUTTING_DOWN -> dev.gatehouse.broker.CloseReason.SERVER_SHUTDOWN;
            case ReasonCodes.QUOTA_EXCEEDED -> dev.gatehouse.broker.CloseReason.SLOW_CONSUMER;
            // a revoked credential, a failed or timed-out re-authentication (0x80: the authenticator could not decide)
            case ReasonCodes.NOT_AUTHORIZED, 0x80 -> dev.gatehouse.broker.CloseReason.CREDENTIAL_REVOKED;
            default -> dev.gatehouse.broker.CloseReason.PROTOCOL_ERROR;
        };
    }

    /** The kind of a close without DISCONNECT, by the words given for it. */
    static dev.gatehouse.broker.CloseReason kindOf(String why) {
        if (why.startsWith("client DISCONNECT")) {
            return dev.gatehouse.broker.CloseReason.CLIENT_DISCONNECT;
        } else if (why.startsWith("I/O error")) {
            return dev.gatehouse.broker.CloseReason.CONNECTION_LOST;
        } else if (why.equals("connect timeout")) {
            return dev.gatehouse.broker.CloseReason.CONNECT_TIMEOUT;
        } else if (why.equals("connection limit")) {
            return dev.gatehouse.broker.CloseReason.CONNECTION_LIMIT;
        } else if (why.startsWith("TLS")) {
            return dev.gatehouse.broker.CloseReason.TLS_HANDSHAKE_FAILED;
        } else if (why.contains("taken over")) {
            return dev.gatehouse.broker.CloseReason.TAKEN_OVER;
        } else if (why.startsWith("publish refused")) {
            return dev.gatehouse.broker.CloseReason.PUBLISH_REFUSED;
        } else if (why.startsWith("server shutting down")) {
            return dev.gatehouse.broker.CloseReason.SERVER_SHUTDOWN;
        } else if (why.equals("internal error") || why.startsWith("store")) {
            return dev.gatehouse.broker.CloseReason.INTERNAL_ERROR;
        }
        return dev.gatehouse.broker.CloseReason.PROTOCOL_ERROR;
    }

    InetSocketAddress remote() {
        return channel == null ? null : (InetSocketAddress) channel.remoteAddress();
    }

    Instant now() {
        return core.clock().instant();
    }

    static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}

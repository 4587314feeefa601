package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.AdmittedConnection;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.authn.spi.acl.AccessResult;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.core.ClientConnection;
import dev.gatehouse.broker.core.ConnectionGate;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.protocol.codec.DecodeFailures;
import dev.gatehouse.broker.session.Session;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, from TCP accept to close: the Netty handler that admits the connection
 * through the gates, dispatches each packet to the part that owns it ({@link ConnectionAuth},
 * {@link InboundFlow}, {@link OutboundFlow}, {@link SubscriptionRequests}) and ties the session to
 * the connection. Every method runs on the channel's event loop (results of asynchronous
 * authenticators hop back onto it), so the state needs no locks.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter implements ClientConnection, ConnectionAuth.Admitted {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    private final ConnectionContext c;
    private final ConnectionGate listenerGate;
    private final SubscriptionRequests subscriptions;
    private final ConnectionAuth auth;
    private final InboundFlow inbound;
    private final OutboundFlow outbound;
    private final ArrayDeque<MqttMessage> pipelined = new ArrayDeque<>(0);
    private boolean counted;
    private ConnectRequest request;

    MqttConnection(ListenerProtocol l) {
        this.c = new ConnectionContext(l.core(), l.listener());
        this.listenerGate = l.gate();
        this.subscriptions = l.subscriptions();
        this.auth = new ConnectionAuth(c, this, this);
        this.inbound = new InboundFlow(c, l.topicLimits());
        this.outbound = new OutboundFlow(c);
    }

    // ---- channel lifecycle ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        c.bind(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        c.core.traffic().connectionOpened();
        if (!c.core.connectionGate().tryEnter()) {
            log.info("refused {} on {}: broker connection limit {} reached", c.remote(), c.listener.name(),
                    c.core.connectionGate().max());
            c.state = ConnectionContext.State.CLOSED;
            c.close("connection limit");
            return;
        }
        if (!listenerGate.tryEnter()) {
            c.core.connectionGate().leave();
            log.info("refused {} on {}: listener connection limit {} reached", c.remote(), c.listener.name(),
                    listenerGate.max());
            c.state = ConnectionContext.State.CLOSED;
            c.close("connection limit");
            return;
        }
        counted = true;
        auth.startConnectTimer();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        c.state = ConnectionContext.State.CLOSED;
        c.core.traffic().connectionClosed(c.closeKind);
        if (counted) {
            counted = false;
            listenerGate.leave();
            c.core.connectionGate().leave();
        }
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
        inbound.closed();
        outbound.closed();
        c.readGate.closed();
        c.store.commit();
        if (c.session != null) {
            detach();
        } else if (!c.clientId.isEmpty()) {
            c.core.registry().release(c.clientId, this);
        }
        auth.closed();
        c.closed.complete(null);
        ctx.fireChannelInactive();
    }

    private void detach() {
        boolean willOut = c.will != null && c.sendWill && publishWill();
        c.core.sessions().detach(c.session, outbound);
        c.core.registry().release(c.clientId, this);
        log.info("client {} disconnected: {}", c.clientId, c.closeReason);
        c.core.events().fire(new BrokerEvent.ClientDisconnected(c.now(), c.clientId, c.principal, c.closeReason, willOut));
    }

    private boolean publishWill() {
        Message m = c.will.message();
        AccessResult access = c.guard.checkWill(m.topic(), m.qos(), m.retain());
        if (!access.allowed()) {
            log.info("will of {} on {} not published: denied by {}", c.clientId, m.topic(), access.describe());
            return false;
        }
        if (c.will.delaySeconds() > 0 && c.sessionExpiry > 0) {
            c.core.sessions().scheduleWill(c.session, m, c.will.delaySeconds());
        } else {
            c.core.publish(m);
        }
        return true;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TLS handshake failures are logged once from the handshake event, not here.
        log.debug("connection {} ({}) failed", c.clientId, c.remote(), cause);
        c.close("I/O error: " + cause.getClass().getSimpleName());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
            log.info("refused {} on {}: TLS handshake failed: {}", c.remote(), c.listener.name(),
                    hs.cause() == null ? "unknown" : hs.cause().getMessage());
            c.close("TLS handshake failed");
            return;
        }
        if (evt instanceof IdleStateEvent) {
            log.info("client {} missed its keep-alive", c.clientId);
            c.disconnectPromptly(ReasonCodes.KEEP_ALIVE_TIMEOUT, "keep-alive timeout");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        outbound.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    // ---- inbound packets ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        c.readStarted();
        try {
            if (!(msg instanceof MqttMessage m)) {
                return;
            }
            if (c.state == ConnectionContext.State.CLOSED || c.state == ConnectionContext.State.CLOSING) {
                return; // what a closing client still sends is read only to be discarded
            }
            if (m.decoderResult().isFailure()) {
                onDecodeFailure(m.decoderResult().cause());
                return;
            }
            MqttMessageType type = m.fixedHeader().messageType();
            switch (c.state) {
                case AWAIT_CONNECT -> {
                    if (type == MqttMessageType.CONNECT) {
                        auth.onConnect((MqttConnectMessage) m);
                    } else {
                        log.info("closing {}: first packet was {}, not CONNECT", c.remote(), type);
                        c.close("protocol error");
                    }
                }
                case AUTHENTICATING -> onDuringAuthentication(m, type);
                case CONNECTED -> onConnected(m, type);
                default -> { }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        c.readComplete();
        ctx.fireChannelReadComplete();
    }

    private void onDecodeFailure(Throwable cause) {
        boolean tooLarge = isTooLarge(cause);
        if (c.state == ConnectionContext.State.AWAIT_CONNECT) {
            MqttVersion v = CodecVersion.of(c.channel).orElse(null);
            if (cause instanceof MqttUnacceptableProtocolVersionException) {
                log.info("refused {}: unsupported protocol version", c.remote());
                auth.refuseRaw(v != null && v.isV5() ? ReasonCodes.UNSUPPORTED_PROTOCOL_VERSION
                        : ReasonCodes.V3_UNACCEPTABLE_PROTOCOL_VERSION, "unsupported protocol");
            } else if (cause instanceof MqttIdentifierRejectedException) {
                log.info("refused {}: client identifier rejected", c.remote());
                auth.refuseRaw(v != null && v.isV5() ? ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID
                        : ReasonCodes.V3_IDENTIFIER_REJECTED, "client identifier rejected");
            } else if (v != null && v.isV5()) {
                c.version = v;
                log.info("refused {}: {} CONNECT: {}", c.remote(), tooLarge ? "oversized" : "malformed", cause.getMessage());
                auth.refuseRaw(DecodeFailures.reasonCode(cause), DecodeFailures.text(cause));
            } else {
                log.info("closing {}: {} packet before CONNECT: {}", c.remote(), tooLarge ? "oversized" : "malformed",
                        cause.getMessage());
                c.close(tooLarge ? "packet too large" : "malformed packet");
            }
            return;
        }
        log.info("closing {} ({}): {} packet: {}", c.clientId, c.remote(), tooLarge ? "oversized" : "malformed",
                cause.getMessage());
        c.disconnect(DecodeFailures.reasonCode(cause), DecodeFailures.text(cause));
    }

    private static boolean isTooLarge(Throwable cause) {
        return DecodeFailures.reasonCode(cause) == ReasonCodes.PACKET_TOO_LARGE;
    }

    private void onDuringAuthentication(MqttMessage m, MqttMessageType type) {
        if (!auth.enhanced() && type != MqttMessageType.AUTH && type != MqttMessageType.CONNECT) {
            // Clients may send packets right behind CONNECT (MQTT 3.1.4): hold them until admitted.
            // Reading is paused meanwhile, so this holds at most what one read already decoded.
            c.readGate.hold(ReadGate.AUTHENTICATING);
            pipelined.add((MqttMessage) ReferenceCountUtil.retain(m));
            return;
        }
        if (type == MqttMessageType.AUTH && c.version.isV5()) {
            auth.onAuth(m);
        } else if (type == MqttMessageType.DISCONNECT) {
            c.close("client DISCONNECT during authentication");
        } else {
            log.info("refused {} ({}): {} during authentication", c.clientId, c.remote(), type);
            auth.refuseRaw(c.version.isV5() ? ReasonCodes.PROTOCOL_ERROR : FailureReason.PROTOCOL_ERROR.v3ReturnCode(),
                    "protocol error");
        }
    }

    private void onConnected(MqttMessage m, MqttMessageType type) {
        switch (type) {
            case PUBLISH -> inbound.onPublish((MqttPublishMessage) m);
            case PUBACK -> outbound.onPubAck(packetId(m));
            case PUBREC -> outbound.onPubRec(packetId(m), replyCode(m));
            case PUBREL -> inbound.onPubRel(packetId(m));
            case PUBCOMP -> outbound.onPubComp(packetId(m));
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) m);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) m);
            case PINGREQ -> c.reply(Packets.pingResp());
            case DISCONNECT -> onDisconnect(m);
            case AUTH -> {
                if (c.version.isV5()) {
                    auth.onAuth(m);
                } else {
                    c.protocolError("AUTH on an MQTT 3 connection");
                }
            }
            case CONNECT -> c.protocolError("second CONNECT");
            default -> c.protocolError("unexpected " + type);
        }
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private static int replyCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    // ---- admitted: the session and CONNACK ----

    @Override
    public void claimed(boolean stillCurrent, ConnectRequest req) {
        if (c.state != ConnectionContext.State.AUTHENTICATING) {
            return;
        }
        if (!stillCurrent) {
            c.close("taken over while connecting");
            return;
        }
        request = req;
        boolean[] present = new boolean[1];
        Session session = c.core.sessions().open(c.clientId, req.cleanStart(), outbound, present);
        if (session == null) {
            log.info("refused client {} from {} on {}: session limit of {} reached, every session connected",
                    c.clientId, c.remote(), c.listener.name(), c.limits.maxSessions());
            auth.refuseRaw(c.version.isV5() ? ReasonCodes.QUOTA_EXCEEDED : FailureReason.SERVER_UNAVAILABLE.v3ReturnCode(),
                    "session limit reached");
            return;
        }
        c.session = session;
        session.expiryIntervalSeconds(c.sessionExpiry);
        c.core.sessions().attached(session, present[0], c.store.changes());
        auth.handshakeDone();
        c.state = ConnectionContext.State.CONNECTED;
        inbound.start();
        outbound.start();
        if (req.keepAlive() > 0) {
            c.channel.pipeline().addBefore(c.ctx.name(), "keepalive",
                    new IdleStateHandler(req.keepAlive() * 1500L, 0, 0, TimeUnit.MILLISECONDS));
        }
        c.ctx.writeAndFlush(Packets.connAck(0, present[0],
                c.version.isV5() ? connAckProperties(req) : MqttProperties.NO_PROPERTIES));
        log.info("client {} connected from {} on {} as {} via {} (MQTT {}, session {})", c.clientId, c.remote(),
                c.listener.name(), c.principal, c.authenticatorName, c.version, present[0] ? "resumed" : "new");
        c.core.events().fire(new BrokerEvent.ClientConnected(c.now(), c.clientId, c.principal, c.authenticatorName,
                c.remote(), c.listener.name(), c.version, present[0]));
        if (present[0]) {
            outbound.resend();
        }
        outbound.drain();
        c.commitSoon();
        replayPipelined();
    }

    private void replayPipelined() {
        MqttMessage m;
        while (c.connected() && (m = pipelined.poll()) != null) {
            try {
                onConnected(m, m.fixedHeader().messageType());
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
        c.readGate.release(ReadGate.AUTHENTICATING);
    }

    private MqttProperties connAckProperties(ConnectRequest req) {
        MqttProperties p = new MqttProperties();
        if (req.assignedId()) {
            Props.addString(p, MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER, c.clientId);
        }
        if (req.keepAliveOverridden()) {
            Props.addInt(p, MqttPropertyType.SERVER_KEEP_ALIVE, req.keepAlive());
        }
        if (req.sessionExpiry() != req.requestedSessionExpiry()) {
            Props.addInt(p, MqttPropertyType.SESSION_EXPIRY_INTERVAL, (int) req.sessionExpiry());
        }
        Props.addInt(p, MqttPropertyType.RECEIVE_MAXIMUM, c.limits.receiveMaximum());
        Props.addInt(p, MqttPropertyType.MAXIMUM_PACKET_SIZE, c.limits.maxPacketSize());
        Props.addInt(p, MqttPropertyType.TOPIC_ALIAS_MAXIMUM, c.limits.topicAliasMaximum());
        Props.addInt(p, MqttPropertyType.RETAIN_AVAILABLE, 1);
        Props.addInt(p, MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, 1);
        Props.addInt(p, MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1);
        Props.addInt(p, MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 1);
        if (auth.authMethod() != null) {
            Props.addString(p, MqttPropertyType.AUTHENTICATION_METHOD, auth.authMethod());
        }
        return p;
    }

    @Override
    public void permissionsChanged() {
        subscriptions.recheck(c.session, c.guard);
    }

    // ---- SUBSCRIBE, UNSUBSCRIBE, DISCONNECT ----

    private void onSubscribe(MqttSubscribeMessage m) {
        int[] codes;
        try {
            codes = subscriptions.subscribe(c.session, c.guard, c.version.isV5(), m);
        } catch (SubscriptionRequests.Violation v) {
            c.protocolError(v.getMessage());
            return;
        }
        storeSubscriptions();
        c.reply(Packets.subAck(m.idAndPropertiesVariableHeader().messageId(), codes, null));
        // Retained messages for the new subscriptions go out behind the SUBACK.
        outbound.drain();
    }

    private void onUnsubscribe(MqttUnsubscribeMessage m) {
        short[] codes = subscriptions.unsubscribe(c.session, m.payload().topics());
        storeSubscriptions();
        c.reply(Packets.unsubAck(m.idAndPropertiesVariableHeader().messageId(), codes, c.version.isV5()));
    }

    /** A persistent session's subscriptions are stored as they change (with this read batch). */
    private void storeSubscriptions() {
        if (c.session.persistent()) {
            c.store.changes().putSession(c.session.toRecord(0));
        }
    }

    private void onDisconnect(MqttMessage m) {
        int code = 0;
        if (c.version.isV5() && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader vh) {
            code = vh.reasonCode() & 0xFF;
            Optional<Integer> expiry = Props.integer(vh.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL);
            if (expiry.isPresent()) {
                long requested = Integer.toUnsignedLong(expiry.get());
                if (c.sessionExpiry == 0 && requested != 0) {
                    c.protocolError("session expiry set on DISCONNECT after CONNECT asked for 0");
                    return;
                }
                c.sessionExpiry = Math.min(requested, c.limits.maxSessionExpiry().toSeconds());
                c.session.expiryIntervalSeconds(c.sessionExpiry);
            }
        }
        c.sendWill = code == ReasonCodes.DISCONNECT_WITH_WILL;
        c.close(code == 0 ? "client DISCONNECT" : "client DISCONNECT 0x" + Integer.toHexString(code));
    }

    // ---- what the core asks of a live connection ----

    @Override
    public CompletableFuture<Void> takeOver() {
        c.channel.eventLoop().execute(() -> {
            if (c.connected()) {
                log.info("client {} taken over by a new connection", c.clientId);
                c.disconnectPromptly(ReasonCodes.SESSION_TAKEN_OVER, "session taken over");
            } else if (c.state != ConnectionContext.State.CLOSED) {
                c.close("session taken over");
            }
        });
        return c.closed;
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        c.channel.eventLoop().execute(() -> {
            c.sendWill = false;
            if (c.connected()) {
                c.disconnectPromptly(ReasonCodes.SERVER_SHUTTING_DOWN, "server shutting down");
            } else {
                c.close("server shutting down");
            }
        });
        return c.closed;
    }

    @Override
    public AdmittedConnection admittedBy(Authenticator by) {
        return auth.admittedBy(by);
    }

    @Override
    public void revoke(FailureReason reason, String logMessage) {
        c.channel.eventLoop().execute(() -> {
            if (c.connected()) {
                log.info("client {}: credential revoked by {}: {}", c.clientId, c.authenticatorName, logMessage);
                c.disconnectPromptly(reason.v5DisconnectCode(), "credential revoked");
            }
        });
    }

    @Override
    public void checkExpiry(long nowMillis) {
        auth.checkExpiry(nowMillis);
    }

    @Override
    public long outboundBufferedBytes() {
        ChannelOutboundBuffer b = c.channel.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }
}

package dev.gatehouse.broker.transport;

import dev.gatehouse.authn.spi.AdmittedConnection;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.ConnectionType;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.MqttVersion;
import dev.gatehouse.authn.spi.acl.AccessResult;
import dev.gatehouse.authn.spi.acl.CompiledPermissions;
import dev.gatehouse.authn.spi.acl.PlaceholderValues;
import dev.gatehouse.authn.spi.acl.TopicFilters;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.DeniedPublishAction;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.auth.ChainResult;
import dev.gatehouse.broker.core.BrokerCore;
import dev.gatehouse.broker.core.ClientConnection;
import dev.gatehouse.broker.core.ConnectionGate;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.session.Delivery;
import dev.gatehouse.broker.session.Session;
import dev.gatehouse.broker.session.SessionOwner;
import dev.gatehouse.broker.session.Will;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
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
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, from TCP accept to close. Every method runs on the channel's event loop
 * (results of asynchronous authenticators hop back onto it), so the fields need no locks.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter implements ClientConnection, SessionOwner {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    private enum State { AWAIT_CONNECT, AUTHENTICATING, CONNECTED, CLOSED }

    private final BrokerCore core;
    private final Limits limits;
    private final ListenerConfig listener;
    private final ConnectionGate listenerGate;
    private final TopicLimits topicLimits;
    private final SubscriptionRequests subscriptions;
    private boolean counted;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Session.Sender sender = new Session.Sender() {
        @Override
        public boolean writable() {
            return channel.isWritable();
        }

        @Override
        public boolean send(Delivery d, int packetId, boolean dup) {
            return writePublish(d, packetId, dup);
        }
    };

    private ChannelHandlerContext ctx;
    private Channel channel;
    private State state = State.AWAIT_CONNECT;
    private ScheduledFuture<?> handshakeTimer;
    private ScheduledFuture<?> credentialTimer;

    private MqttVersion version = MqttVersion.V3_1_1;
    private String clientId = "";
    private String username;
    private boolean cleanStart;
    private long sessionExpiry;
    private long requestedSessionExpiry;
    private int keepAlive;
    private boolean keepAliveOverridden;
    private boolean assignedId;
    private int clientReceiveMaximum = 65535;
    private long clientMaxPacketSize = Long.MAX_VALUE;
    private boolean problemInformation = true;
    private String authMethod;
    private Will will;

    private AuthRequest authRequest;
    private final java.util.ArrayDeque<MqttMessage> pipelined = new java.util.ArrayDeque<>();
    private Authenticator challenger;
    private Object challengeState;
    private boolean reauthenticating;

    private String principal = "";
    /** Read by other threads (revocation by the authenticator), so published whole. */
    private volatile Admission admission;
    private volatile long credentialExpiresAt = Long.MAX_VALUE;
    private String authenticatorName = "";
    private CompiledPermissions permissions;
    private Session session;
    private String[] topicAliases;
    private boolean sendWill = true;
    private String closeReason = "connection lost";
    private boolean reading;
    private boolean flushPending;

    MqttConnection(BrokerCore core, ListenerConfig listener, ConnectionGate listenerGate, TopicLimits topicLimits,
                   SubscriptionRequests subscriptions) {
        this.core = core;
        this.limits = core.limits();
        this.listener = listener;
        this.listenerGate = listenerGate;
        this.topicLimits = topicLimits;
        this.subscriptions = subscriptions;
    }

    // ---- channel lifecycle ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!core.connectionGate().tryEnter()) {
            log.info("refused {} on {}: broker connection limit {} reached", remote(), listener.name(),
                    core.connectionGate().max());
            state = State.CLOSED;
            close("connection limit");
            return;
        }
        if (!listenerGate.tryEnter()) {
            core.connectionGate().leave();
            log.info("refused {} on {}: listener connection limit {} reached", remote(), listener.name(),
                    listenerGate.max());
            state = State.CLOSED;
            close("connection limit");
            return;
        }
        counted = true;
        handshakeTimer = ctx.executor().schedule(() -> {
            if (state == State.AWAIT_CONNECT) {
                log.info("closing {}: no CONNECT within {}", remote(), limits.connectTimeout());
                close("connect timeout");
            }
        }, limits.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        if (counted) {
            counted = false;
            listenerGate.leave();
            core.connectionGate().leave();
        }
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
        cancel(handshakeTimer);
        cancel(credentialTimer);
        if (was == State.CONNECTED && session != null) {
            detach();
        } else if (was == State.AUTHENTICATING && !clientId.isEmpty()) {
            core.release(clientId, this);
        }
        Admission a = admission;
        if (a != null) {
            admission = null;
            notifyClosed(a.by(), a.request(), a.success());
        }
        closed.complete(null);
        ctx.fireChannelInactive();
    }

    private void notifyClosed(Authenticator a, AuthRequest request, AuthDecision.Success s) {
        try {
            a.connectionClosed(request, s);
        } catch (RuntimeException e) {
            log.warn("authenticator {} failed in connectionClosed", a.name(), e);
        }
    }

    private void detach() {
        boolean willOut = false;
        if (will != null && sendWill) {
            willOut = publishWill();
        }
        session.detach(this);
        core.release(clientId, this);
        core.sessionDetached(session);
        log.info("client {} disconnected: {}", clientId, closeReason);
        core.events().fire(new BrokerEvent.ClientDisconnected(now(), clientId, principal, closeReason, willOut));
    }

    private boolean publishWill() {
        Message m = will.message();
        AccessResult access = permissions.checkPublish(m.topic(), m.qos(), m.retain());
        if (!access.allowed()) {
            log.info("will of {} on {} not published: denied by {}", clientId, m.topic(), access.describe());
            return false;
        }
        if (will.delaySeconds() > 0 && sessionExpiry > 0) {
            core.scheduleWill(session, m, will.delaySeconds());
        } else {
            core.route(m);
        }
        return true;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TLS handshake failures are logged once from the handshake event, not here.
        log.debug("connection {} ({}) failed", clientId, remote(), cause);
        closeReason = "I/O error: " + cause.getClass().getSimpleName();
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
            log.info("refused {} on {}: TLS handshake failed: {}", remote(), listener.name(),
                    hs.cause() == null ? "unknown" : hs.cause().getMessage());
            closeReason = "TLS handshake failed";
            ctx.close();
            return;
        }
        if (evt instanceof IdleStateEvent) {
            log.info("client {} missed its keep-alive ({} s)", clientId, keepAlive);
            disconnect(ReasonCodes.KEEP_ALIVE_TIMEOUT, "keep-alive timeout");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- inbound packets ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        try {
            if (!(msg instanceof MqttMessage m)) {
                return;
            }
            if (state == State.CLOSED) {
                return;
            }
            if (m.decoderResult().isFailure()) {
                onDecodeFailure(m.decoderResult().cause());
                return;
            }
            MqttMessageType type = m.fixedHeader().messageType();
            switch (state) {
                case AWAIT_CONNECT -> {
                    if (type == MqttMessageType.CONNECT) {
                        onConnect((MqttConnectMessage) m);
                    } else {
                        log.info("closing {}: first packet was {}, not CONNECT", remote(), type);
                        close("protocol error");
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

    /** Acknowledgements written during a read go out in one flush when the read batch ends. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Write a reply: flushed at the end of the current read batch, or now outside one. */
    private void reply(Object packet) {
        if (reading) {
            ctx.write(packet);
            flushPending = true;
        } else {
            ctx.writeAndFlush(packet);
        }
    }

    private void onDecodeFailure(Throwable cause) {
        boolean tooLarge = isTooLarge(cause);
        if (state == State.AWAIT_CONNECT) {
            MqttVersion v = CodecVersion.of(channel).orElse(null);
            if (cause instanceof MqttUnacceptableProtocolVersionException) {
                log.info("refused {}: unsupported protocol version", remote());
                refuseRaw(v != null && v.isV5() ? ReasonCodes.UNSUPPORTED_PROTOCOL_VERSION
                        : ReasonCodes.V3_UNACCEPTABLE_PROTOCOL_VERSION, "unsupported protocol");
            } else if (cause instanceof MqttIdentifierRejectedException) {
                log.info("refused {}: client identifier rejected", remote());
                refuseRaw(v != null && v.isV5() ? ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID
                        : ReasonCodes.V3_IDENTIFIER_REJECTED, "client identifier rejected");
            } else if (v != null && v.isV5()) {
                log.info("refused {}: {} CONNECT: {}", remote(), tooLarge ? "oversized" : "malformed", cause.getMessage());
                refuseRaw(tooLarge ? ReasonCodes.PACKET_TOO_LARGE : ReasonCodes.MALFORMED_PACKET,
                        tooLarge ? "packet too large" : "malformed CONNECT");
            } else {
                log.info("closing {}: {} packet before CONNECT: {}", remote(), tooLarge ? "oversized" : "malformed",
                        cause.getMessage());
                close(tooLarge ? "packet too large" : "malformed packet");
            }
            return;
        }
        log.info("closing {} ({}): {} packet: {}", clientId, remote(), tooLarge ? "oversized" : "malformed",
                cause.getMessage());
        disconnect(tooLarge ? ReasonCodes.PACKET_TOO_LARGE : ReasonCodes.MALFORMED_PACKET,
                tooLarge ? "packet too large" : "malformed packet");
    }

    private static boolean isTooLarge(Throwable cause) {
        return cause instanceof TooLongFrameException
                || (cause instanceof DecoderException && cause.getMessage() != null
                && (cause.getMessage().contains("too large") || cause.getMessage().contains("exceeds limit")));
    }

    private void onDuringAuthentication(MqttMessage m, MqttMessageType type) {
        if (authMethod == null && type != MqttMessageType.AUTH && type != MqttMessageType.CONNECT) {
            // Clients may send packets right behind CONNECT (MQTT 3.1.4): hold them until admitted.
            // Reading is paused meanwhile, so this holds at most what one read already decoded.
            channel.config().setAutoRead(false);
            pipelined.add((MqttMessage) ReferenceCountUtil.retain(m));
            return;
        }
        if (type == MqttMessageType.AUTH && version.isV5()) {
            onAuthContinue(m);
        } else if (type == MqttMessageType.DISCONNECT) {
            close("client DISCONNECT during authentication");
        } else {
            log.info("refused {} ({}): {} during authentication", clientId, remote(), type);
            refuseRaw(version.isV5() ? ReasonCodes.PROTOCOL_ERROR : FailureReason.PROTOCOL_ERROR.v3ReturnCode(),
                    "protocol error");
        }
    }

    private void onConnected(MqttMessage m, MqttMessageType type) {
        switch (type) {
            case PUBLISH -> onPublish((MqttPublishMessage) m);
            case PUBACK -> onPubAck(packetId(m));
            case PUBREC -> onPubRec(packetId(m), replyCode(m));
            case PUBREL -> onPubRel(packetId(m));
            case PUBCOMP -> onPubComp(packetId(m));
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) m);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) m);
            case PINGREQ -> reply(Packets.pingResp());
            case DISCONNECT -> onDisconnect(m);
            case AUTH -> {
                if (version.isV5()) {
                    onAuthContinue(m);
                } else {
                    protocolError("AUTH on an MQTT 3 connection");
                }
            }
            case CONNECT -> protocolError("second CONNECT");
            default -> protocolError("unexpected " + type);
        }
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private static int replyCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    // ---- CONNECT and authentication ----

    private void onConnect(MqttConnectMessage c) {
        ConnectParser.Result parsed = new ConnectParser(limits, core.clock()).parse(c);
        if (parsed instanceof ConnectParser.Refused r) {
            version = r.version();
            if (r.reason().isPresent()) {
                refuse(AuthDecision.failure(r.reason().get(), r.why()), "broker");
            } else {
                log.info("refused {}: {}", remote(), r.why());
                refuseRaw(r.code(), r.why());
            }
            return;
        }
        ConnectRequest req = ((ConnectParser.Valid) parsed).request();
        version = req.version();
        clientId = req.clientId();
        assignedId = req.assignedId();
        username = req.username().orElse(null);
        cleanStart = req.cleanStart();
        sessionExpiry = req.sessionExpiry();
        requestedSessionExpiry = req.requestedSessionExpiry();
        keepAlive = req.keepAlive();
        keepAliveOverridden = req.keepAliveOverridden();
        clientReceiveMaximum = req.clientReceiveMaximum();
        clientMaxPacketSize = req.clientMaxPacketSize();
        problemInformation = req.problemInformation();
        authMethod = req.authMethod().orElse(null);
        will = req.will().orElse(null);
        topicAliases = version.isV5() && limits.topicAliasMaximum() > 0 ? new String[limits.topicAliasMaximum() + 1]
                : null;
        authRequest = new AuthRequest(clientId, req.username(), req.password(), version, req.authMethod(),
                req.authData(), remote(), listener.name(), peerCertificates(), req.userProperties(), false,
                connectionType());
        state = State.AUTHENTICATING;
        cancel(handshakeTimer);
        handshakeTimer = ctx.executor().schedule(() -> {
            if (state == State.AUTHENTICATING && challenger != null) {
                refuse(AuthDecision.failure(FailureReason.NOT_AUTHORIZED,
                        "client did not answer the AUTH challenge within " + limits.authTimeout()), "broker");
            } else if (state == State.AUTHENTICATING) {
                refuse(AuthDecision.failure(FailureReason.SERVER_UNAVAILABLE,
                        "authentication did not finish within " + limits.authTimeout()), "broker");
            }
        }, limits.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
        onEventLoop(core.chain().authenticate(authRequest), this::onChainResult);
    }

    private List<X509Certificate> peerCertificates() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            return out;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    private void onAuthContinue(MqttMessage m) {
        MqttReasonCodeAndPropertiesVariableHeader vh = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        int code = vh.reasonCode() & 0xFF;
        String method = Props.string(vh.properties(), MqttPropertyType.AUTHENTICATION_METHOD).orElse(null);
        byte[] data = Props.binary(vh.properties(), MqttPropertyType.AUTHENTICATION_DATA).orElse(new byte[0]);
        if (authMethod == null || !authMethod.equals(method)) {
            protocolErrorDuringAuth("AUTH with method " + method + " on a connection that used " + authMethod);
            return;
        }
        if (code == ReasonCodes.REAUTHENTICATE && state == State.CONNECTED && challenger == null) {
            reauthenticating = true;
            authRequest = new AuthRequest(clientId, Optional.ofNullable(username), Optional.empty(), version,
                    Optional.of(authMethod), Optional.of(data), remote(), listener.name(), peerCertificates(),
                    Props.userProperties(vh.properties()), true, connectionType());
            startCredentialTimeout();
            onEventLoop(core.chain().authenticate(authRequest), this::onChainResult);
            return;
        }
        if (code == ReasonCodes.CONTINUE_AUTHENTICATION && challenger != null) {
            Authenticator a = challenger;
            Object st = challengeState;
            challenger = null;
            challengeState = null;
            onEventLoop(core.chain().continueAuth(a, authRequest, st, data), this::onChainResult);
            return;
        }
        protocolErrorDuringAuth("unexpected AUTH reason 0x" + Integer.toHexString(code));
    }

    private void startCredentialTimeout() {
        cancel(handshakeTimer);
        handshakeTimer = ctx.executor().schedule(() -> {
            if (reauthenticating && state == State.CONNECTED) {
                log.info("client {} did not finish re-authentication within {}", clientId, limits.authTimeout());
                disconnect(ReasonCodes.NOT_AUTHORIZED, "re-authentication timeout");
            }
        }, limits.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void protocolErrorDuringAuth(String why) {
        if (state == State.AUTHENTICATING) {
            refuse(AuthDecision.failure(FailureReason.PROTOCOL_ERROR, why), "broker");
        } else {
            protocolError(why);
        }
    }

    private void onChainResult(ChainResult r) {
        if (state == State.CLOSED || (state == State.CONNECTED && !reauthenticating)) {
            // Too late to use: still give a success back, so that leases the authenticator took are released.
            if (r instanceof ChainResult.Admitted a && a.by() != null) {
                notifyClosed(a.by(), authRequest, a.success());
            }
            return;
        }
        if (r instanceof ChainResult.Admitted a) {
            admit(a.success(), a.authenticator(), a.by());
        } else if (r instanceof ChainResult.Refused f) {
            refuse(f.failure(), f.authenticator());
        } else if (r instanceof ChainResult.Challenged c) {
            if (!version.isV5() || authMethod == null) {
                refuse(AuthDecision.failure(FailureReason.BAD_AUTHENTICATION_METHOD, c.authenticator().name()
                        + " challenged a client that did not ask for enhanced authentication"), c.authenticator().name());
                return;
            }
            challenger = c.authenticator();
            challengeState = c.challenge().state();
            ctx.writeAndFlush(Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION, authMethod, c.challenge().authData()));
        } else {
            admitAnonymous();
        }
    }

    private void admitAnonymous() {
        boolean allowed = switch (listener.anonymous()) {
            case ALLOW -> true;
            case LOOPBACK_ONLY -> remote() != null && remote().getAddress() != null
                    && remote().getAddress().isLoopbackAddress();
            case DENY -> false;
        };
        if (!allowed) {
            refuse(AuthDecision.failure(FailureReason.NOT_AUTHORIZED,
                    listener.anonymous() == AnonymousAccess.DENY ? "anonymous access refused"
                            : "anonymous access only from loopback"), "anonymous");
            return;
        }
        admit(AuthDecision.success("anonymous", listener.anonymousPermissions().orElse(core.defaultPermissions())),
                "anonymous", null);
    }

    private void admit(AuthDecision.Success s, String byAuthenticator, Authenticator by) {
        Instant now = now();
        if (s.expiresAt().isPresent() && !s.expiresAt().get().isAfter(now)) {
            if (by != null) {
                notifyClosed(by, authRequest, s);
            }
            refuse(AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "credential already expired"), byAuthenticator);
            return;
        }
        CompiledPermissions compiled = s.permissions().compile(PlaceholderValues.of(clientId, username,
                authRequest.peerCommonName().orElse(null)));
        Admission previous = admission;
        admission = by == null ? null : new Admission(by, authRequest, s);
        if (reauthenticating) {
            if (previous != null) {
                notifyClosed(previous.by(), previous.request(), previous.success());
            }
            reauthenticated(s, compiled, byAuthenticator);
            return;
        }
        principal = s.principal();
        authenticatorName = byAuthenticator;
        permissions = compiled;
        scheduleCredentialExpiry(s.expiresAt());
        onEventLoop(core.claim(clientId, this), ok -> attach(ok));
    }

    private void attach(boolean stillCurrent) {
        if (state != State.AUTHENTICATING) {
            return;
        }
        if (!stillCurrent) {
            close("taken over while connecting");
            return;
        }
        boolean[] present = new boolean[1];
        session = core.openSession(clientId, cleanStart, this, present);
        if (session == null) {
            log.info("refused client {} from {} on {}: session limit of {} reached, every session connected",
                    clientId, remote(), listener.name(), core.limits().maxSessions());
            refuseRaw(version.isV5() ? ReasonCodes.QUOTA_EXCEEDED : FailureReason.SERVER_UNAVAILABLE.v3ReturnCode(),
                    "session limit reached");
            return;
        }
        session.expiryIntervalSeconds(sessionExpiry);
        cancel(handshakeTimer);
        state = State.CONNECTED;
        if (keepAlive > 0) {
            channel.pipeline().addBefore(ctx.name(), "keepalive",
                    new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS));
        }
        ctx.writeAndFlush(Packets.connAck(0, present[0], version.isV5() ? connAckProperties() : MqttProperties.NO_PROPERTIES));
        log.info("client {} connected from {} on {} as {} via {} (MQTT {}, session {})", clientId, remote(),
                listener.name(), principal, authenticatorName, version, present[0] ? "resumed" : "new");
        core.events().fire(new BrokerEvent.ClientConnected(now(), clientId, principal, authenticatorName, remote(),
                listener.name(), version, present[0]));
        if (present[0]) {
            resend();
        }
        drain();
        replayPipelined();
    }

    private void replayPipelined() {
        MqttMessage m;
        while (state == State.CONNECTED && (m = pipelined.poll()) != null) {
            try {
                onConnected(m, m.fixedHeader().messageType());
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
        channel.config().setAutoRead(true);
    }

    private MqttProperties connAckProperties() {
        MqttProperties p = new MqttProperties();
        if (assignedId) {
            Props.addString(p, MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER, clientId);
        }
        if (keepAliveOverridden) {
            Props.addInt(p, MqttPropertyType.SERVER_KEEP_ALIVE, keepAlive);
        }
        if (sessionExpiry != requestedSessionExpiry) {
            Props.addInt(p, MqttPropertyType.SESSION_EXPIRY_INTERVAL, (int) sessionExpiry);
        }
        Props.addInt(p, MqttPropertyType.RECEIVE_MAXIMUM, limits.receiveMaximum());
        Props.addInt(p, MqttPropertyType.MAXIMUM_PACKET_SIZE, limits.maxPacketSize());
        Props.addInt(p, MqttPropertyType.TOPIC_ALIAS_MAXIMUM, limits.topicAliasMaximum());
        Props.addInt(p, MqttPropertyType.RETAIN_AVAILABLE, 1);
        Props.addInt(p, MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, 1);
        Props.addInt(p, MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1);
        Props.addInt(p, MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 1);
        if (authMethod != null) {
            Props.addString(p, MqttPropertyType.AUTHENTICATION_METHOD, authMethod);
        }
        return p;
    }

    private void reauthenticated(AuthDecision.Success s, CompiledPermissions compiled, String byAuthenticator) {
        reauthenticating = false;
        cancel(handshakeTimer);
        permissions = compiled;
        if (!s.principal().equals(principal)) {
            log.info("client {} re-authenticated as {} (was {})", clientId, s.principal(), principal);
        }
        principal = s.principal();
        authenticatorName = byAuthenticator;
        scheduleCredentialExpiry(s.expiresAt());
        subscriptions.recheck(session, permissions);
        ctx.writeAndFlush(Packets.auth(ReasonCodes.SUCCESS, authMethod, null));
        log.info("client {} re-authenticated via {}{}", clientId, byAuthenticator,
                s.expiresAt().map(e -> " until " + e).orElse(""));
    }

    private void scheduleCredentialExpiry(Optional<Instant> expiresAt) {
        cancel(credentialTimer);
        credentialTimer = null;
        credentialExpiresAt = expiresAt.map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        if (expiresAt.isEmpty()) {
            return;
        }
        long delay = Math.max(0, Duration.between(now(), expiresAt.get()).toMillis());
        credentialTimer = ctx.executor().schedule(() -> expireIfDue(core.clock().millis()), delay, TimeUnit.MILLISECONDS);
    }

    /** On the event loop: disconnect when the credential's instant has passed by the broker's clock. */
    private void expireIfDue(long nowMillis) {
        long at = credentialExpiresAt;
        if (state != State.CONNECTED || nowMillis < at) {
            if (state == State.CONNECTED && at != Long.MAX_VALUE) {
                // The clock is behind real time: look again when it should have caught up.
                cancel(credentialTimer);
                credentialTimer = ctx.executor().schedule(() -> expireIfDue(core.clock().millis()),
                        Math.max(1, at - nowMillis), TimeUnit.MILLISECONDS);
            }
            return;
        }
        credentialExpiresAt = Long.MAX_VALUE;
        log.info("client {}: credential expired at {}; disconnecting", clientId, Instant.ofEpochMilli(at));
        disconnect(ReasonCodes.MAXIMUM_CONNECT_TIME, "credential expired");
    }

    private void refuse(AuthDecision.Failure f, String byAuthenticator) {
        log.info("refused client {} from {} on {}: {} ({}: {})", clientId.isEmpty() ? "?" : clientId, remote(),
                listener.name(), f.reason(), byAuthenticator, f.logMessage());
        core.events().fire(new BrokerEvent.AuthenticationFailed(now(), clientId, remote(), listener.name(),
                f.reason(), byAuthenticator, f.logMessage()));
        if (reauthenticating && state == State.CONNECTED) {
            reauthenticating = false;
            disconnect(f.reason().v5DisconnectCode(), f.reasonString().orElse("re-authentication failed"));
            return;
        }
        refuseRaw(version.isV5() ? f.reason().v5ReasonCode() : f.reason().v3ReturnCode(), f.reasonString().orElse(null));
    }

    /** CONNACK with a refusal code, then close. */
    private void refuseRaw(int code, String reasonString) {
        cancel(handshakeTimer);
        State was = state;
        state = State.CLOSED;
        if (was == State.AUTHENTICATING && !clientId.isEmpty()) {
            core.release(clientId, this);
        }
        MqttProperties props = version.isV5() && reasonString != null ? Props.reasonString(reasonString)
                : MqttProperties.NO_PROPERTIES;
        ctx.writeAndFlush(Packets.connAck(code, false, props)).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- PUBLISH and acknowledgements ----

    private void onPublish(MqttPublishMessage m) {
        int qos = m.fixedHeader().qosLevel().value();
        boolean retain = m.fixedHeader().isRetain();
        int packetId = m.variableHeader().packetId();
        MqttProperties props = m.variableHeader().properties();
        String topic = m.variableHeader().topicName();
        if (qos == 0 && m.fixedHeader().isDup()) {
            log.info("closing {} ({}): DUP flag on a QoS 0 PUBLISH", clientId, remote());
            disconnect(ReasonCodes.MALFORMED_PACKET, "DUP on QoS 0");
            return;
        }
        if (version.isV5()) {
            Optional<Integer> alias = Props.integer(props, MqttPropertyType.TOPIC_ALIAS);
            if (alias.isPresent()) {
                int a = alias.get();
                if (topicAliases == null || a == 0 || a >= topicAliases.length) {
                    disconnect(ReasonCodes.TOPIC_ALIAS_INVALID, "topic alias " + a + " out of range");
                    return;
                }
                if (topic == null || topic.isEmpty()) {
                    topic = topicAliases[a];
                    if (topic == null) {
                        protocolError("unknown topic alias " + a);
                        return;
                    }
                } else {
                    topicAliases[a] = topic;
                }
            }
        }
        if (!TopicFilters.isValidTopicName(topic)) {
            log.info("client {} published to an invalid topic name", clientId);
            disconnect(ReasonCodes.TOPIC_NAME_INVALID, "invalid topic name");
            return;
        }
        if (!topicLimits.allows(topic)) {
            log.info("client {} published to a topic beyond the length/level limits", clientId);
            refusePublish(qos, packetId, ReasonCodes.TOPIC_NAME_INVALID, "topic too long or too deep");
            return;
        }
        if (qos == 2 && !session.beginInboundQos2(packetId)) {
            // A duplicate of a QoS 2 message we already routed: acknowledge again, deliver nothing.
            reply(Packets.pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.SUCCESS, null));
            return;
        }
        if (qos == 2 && session.inboundQos2Count() > limits.receiveMaximum()) {
            disconnect(ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED, "receive maximum exceeded");
            return;
        }
        AccessResult access = permissions.checkPublish(topic, qos, retain);
        if (!access.allowed()) {
            log.info("denied PUBLISH by {} to {}: {}", clientId, topic, access.describe());
            refusePublish(qos, packetId, ReasonCodes.NOT_AUTHORIZED, "not authorized");
            return;
        }
        ByteBuf content = m.content();
        byte[] payload = ByteBufUtil.getBytes(content);
        long expiresAt = Message.NO_EXPIRY;
        if (version.isV5()) {
            Optional<Integer> expiry = Props.integer(props, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL);
            if (expiry.isPresent()) {
                expiresAt = core.clock().millis() + Integer.toUnsignedLong(expiry.get()) * 1000;
            }
        }
        Message msg = new Message(topic, payload, qos, retain,
                version.isV5() ? Props.messageProperties(props) : dev.gatehouse.broker.message.MessageProperties.NONE,
                expiresAt, clientId);
        int reached = core.route(msg);
        int code = reached == 0 && version.isV5() ? ReasonCodes.NO_MATCHING_SUBSCRIBERS : ReasonCodes.SUCCESS;
        if (qos == 1) {
            reply(Packets.pubReply(MqttMessageType.PUBACK, packetId, code, null));
        } else if (qos == 2) {
            reply(Packets.pubReply(MqttMessageType.PUBREC, packetId, code, null));
        }
    }

    /** MQTT 5: PUBACK/PUBREC with {@code code} (QoS 0: dropped); MQTT 3: acknowledged and dropped, or closed. */
    private void refusePublish(int qos, int packetId, int code, String why) {
        if (version.isV5()) {
            if (qos == 2) {
                // A PUBREC with an error code ends the QoS 2 flow: no PUBREL will follow.
                session.endInboundQos2(packetId);
            }
            if (qos > 0) {
                reply(Packets.pubReply(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId,
                        code, reason(why)));
            }
            return;
        }
        if (limits.deniedPublishAction() == DeniedPublishAction.DISCONNECT) {
            close("publish refused: " + why);
            return;
        }
        if (qos == 1) {
            reply(Packets.pubReply(MqttMessageType.PUBACK, packetId, 0, null));
        } else if (qos == 2) {
            reply(Packets.pubReply(MqttMessageType.PUBREC, packetId, 0, null));
        }
    }

    private void onPubRel(int packetId) {
        boolean known = session.endInboundQos2(packetId);
        reply(Packets.pubReply(MqttMessageType.PUBCOMP, packetId,
                known || !version.isV5() ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, null));
    }

    private void onPubAck(int packetId) {
        session.complete(packetId);
        drain();
    }

    private void onPubRec(int packetId, int code) {
        if (code >= 0x80) {
            session.complete(packetId);
            drain();
            return;
        }
        boolean known = session.received(packetId);
        reply(Packets.pubReply(MqttMessageType.PUBREL, packetId,
                known || !version.isV5() ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, null));
    }

    private void onPubComp(int packetId) {
        session.complete(packetId);
        drain();
    }

    // ---- SUBSCRIBE / UNSUBSCRIBE ----

    private void onSubscribe(MqttSubscribeMessage m) {
        int[] codes;
        try {
            codes = subscriptions.subscribe(session, permissions, version.isV5(), m);
        } catch (SubscriptionRequests.Violation v) {
            protocolError(v.getMessage());
            return;
        }
        reply(Packets.subAck(m.idAndPropertiesVariableHeader().messageId(), codes, null));
    }

    private void onUnsubscribe(MqttUnsubscribeMessage m) {
        short[] codes = subscriptions.unsubscribe(session, m.payload().topics());
        reply(Packets.unsubAck(m.idAndPropertiesVariableHeader().messageId(), codes, version.isV5()));
    }

    // ---- DISCONNECT ----

    private void onDisconnect(MqttMessage m) {
        int code = 0;
        if (version.isV5() && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader vh) {
            code = vh.reasonCode() & 0xFF;
            Optional<Integer> expiry = Props.integer(vh.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL);
            if (expiry.isPresent()) {
                long requested = Integer.toUnsignedLong(expiry.get());
                if (sessionExpiry == 0 && requested != 0) {
                    protocolError("session expiry set on DISCONNECT after CONNECT asked for 0");
                    return;
                }
                sessionExpiry = Math.min(requested, limits.maxSessionExpiry().toSeconds());
                session.expiryIntervalSeconds(sessionExpiry);
            }
        }
        sendWill = code == ReasonCodes.DISCONNECT_WITH_WILL;
        closeReason = code == 0 ? "client DISCONNECT" : "client DISCONNECT 0x" + Integer.toHexString(code);
        ctx.close();
    }

    // ---- outbound ----

    @Override
    public void wake() {
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(() -> {
                drainScheduled.set(false);
                drain();
            });
        }
    }

    private void drain() {
        if (state != State.CONNECTED || session == null) {
            return;
        }
        int window = Math.min(limits.maxInflight(), clientReceiveMaximum);
        if (session.drain(window, core.clock().millis(), sender) > 0) {
            if (reading) {
                flushPending = true;
            } else {
                ctx.flush();
            }
        }
    }

    /**
     * Redeliver what was in flight when the session's previous connection ended: PUBRELs now, the
     * PUBLISHes (DUP, same ids) through {@link #drain()} within this connection's window.
     */
    private void resend() {
        for (int packetId : session.resume()) {
            ctx.write(Packets.pubReply(MqttMessageType.PUBREL, packetId, ReasonCodes.SUCCESS, null));
        }
        ctx.flush();
    }

    private boolean writePublish(Delivery d, int packetId, boolean dup) {
        if (clientMaxPacketSize != Long.MAX_VALUE && Packets.estimatedPublishSize(d) > clientMaxPacketSize) {
            log.debug("not sending {} to {}: larger than its maximum packet size", d.message().topic(), clientId);
            return false;
        }
        ctx.write(Packets.publish(d, packetId, dup, version.isV5(), core.clock().millis()));
        return true;
    }

    // ---- closing ----

    private void protocolError(String why) {
        log.info("closing {} ({}): protocol error: {}", clientId, remote(), why);
        disconnect(ReasonCodes.PROTOCOL_ERROR, "protocol error");
    }

    /** Server-side DISCONNECT (MQTT 5 only; MQTT 3 just closes), then close. The will is published. */
    private void disconnect(int reasonCode, String why) {
        if (state == State.CLOSED) {
            return;
        }
        closeReason = why;
        if (version.isV5() && state == State.CONNECTED) {
            ctx.writeAndFlush(Packets.disconnect(reasonCode, reason(why))).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void close(String why) {
        closeReason = why;
        ctx.close();
    }

    private String reason(String text) {
        return problemInformation ? text : null;
    }

    @Override
    public CompletableFuture<Void> takeOver() {
        channel.eventLoop().execute(() -> {
            if (state == State.CONNECTED) {
                log.info("client {} taken over by a new connection", clientId);
                disconnect(ReasonCodes.SESSION_TAKEN_OVER, "session taken over");
            } else if (state != State.CLOSED) {
                close("session taken over");
            }
        });
        return closed;
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        channel.eventLoop().execute(() -> {
            sendWill = false;
            if (state == State.CONNECTED) {
                disconnect(ReasonCodes.SERVER_SHUTTING_DOWN, "server shutting down");
            } else {
                close("server shutting down");
            }
        });
        return closed;
    }

    @Override
    public AdmittedConnection admittedBy(Authenticator by) {
        Admission a = admission;
        return a != null && a.by() == by ? new AdmittedConnection(a.request(), a.success()) : null;
    }

    @Override
    public void revoke(FailureReason reason, String logMessage) {
        channel.eventLoop().execute(() -> {
            if (state == State.CONNECTED) {
                log.info("client {}: credential revoked by {}: {}", clientId, authenticatorName, logMessage);
                disconnect(reason.v5DisconnectCode(), "credential revoked");
            }
        });
    }

    @Override
    public void checkExpiry(long nowMillis) {
        if (nowMillis >= credentialExpiresAt) {
            channel.eventLoop().execute(() -> expireIfDue(nowMillis));
        }
    }

    /** Who admitted this connection, with what; for {@link #admittedBy} and {@code connectionClosed}. */
    private record Admission(Authenticator by, AuthRequest request, AuthDecision.Success success) {
    }

    // ---- helpers ----

    private <T> void onEventLoop(CompletionStage<T> stage, java.util.function.Consumer<T> then) {
        stage.whenComplete((v, e) -> {
            Runnable r = () -> {
                if (e != null) {
                    log.warn("internal error while connecting {}", clientId, e);
                    close("internal error");
                } else {
                    then.accept(v);
                }
            };
            if (channel.eventLoop().inEventLoop()) {
                r.run();
            } else {
                channel.eventLoop().execute(r);
            }
        });
    }

    private ConnectionType connectionType() {
        return switch (listener.transport()) {
            case TCP -> ConnectionType.TCP;
            case TLS -> ConnectionType.TLS;
            case WS -> ConnectionType.WEBSOCKET;
            case WSS -> ConnectionType.SECURE_WEBSOCKET;
        };
    }

    private InetSocketAddress remote() {
        return channel == null ? null : (InetSocketAddress) channel.remoteAddress();
    }

    private Instant now() {
        return core.clock().instant();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}

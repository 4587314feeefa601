package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.AdmittedConnection;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.ConnectionType;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.acl.CompiledPermissions;
import dev.gatehouse.authn.spi.acl.PlaceholderValues;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.BrokerEvent;
import dev.gatehouse.broker.auth.ChainResult;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who the client is, from CONNECT to close: the authenticator chain and its MQTT 5 AUTH rounds, the
 * anonymous policy, admission (permissions compiled once), re-authentication, and the credential's
 * expiry and revocation. It hands an admitted client to {@link Admitted} and never touches the session.
 */
final class ConnectionAuth {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    /** What happens once the chain admitted the client and the client id is claimed. */
    interface Admitted {
        /** {@code stillCurrent} is false when a newer connection claimed the client id meanwhile. */
        void claimed(boolean stillCurrent, ConnectRequest request);

        /** Re-authentication granted new permissions: subscriptions must be checked against them. */
        void permissionsChanged();
    }

    /** Who admitted this connection, with what; for {@code admittedBy} and {@code connectionClosed}. */
    private record Admission(Authenticator by, AuthRequest request, AuthDecision.Success success) {
    }

    private final ConnectionContext c;
    private final dev.gatehouse.broker.core.ClientConnection self;
    private final Admitted admitted;
    private ScheduledFuture<?> timer;
    private ScheduledFuture<?> credentialTimer;
    private ConnectRequest request;
    private String authMethod;
    private AuthRequest authRequest;
    private Authenticator challenger;
    private Object challengeState;
    private boolean reauthenticating;
    /** When the CONNECT arrived (System.nanoTime), for the latency reported with its outcome; 0 once reported. */
    private long connectStartedNanos;
    /** Read by other threads (revocation by the authenticator), so published whole. */
    private volatile Admission admission;
    private volatile long credentialExpiresAt = Long.MAX_VALUE;

    ConnectionAuth(ConnectionContext c, dev.gatehouse.broker.core.ClientConnection self, Admitted admitted) {
        this.c = c;
        this.self = self;
        this.admitted = admitted;
    }

    /** Whether the client asked for MQTT 5 enhanced authentication (then AUTH may follow CONNECT). */
    boolean enhanced() {
        return authMethod != null;
    }

    String authMethod() {
        return authMethod;
    }

    void startConnectTimer() {
        timer = c.ctx.executor().schedule(() -> {
            if (c.state == ConnectionContext.State.AWAIT_CONNECT) {
                log.info("closing {}: no CONNECT within {}", c.remote(), c.limits.connectTimeout());
                c.close("connect timeout");
            }
        }, c.limits.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    void onConnect(MqttConnectMessage m) {
        connectStartedNanos = System.nanoTime();
        ConnectParser.Result parsed = new ConnectParser(c.limits, c.core.clock()).parse(m);
        if (parsed instanceof ConnectParser.Refused r) {
            c.version = r.version();
            if (r.reason().isPresent()) {
                refuse(AuthDecision.failure(r.reason().get(), r.why()), "broker");
            } else {
                log.info("refused {}: {}", c.remote(), r.why());
                refuseRaw(r.code(), r.why());
            }
            return;
        }
        ConnectRequest req = ((ConnectParser.Valid) parsed).request();
        request = req;
        c.version = req.version();
        c.clientId = req.clientId();
        c.username = req.username().orElse(null);
        c.sessionExpiry = req.sessionExpiry();
        c.clientReceiveMaximum = req.clientReceiveMaximum();
        c.clientMaxPacketSize = req.clientMaxPacketSize();
        c.clientTopicAliasMaximum = req.clientTopicAliasMaximum();
        c.problemInformation = req.problemInformation();
        c.will = req.will().orElse(null);
        authMethod = req.authMethod().orElse(null);
        authRequest = new AuthRequest(c.clientId, req.username(), req.password(), c.version, req.authMethod(),
                req.authData(), c.remote(), c.listener.name(), peerCertificates(), req.userProperties(), false,
                connectionType());
        c.state = ConnectionContext.State.AUTHENTICATING;
        ConnectionContext.cancel(timer);
        timer = c.ctx.executor().schedule(() -> {
            if (c.state == ConnectionContext.State.AUTHENTICATING && challenger != null) {
                refuse(AuthDecision.failure(FailureReason.NOT_AUTHORIZED,
                        "client did not answer the AUTH challenge within " + c.limits.authTimeout()), "broker");
            } else if (c.state == ConnectionContext.State.AUTHENTICATING) {
                refuse(AuthDecision.failure(FailureReason.SERVER_UNAVAILABLE,
                        "authentication did not finish within " + c.limits.authTimeout()), "broker");
            }
        }, c.limits.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
        onEventLoop(c.core.chain().authenticate(authRequest), this::onChainResult);
    }

    private List<X509Certificate> peerCertificates() {
        SslHandler ssl = c.channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate cert : ssl.engine().getSession().getPeerCertificates()) {
                if (cert instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            return out;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** An AUTH packet: the answer to a challenge, or (connected) the start of re-authentication. */
    void onAuth(MqttMessage m) {
        MqttReasonCodeAndPropertiesVariableHeader vh = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        int code = vh.reasonCode() & 0xFF;
        String method = Props.string(vh.properties(), MqttPropertyType.AUTHENTICATION_METHOD).orElse(null);
        byte[] data = Props.binary(vh.properties(), MqttPropertyType.AUTHENTICATION_DATA).orElse(new byte[0]);
        if (authMethod == null || !authMethod.equals(method)) {
            protocolErrorDuringAuth("AUTH with method " + method + " on a connection that used " + authMethod);
            return;
        }
        if (code == ReasonCodes.REAUTHENTICATE && c.connected() && challenger == null) {
            reauthenticating = true;
            authRequest = new AuthRequest(c.clientId, Optional.ofNullable(c.username), Optional.empty(), c.version,
                    Optional.of(authMethod), Optional.of(data), c.remote(), c.listener.name(), peerCertificates(),
                    Props.userProperties(vh.properties()), true, connectionType());
            startReauthTimeout();
            onEventLoop(c.core.chain().authenticate(authRequest), this::onChainResult);
            return;
        }
        if (code == ReasonCodes.CONTINUE_AUTHENTICATION && challenger != null) {
            Authenticator a = challenger;
            Object st = challengeState;
            challenger = null;
            challengeState = null;
            onEventLoop(c.core.chain().continueAuth(a, authRequest, st, data), this::onChainResult);
            return;
        }
        protocolErrorDuringAuth("unexpected AUTH reason 0x" + Integer.toHexString(code));
    }

    private void startReauthTimeout() {
        ConnectionContext.cancel(timer);
        timer = c.ctx.executor().schedule(() -> {
            if (reauthenticating && c.connected()) {
                log.info("client {} did not finish re-authentication within {}", c.clientId, c.limits.authTimeout());
                c.disconnect(ReasonCodes.NOT_AUTHORIZED, "re-authentication timeout");
            }
        }, c.limits.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void protocolErrorDuringAuth(String why) {
        if (c.state == ConnectionContext.State.AUTHENTICATING) {
            refuse(AuthDecision.failure(FailureReason.PROTOCOL_ERROR, why), "broker");
        } else {
            c.protocolError(why);
        }
    }

    private void onChainResult(ChainResult r) {
        boolean closing = c.state == ConnectionContext.State.CLOSED || c.state == ConnectionContext.State.CLOSING;
        if (closing || (c.connected() && !reauthenticating)) {
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
        } else if (r instanceof ChainResult.Challenged ch) {
            if (!c.version.isV5() || authMethod == null) {
                refuse(AuthDecision.failure(FailureReason.BAD_AUTHENTICATION_METHOD, ch.authenticator().name()
                        + " challenged a client that did not ask for enhanced authentication"), ch.authenticator().name());
                return;
            }
            challenger = ch.authenticator();
            challengeState = ch.challenge().state();
            c.ctx.writeAndFlush(Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION, authMethod, ch.challenge().authData()));
        } else {
            admitAnonymous();
        }
    }

    private void admitAnonymous() {
        boolean allowed = switch (c.listener.anonymous()) {
            case ALLOW -> true;
            case LOOPBACK_ONLY -> c.remote() != null && c.remote().getAddress() != null
                    && c.remote().getAddress().isLoopbackAddress();
            case DENY -> false;
        };
        if (!allowed) {
            refuse(AuthDecision.failure(FailureReason.NOT_AUTHORIZED,
                    c.listener.anonymous() == AnonymousAccess.DENY ? "anonymous access refused"
                            : "anonymous access only from loopback"), "anonymous");
            return;
        }
        admit(AuthDecision.success("anonymous",
                c.listener.anonymousPermissions().orElse(c.core.defaultPermissions())), "anonymous", null);
    }

    private void admit(AuthDecision.Success s, String byAuthenticator, Authenticator by) {
        Instant now = c.now();
        if (s.expiresAt().isPresent() && !s.expiresAt().get().isAfter(now)) {
            if (by != null) {
                notifyClosed(by, authRequest, s);
            }
            refuse(AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "credential already expired"), byAuthenticator);
            return;
        }
        CompiledPermissions compiled = s.permissions().compile(PlaceholderValues.of(c.clientId, c.username,
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
        connectDecided(byAuthenticator, "success");
        c.principal = s.principal();
        c.authenticatorName = byAuthenticator;
        c.guard.grant(c.clientId, compiled);
        scheduleCredentialExpiry(s.expiresAt());
        onEventLoop(c.core.registry().claim(c.clientId, self), ok -> admitted.claimed(ok, request));
    }

    /** The handshake is over (CONNACK sent): its timer stops. */
    void handshakeDone() {
        ConnectionContext.cancel(timer);
    }

    private void reauthenticated(AuthDecision.Success s, CompiledPermissions compiled, String byAuthenticator) {
        reauthenticating = false;
        ConnectionContext.cancel(timer);
        c.guard.grant(c.clientId, compiled);
        if (!s.principal().equals(c.principal)) {
            log.info("client {} re-authenticated as {} (was {})", c.clientId, s.principal(), c.principal);
        }
        c.principal = s.principal();
        c.authenticatorName = byAuthenticator;
        scheduleCredentialExpiry(s.expiresAt());
        admitted.permissionsChanged();
        c.ctx.writeAndFlush(Packets.auth(ReasonCodes.SUCCESS, authMethod, null));
        log.info("client {} re-authenticated via {}{}", c.clientId, byAuthenticator,
                s.expiresAt().map(e -> " until " + e).orElse(""));
    }

    private void scheduleCredentialExpiry(Optional<Instant> expiresAt) {
        ConnectionContext.cancel(credentialTimer);
        credentialTimer = null;
        credentialExpiresAt = expiresAt.map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        if (expiresAt.isEmpty()) {
            return;
        }
        long delay = Math.max(0, Duration.between(c.now(), expiresAt.get()).toMillis());
        credentialTimer = c.ctx.executor().schedule(() -> expireIfDue(c.core.clock().millis()), delay,
                TimeUnit.MILLISECONDS);
    }

    /** On the event loop: disconnect when the credential's instant has passed by the broker's clock. */
    private void expireIfDue(long nowMillis) {
        long at = credentialExpiresAt;
        if (!c.connected() || nowMillis < at) {
            if (c.connected() && at != Long.MAX_VALUE) {
                // The clock is behind real time: look again when it should have caught up.
                ConnectionContext.cancel(credentialTimer);
                credentialTimer = c.ctx.executor().schedule(() -> expireIfDue(c.core.clock().millis()),
                        Math.max(1, at - nowMillis), TimeUnit.MILLISECONDS);
            }
            return;
        }
        credentialExpiresAt = Long.MAX_VALUE;
        log.info("client {}: credential expired at {}; disconnecting", c.clientId, Instant.ofEpochMilli(at));
        c.disconnectPromptly(ReasonCodes.MAXIMUM_CONNECT_TIME, "credential expired");
    }

    /** From any thread: the sweep's check against the clock. */
    void checkExpiry(long nowMillis) {
        if (nowMillis >= credentialExpiresAt) {
            c.channel.eventLoop().execute(() -> expireIfDue(nowMillis));
        }
    }

    void refuse(AuthDecision.Failure f, String byAuthenticator) {
        log.info("refused client {} from {} on {}: {} ({}: {})", c.clientId.isEmpty() ? "?" : c.clientId, c.remote(),
                c.listener.name(), f.reason(), byAuthenticator, f.logMessage());
        c.core.events().fire(new BrokerEvent.AuthenticationFailed(c.now(), c.clientId, c.remote(), c.listener.name(),
                f.reason(), byAuthenticator, f.logMessage()));
        if (!reauthenticating) {
            connectDecided(byAuthenticator, f.reason().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (reauthenticating && c.connected()) {
            reauthenticating = false;
            c.disconnectPromptly(f.reason().v5DisconnectCode(), f.reasonString().orElse("re-authentication failed"));
            return;
        }
        refuseRaw(c.version.isV5() ? f.reason().v5ReasonCode() : f.reason().v3ReturnCode(),
                f.reasonString().orElse(null));
    }

    /** The first answer to this CONNECT, with the time it took, to the metrics seam; later ones are not counted. */
    private void connectDecided(String byAuthenticator, String outcome) {
        long started = connectStartedNanos;
        if (started == 0) {
            return;
        }
        connectStartedNanos = 0;
        try {
            c.core.metrics().connectDecided(byAuthenticator, outcome, System.nanoTime() - started);
        } catch (RuntimeException e) {
            log.warn("metrics failed to record a CONNECT outcome", e);
        }
    }

    /** CONNACK with a refusal code, then close. */
    void refuseRaw(int code, String reasonString) {
        ConnectionContext.cancel(timer);
        if (c.state == ConnectionContext.State.AUTHENTICATING && !c.clientId.isEmpty()) {
            c.core.registry().release(c.clientId, self);
        }
        MqttProperties props = c.version.isV5() && reasonString != null ? Props.reasonString(reasonString)
                : MqttProperties.NO_PROPERTIES;
        c.sendLastAndClose(Packets.connAck(code, false, props));
    }

    // ---- the authenticator's view ----

    AdmittedConnection admittedBy(Authenticator by) {
        Admission a = admission;
        return a != null && a.by() == by ? new AdmittedConnection(a.request(), a.success()) : null;
    }

    /** Closed: tell the authenticator that admitted it (once), stop the timers. */
    void closed() {
        ConnectionContext.cancel(timer);
        ConnectionContext.cancel(credentialTimer);
        Admission a = admission;
        if (a != null) {
            admission = null;
            notifyClosed(a.by(), a.request(), a.success());
        }
    }

    private void notifyClosed(Authenticator a, AuthRequest req, AuthDecision.Success s) {
        try {
            a.connectionClosed(req, s);
        } catch (RuntimeException e) {
            log.warn("authenticator {} failed in connectionClosed", a.name(), e);
        }
    }

    // ---- helpers ----

    private <T> void onEventLoop(CompletionStage<T> stage, Consumer<T> then) {
        stage.whenComplete((v, e) -> {
            Runnable r = () -> {
                if (e != null) {
                    log.warn("internal error while connecting {}", c.clientId, e);
                    c.close("internal error");
                } else {
                    then.accept(v);
                }
            };
            if (c.channel.eventLoop().inEventLoop()) {
                r.run();
            } else {
                c.channel.eventLoop().execute(r);
            }
        });
    }

    private ConnectionType connectionType() {
        return switch (c.listener.transport()) {
            case TCP -> ConnectionType.TCP;
            case TLS -> ConnectionType.TLS;
            case WS -> ConnectionType.WEBSOCKET;
            case WSS -> ConnectionType.SECURE_WEBSOCKET;
        };
    }
}

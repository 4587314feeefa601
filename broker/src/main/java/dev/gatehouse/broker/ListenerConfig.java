package dev.gatehouse.broker;

import dev.gatehouse.authn.spi.acl.Permissions;
import java.util.Objects;
import java.util.Optional;

/**
 * One MQTT listener: where it binds, how MQTT travels (TCP, TLS, WebSocket, secure WebSocket) and
 * what it does with anonymous clients.
 *
 * @param name                 a name for logs, events and {@code AuthRequest.listenerName()}
 * @param host                 the address to bind, e.g. {@code 127.0.0.1}, {@code 0.0.0.0} or {@code ::1}
 * @param port                 the port; 0 picks a free one (read it back with {@link Broker#port(String)})
 * @param transport            TCP, TLS, WS or WSS
 * @param tls                  the TLS identity and client-certificate policy; required for TLS and WSS
 * @param webSocketPath        the HTTP path WebSocket clients upgrade on (WS and WSS), default {@code /mqtt}
 * @param anonymous            what happens to clients no authenticator decides about
 * @param anonymousPermissions what anonymous clients may do; empty means the broker's default permissions
 * @param maxConnections       connections open at once on this listener (0: no limit); more are closed at accept
 */
public record ListenerConfig(String name, String host, int port, Transport transport, Optional<TlsConfig> tls,
                             String webSocketPath, AnonymousAccess anonymous,
                             Optional<Permissions> anonymousPermissions, int maxConnections) {
    /** The WebSocket path used unless another is set. */
    public static final String DEFAULT_WEBSOCKET_PATH = "/mqtt";

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(webSocketPath, "webSocketPath");
        Objects.requireNonNull(anonymous, "anonymous");
        Objects.requireNonNull(anonymousPermissions, "anonymousPermissions");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (transport.secure() && tls.isEmpty()) {
            throw new IllegalArgumentException("listener " + name + ": " + transport + " needs a TLS configuration");
        }
        if (!transport.secure() && tls.isPresent()) {
            throw new IllegalArgumentException("listener " + name + ": TLS settings on a " + transport + " listener");
        }
        if (!webSocketPath.startsWith("/")) {
            throw new IllegalArgumentException("listener " + name + ": WebSocket path must start with /");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("listener " + name + ": maxConnections must be 0 (no limit) or positive");
        }
    }

    /** A listener without a connection limit of its own. */
    public ListenerConfig(String name, String host, int port, Transport transport, Optional<TlsConfig> tls,
                          String webSocketPath, AnonymousAccess anonymous, Optional<Permissions> anonymousPermissions) {
        this(name, host, port, transport, tls, webSocketPath, anonymous, anonymousPermissions, 0);
    }

    /** A TCP listener that refuses anonymous clients. */
    public static ListenerConfig tcp(String name, String host, int port) {
        return new ListenerConfig(name, host, port, Transport.TCP, Optional.empty(), DEFAULT_WEBSOCKET_PATH,
                AnonymousAccess.DENY, Optional.empty());
    }

    /** A TLS listener that refuses anonymous clients. */
    public static ListenerConfig tls(String name, String host, int port, TlsConfig tls) {
        return new ListenerConfig(name, host, port, Transport.TLS, Optional.of(tls), DEFAULT_WEBSOCKET_PATH,
                AnonymousAccess.DENY, Optional.empty());
    }

    /** A WebSocket listener on {@value #DEFAULT_WEBSOCKET_PATH} that refuses anonymous clients. */
    public static ListenerConfig ws(String name, String host, int port) {
        return new ListenerConfig(name, host, port, Transport.WS, Optional.empty(), DEFAULT_WEBSOCKET_PATH,
                AnonymousAccess.DENY, Optional.empty());
    }

    /** A secure WebSocket listener on {@value #DEFAULT_WEBSOCKET_PATH} that refuses anonymous clients. */
    public static ListenerConfig wss(String name, String host, int port, TlsConfig tls) {
        return new ListenerConfig(name, host, port, Transport.WSS, Optional.of(tls), DEFAULT_WEBSOCKET_PATH,
                AnonymousAccess.DENY, Optional.empty());
    }

    /** A copy with another anonymous policy. */
    public ListenerConfig withAnonymous(AnonymousAccess access) {
        return new ListenerConfig(name, host, port, transport, tls, webSocketPath, access, anonymousPermissions,
                maxConnections);
    }

    /** A copy whose anonymous clients get these permissions. */
    public ListenerConfig withAnonymousPermissions(Permissions permissions) {
        return new ListenerConfig(name, host, port, transport, tls, webSocketPath, anonymous, Optional.of(permissions),
                maxConnections);
    }

    /** A copy that upgrades WebSocket clients on another path. */
    public ListenerConfig withWebSocketPath(String path) {
        return new ListenerConfig(name, host, port, transport, tls, path, anonymous, anonymousPermissions,
                maxConnections);
    }

    /** A copy that accepts at most {@code max} connections at once (0: no limit). */
    public ListenerConfig withMaxConnections(int max) {
        return new ListenerConfig(name, host, port, transport, tls, webSocketPath, anonymous, anonymousPermissions, max);
    }
}

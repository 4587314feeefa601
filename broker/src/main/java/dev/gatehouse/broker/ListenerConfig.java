package dev.gatehouse.broker;

import dev.gatehouse.authn.spi.acl.Permissions;
import java.util.Objects;
import java.util.Optional;

/**
 * One plain-TCP MQTT listener.
 *
 * @param name                 a name for logs, events and {@code AuthRequest.listenerName()}
 * @param host                 the address to bind, e.g. {@code 127.0.0.1}, {@code 0.0.0.0} or {@code ::1}
 * @param port                 the port; 0 picks a free one (read it back with {@link Broker#port(String)})
 * @param anonymous            what happens to clients no authenticator decides about
 * @param anonymousPermissions what anonymous clients may do; empty means the broker's default permissions
 */
public record ListenerConfig(String name, String host, int port, AnonymousAccess anonymous,
                             Optional<Permissions> anonymousPermissions) {
    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(anonymous, "anonymous");
        Objects.requireNonNull(anonymousPermissions, "anonymousPermissions");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
    }

    /** A TCP listener that refuses anonymous clients. */
    public static ListenerConfig tcp(String name, String host, int port) {
        return new ListenerConfig(name, host, port, AnonymousAccess.DENY, Optional.empty());
    }

    /** A copy with another anonymous policy. */
    public ListenerConfig withAnonymous(AnonymousAccess access) {
        return new ListenerConfig(name, host, port, access, anonymousPermissions);
    }

    /** A copy whose anonymous clients get these permissions. */
    public ListenerConfig withAnonymousPermissions(Permissions permissions) {
        return new ListenerConfig(name, host, port, anonymous, Optional.of(permissions));
    }
}

package dev.gatehouse.config;

import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import java.util.List;

/**
 * The validated, typed content of a configuration file, ready for {@code Broker.builder()}.
 *
 * @param listeners          in file order
 * @param limits             protocol limits and timeouts
 * @param defaultPermissions for anonymous clients of listeners without their own {@code anonymous-permissions}
 * @param authentication     the authenticator entries, in chain order (built separately: they hold threads)
 * @param ioThreads          Netty I/O threads; 0 means the broker's default
 * @param persistence        the durable store, or off
 * @param httpBind           where the HTTP endpoint ({@code /metrics}, {@code /health/*}) listens; empty: off
 * @param sysInterval        how often {@code $SYS} topics are published; zero: never
 */
public record GatehouseSettings(List<ListenerConfig> listeners, Limits limits, Permissions defaultPermissions,
                                List<AuthenticatorEntry> authentication, int ioThreads,
                                PersistenceSettings persistence, java.util.Optional<BindAddress> httpBind,
                                java.time.Duration sysInterval) {
    /** The {@code gatehouse.sys-interval} default. */
    public static final java.time.Duration DEFAULT_SYS_INTERVAL = java.time.Duration.ofSeconds(10);

    public GatehouseSettings {
        listeners = List.copyOf(listeners);
        authentication = List.copyOf(authentication);
        java.util.Objects.requireNonNull(persistence, "persistence");
        java.util.Objects.requireNonNull(httpBind, "httpBind");
        java.util.Objects.requireNonNull(sysInterval, "sysInterval");
    }

    /** No HTTP endpoint, {@code $SYS} at the default interval. */
    public GatehouseSettings(List<ListenerConfig> listeners, Limits limits, Permissions defaultPermissions,
                             List<AuthenticatorEntry> authentication, int ioThreads, PersistenceSettings persistence) {
        this(listeners, limits, defaultPermissions, authentication, ioThreads, persistence, java.util.Optional.empty(),
                DEFAULT_SYS_INTERVAL);
    }

    /** Without persistence (state in memory only). */
    public GatehouseSettings(List<ListenerConfig> listeners, Limits limits, Permissions defaultPermissions,
                             List<AuthenticatorEntry> authentication, int ioThreads) {
        this(listeners, limits, defaultPermissions, authentication, ioThreads,
                PersistenceSettings.disabled(java.nio.file.Path.of("")));
    }

    /**
     * One element of {@code gatehouse.authentication}.
     *
     * @param type     the factory type, e.g. {@code jwt}
     * @param path     its absolute path, e.g. {@code gatehouse.authentication.0}
     * @param settings its keys (including {@code type})
     */
    public record AuthenticatorEntry(String type, String path, HoconSettings settings) {
    }
}

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
 */
public record GatehouseSettings(List<ListenerConfig> listeners, Limits limits, Permissions defaultPermissions,
                                List<AuthenticatorEntry> authentication, int ioThreads,
                                PersistenceSettings persistence) {
    public GatehouseSettings {
        listeners = List.copyOf(listeners);
        authentication = List.copyOf(authentication);
        java.util.Objects.requireNonNull(persistence, "persistence");
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

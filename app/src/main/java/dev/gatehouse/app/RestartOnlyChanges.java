package dev.gatehouse.app;

import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.TlsConfig;
import dev.gatehouse.config.GatehouseSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The settings a reload cannot apply to a running broker (bound sockets, TLS contexts, per-connection limits and
 * event-loop threads are fixed at start), compared between what runs and what the file now says.
 */
final class RestartOnlyChanges {
    private RestartOnlyChanges() {
    }

    /** The configuration paths that changed and need a restart; empty when none did. */
    static List<String> between(GatehouseSettings running, GatehouseSettings next) {
        List<String> changed = new ArrayList<>();
        if (!sameListeners(running.listeners(), next.listeners())) {
            changed.add("gatehouse.listeners");
        }
        if (!running.limits().equals(next.limits())) {
            changed.add("gatehouse.limits");
        }
        if (running.ioThreads() != next.ioThreads()) {
            changed.add("gatehouse.io-threads");
        }
        return changed;
    }

    private static boolean sameListeners(List<ListenerConfig> a, List<ListenerConfig> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!same(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Record equality, except that a PKCS#12 password (a char[], compared by identity) is compared by content. */
    private static boolean same(ListenerConfig a, ListenerConfig b) {
        if (a.tls().isPresent() && b.tls().isPresent()
                && a.tls().get().keyStore() instanceof TlsConfig.Pkcs12 pa
                && b.tls().get().keyStore() instanceof TlsConfig.Pkcs12 pb) {
            if (!pa.file().equals(pb.file()) || !Arrays.equals(pa.password(), pb.password())) {
                return false;
            }
            TlsConfig t = a.tls().get();
            a = new ListenerConfig(a.name(), a.host(), a.port(), a.transport(),
                    java.util.Optional.of(new TlsConfig(pb, t.clientAuth(), t.trustedCas(), t.protocols())),
                    a.webSocketPath(), a.anonymous(), a.anonymousPermissions(), a.maxConnections());
        }
        return a.equals(b);
    }
}

package dev.gatehouse.broker.core;

import dev.gatehouse.authn.spi.AdmittedConnection;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.LiveConnections;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live connection of each client id: claim on CONNECT (taking over an older one), release on
 * close, revocation and expiry checks for authenticators. It never sees sessions.
 */
public final class ConnectionRegistry {
    private final ConcurrentHashMap<String, ClientConnection> connections = new ConcurrentHashMap<>();

    /**
     * Registers {@code conn} as the live connection of {@code clientId}. Completes once any previous
     * connection of that id has been closed and has detached from the session, so the caller may then
     * attach; completes with false if a still newer connection claimed the id meanwhile.
     */
    public CompletableFuture<Boolean> claim(String clientId, ClientConnection conn) {
        ClientConnection old = connections.put(clientId, conn);
        CompletableFuture<Void> gone = old == null || old == conn
                ? CompletableFuture.completedFuture(null) : old.takeOver();
        return gone.thenApply(v -> connections.get(clientId) == conn);
    }

    /** Whether {@code conn} is (still) the live connection of {@code clientId}. */
    public boolean isCurrent(String clientId, ClientConnection conn) {
        return connections.get(clientId) == conn;
    }

    public void release(String clientId, ClientConnection conn) {
        connections.remove(clientId, conn);
    }

    public int size() {
        return connections.size();
    }

    /** A snapshot of the live connections. */
    public List<ClientConnection> all() {
        return new ArrayList<>(connections.values());
    }

    /** The handle an authenticator gets to disconnect the connections it admitted. */
    public LiveConnections liveConnectionsFor(Authenticator a) {
        return (which, reason, logMessage) -> {
            int n = 0;
            for (ClientConnection c : connections.values()) {
                AdmittedConnection admitted = c.admittedBy(a);
                if (admitted != null && which.test(admitted)) {
                    c.revoke(reason, logMessage);
                    n++;
                }
            }
            return n;
        };
    }

    /** Asks every connection to disconnect if its credential expired at {@code nowMillis}. */
    public void checkExpiry(long nowMillis) {
        for (ClientConnection c : connections.values()) {
            c.checkExpiry(nowMillis);
        }
    }
}

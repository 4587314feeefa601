package dev.gatehouse.authn.nkey;

import java.util.HashMap;
import java.util.Map;

/**
 * Live connections per account, counted by distinct client identifier so that a session takeover
 * or a re-authentication (which briefly holds two admissions for one client id) counts once.
 * Thread-safe; every method is short and non-blocking.
 */
final class ConnectionCounter {
    private final Map<String, Map<String, Integer>> byAccount = new HashMap<>();

    /** Admit {@code clientId} to {@code account} unless that would exceed {@code limit} (negative = unlimited). */
    synchronized boolean tryAcquire(String account, String clientId, long limit) {
        Map<String, Integer> clients = byAccount.computeIfAbsent(account, a -> new HashMap<>());
        Integer held = clients.get(clientId);
        if (held == null && limit >= 0 && clients.size() >= limit) {
            if (clients.isEmpty()) {
                byAccount.remove(account);
            }
            return false;
        }
        clients.merge(clientId, 1, Integer::sum);
        return true;
    }

    synchronized void release(String account, String clientId) {
        Map<String, Integer> clients = byAccount.get(account);
        if (clients == null) {
            return;
        }
        clients.computeIfPresent(clientId, (k, n) -> n <= 1 ? null : n - 1);
        if (clients.isEmpty()) {
            byAccount.remove(account);
        }
    }

    /** Distinct client ids connected to {@code account}. */
    synchronized int connections(String account) {
        Map<String, Integer> clients = byAccount.get(account);
        return clients == null ? 0 : clients.size();
    }
}

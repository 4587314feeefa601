package dev.gatehouse.authn.nkey;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Live connections per account, counted by distinct client identifier so that a session takeover
 * or a re-authentication (which briefly holds two admissions for one client id) counts once.
 * For every account with live connections it also remembers the account JWT they were admitted
 * under, so that a changed one is noticed once. Thread-safe; every method is short and non-blocking.
 */
final class ConnectionCounter {
    private static final class Account {
        final Map<String, Integer> clients = new HashMap<>();
        String jwt;
    }

    private final Map<String, Account> byAccount = new HashMap<>();

    /** Admit {@code clientId} to {@code account} unless that would exceed {@code limit} (negative = unlimited). */
    boolean tryAcquire(String account, String clientId, long limit) {
        return tryAcquire(account, clientId, limit, null);
    }

    /**
     * As {@link #tryAcquire(String, String, long)}; {@code accountJwt} is remembered as the account's
     * JWT when none is yet (the first connection of an account).
     */
    synchronized boolean tryAcquire(String account, String clientId, long limit, String accountJwt) {
        Account a = byAccount.computeIfAbsent(account, k -> new Account());
        Integer held = a.clients.get(clientId);
        if (held == null && limit >= 0 && a.clients.size() >= limit) {
            if (a.clients.isEmpty()) {
                byAccount.remove(account);
            }
            return false;
        }
        a.clients.merge(clientId, 1, Integer::sum);
        if (a.jwt == null) {
            a.jwt = accountJwt;
        }
        return true;
    }

    synchronized void release(String account, String clientId) {
        Account a = byAccount.get(account);
        if (a == null) {
            return;
        }
        a.clients.computeIfPresent(clientId, (k, n) -> n <= 1 ? null : n - 1);
        if (a.clients.isEmpty()) {
            byAccount.remove(account);
        }
    }

    /**
     * Record {@code jwt} as the current JWT of {@code account}. True when the account has live
     * connections and they were admitted under a different (or unknown) JWT: they need a re-check.
     */
    synchronized boolean changed(String account, String jwt) {
        Account a = byAccount.get(account);
        if (a == null || jwt.equals(a.jwt)) {
            return false;
        }
        a.jwt = jwt;
        return true;
    }

    /** The accounts with live connections and the JWT each was last seen with (may be null). */
    synchronized Map<String, String> liveAccounts() {
        Map<String, String> out = new LinkedHashMap<>();
        byAccount.forEach((k, a) -> out.put(k, a.jwt));
        return out;
    }

    /** Distinct client ids connected to {@code account}. */
    synchronized int connections(String account) {
        Account a = byAccount.get(account);
        return a == null ? 0 : a.clients.size();
    }
}

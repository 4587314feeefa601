package dev.gatehouse.broker.session;

import java.util.Collection;
import java.util.Optional;

/**
 * Where sessions live between connections, keyed by client id. The broker serializes the changes
 * for one client id (takeover waits for the old connection to detach), so implementations only need
 * to be safe for concurrent access to different keys and for {@link #all()} while others change.
 */
public interface SessionStore {

    Optional<Session> get(String clientId);

    /** Store {@code session} under its client id, replacing any other. */
    void put(Session session);

    /** Remove {@code session}, only if it is still the one stored under its id. */
    boolean remove(Session session);

    /** A snapshot of every stored session. */
    Collection<Session> all();

    int size();
}

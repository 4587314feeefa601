package dev.gatehouse.broker.session;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Sessions on the heap; lost when the process ends. */
public final class InMemorySessionStore implements SessionStore {
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    @Override
    public Optional<Session> get(String clientId) {
        return Optional.ofNullable(sessions.get(clientId));
    }

    @Override
    public void put(Session session) {
        sessions.put(session.clientId(), session);
    }

    @Override
    public boolean remove(Session session) {
        return sessions.remove(session.clientId(), session);
    }

    @Override
    public Collection<Session> all() {
        return List.copyOf(sessions.values());
    }

    @Override
    public int size() {
        return sessions.size();
    }
}

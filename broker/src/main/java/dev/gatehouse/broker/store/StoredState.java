package dev.gatehouse.broker.store;

import dev.gatehouse.broker.message.Message;
import java.util.List;

/** Everything a store holds, as read once at start: the live objects are rebuilt from it. */
public record StoredState(List<StoredSession> sessions, List<Message> retained) {
    public StoredState {
        sessions = List.copyOf(sessions);
        retained = List.copyOf(retained);
    }

    public static StoredState empty() {
        return new StoredState(List.of(), List.of());
    }
}

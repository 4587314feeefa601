package dev.gatehouse.broker.session;

import dev.gatehouse.broker.DropReason;

/** Where a session reports what it dropped; called outside the session's lock. */
@FunctionalInterface
public interface DropSink {
    void dropped(String clientId, DropReason reason, long count);

    DropSink NONE = (clientId, reason, count) -> { };
}

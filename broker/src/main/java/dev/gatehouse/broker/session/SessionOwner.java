package dev.gatehouse.broker.session;

/** The live connection a {@link Session} is attached to, woken when messages arrive for it. */
public interface SessionOwner {
    /** New deliveries are queued; drain them soon on the connection's own thread. Must not block. */
    void wake();
}

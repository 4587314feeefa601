package dev.gatehouse.broker.session;

/**
 * A publishing connection that a congested session can hold back: it stops reading (TCP then
 * slows the client) until every session that asked released it, or until its own timeout.
 * Both calls may come from any thread and must not block.
 */
public interface FlowControlled {
    /** A session this publisher feeds is filling up: stop reading for now. */
    void pauseReading();

    /** A session that asked for a pause has drained (or ended, or lost its connection). */
    void resumeReading();
}

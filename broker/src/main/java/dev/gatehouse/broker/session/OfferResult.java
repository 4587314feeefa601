package dev.gatehouse.broker.session;

/** What {@link Session#offer} did with a delivery. */
public enum OfferResult {
    /** Queued. */
    QUEUED,
    /**
     * Queued, but the connected subscriber is falling behind: the publisher that caused it should stop
     * reading until the session releases it, so that the queue drains before anything is dropped.
     */
    CONGESTED,
    /** Not queued: the queue is full. Counted as a drop. */
    DROPPED,
    /** Not queued: the session has ended. */
    ENDED;

    public boolean queued() {
        return this == QUEUED || this == CONGESTED;
    }
}

package dev.gatehouse.broker.session;

/**
 * An outbound QoS 1/2 message sent and not yet completed. For QoS 2, {@code released} turns true
 * once the client's PUBREC arrived and PUBREL was sent: only PUBCOMP is outstanding then. After a
 * session resumes, an unreleased message is {@code awaitingResend} until the new connection's
 * window lets it go out again. {@code seq} is its key in the state store, 0 when it is not stored.
 */
public final class Inflight {
    private final int packetId;
    private final Delivery delivery;
    private final long seq;
    private boolean released;
    private boolean awaitingResend;

    Inflight(int packetId, Delivery delivery, long seq) {
        this.packetId = packetId;
        this.delivery = delivery;
        this.seq = seq;
    }

    public int packetId() {
        return packetId;
    }

    public Delivery delivery() {
        return delivery;
    }

    long seq() {
        return seq;
    }

    public boolean released() {
        return released;
    }

    void release() {
        released = true;
    }

    /** Whether it must be sent again (DUP) on the current connection before anything new. */
    public boolean awaitingResend() {
        return awaitingResend;
    }

    void awaitingResend(boolean v) {
        awaitingResend = v;
    }
}

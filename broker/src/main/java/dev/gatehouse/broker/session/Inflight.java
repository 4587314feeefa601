package dev.gatehouse.broker.session;

/**
 * An outbound QoS 1/2 message sent and not yet completed. For QoS 2, {@code released} turns true
 * once the client's PUBREC arrived and PUBREL was sent: only PUBCOMP is outstanding then.
 */
public final class Inflight {
    private final int packetId;
    private final Delivery delivery;
    private boolean released;

    Inflight(int packetId, Delivery delivery) {
        this.packetId = packetId;
        this.delivery = delivery;
    }

    public int packetId() {
        return packetId;
    }

    public Delivery delivery() {
        return delivery;
    }

    public boolean released() {
        return released;
    }

    void release() {
        released = true;
    }
}

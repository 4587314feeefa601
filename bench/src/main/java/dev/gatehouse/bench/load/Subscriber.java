package dev.gatehouse.bench.load;

import dev.gatehouse.bench.wire.FrameParser;
import dev.gatehouse.bench.wire.Payload;
import dev.gatehouse.bench.wire.Wire;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Subscribes to one filter, runs the receiver's half of the QoS flows and checks every message off
 * by (publisher, sequence), so that losses and duplicates are counted exactly.
 */
public final class Subscriber extends MqttClient {
    private final String filter;
    private final int qos;
    private final FlowStats stats;
    private final BitSet[] seen;
    private final long maxSequence;
    private boolean subscribed;
    private String subscribeFailure;

    public Subscriber(String clientId, String filter, int qos, int publishers, long maxSequence, FlowStats stats) {
        super(clientId, 60, Credentials.ANONYMOUS);
        this.filter = filter;
        this.qos = qos;
        this.stats = stats;
        this.seen = new BitSet[publishers];
        this.maxSequence = maxSequence;
        for (int i = 0; i < publishers; i++) {
            seen[i] = new BitSet();
        }
    }

    public boolean subscribed() {
        return subscribed;
    }

    /** Sequence numbers received (once or more) from publisher {@code index}. */
    public BitSet seen(int index) {
        return seen[index];
    }

    public String subscribeFailure() {
        return subscribeFailure;
    }

    @Override
    protected void onConnected(Conn c) {
        Wire.subscribe(c.out(), c.version(), 1, filter, qos);
        c.flush();
    }

    @Override
    protected void onPacket(Conn c, int type, int flags, ByteBuffer buf, int start, int length) {
        switch (type) {
            case Wire.PUBLISH -> onPublish(c, flags, buf, start, length);
            case Wire.PUBREL -> {
                if (c.ensureSpace(4)) {
                    Wire.ack(c.out(), Wire.PUBCOMP, buf.getShort(start) & 0xFFFF);
                }
            }
            case Wire.SUBACK -> {
                int code = buf.get(start + length - 1) & 0xFF;
                if (code < 0x80) {
                    subscribed = true;
                } else {
                    subscribeFailure = "SUBACK code " + code;
                }
            }
            case Wire.DISCONNECT -> c.close("DISCONNECT from broker");
            default -> {
            }
        }
    }

    private void onPublish(Conn c, int flags, ByteBuffer buf, int start, int length) {
        long now = System.nanoTime();
        int q = (flags >> 1) & 3;
        if (q > 0) {
            int id = FrameParser.publishPacketId(buf, start);
            // Acks go out with the next flush, so a burst of messages is acknowledged in one write.
            if (!c.ensureSpace(4)) {
                return;
            }
            Wire.ack(c.out(), q == 1 ? Wire.PUBACK : Wire.PUBREC, id);
        }
        int p = FrameParser.publishPayloadStart(buf, start, q, c.version());
        if (start + length - p < Payload.HEADER) {
            stats.countUnexpected();
            return;
        }
        int publisher = Payload.publisher(buf, p);
        long sequence = Payload.sequence(buf, p);
        if (publisher < 0 || publisher >= seen.length || sequence < 0 || sequence >= maxSequence) {
            stats.countUnexpected();
            return;
        }
        BitSet s = seen[publisher];
        int bit = (int) sequence;
        if (s.get(bit)) {
            stats.countDuplicate();
            return;
        }
        s.set(bit);
        stats.received(now - Payload.nanoTime(buf, p), now);
    }
}

package dev.gatehouse.bench.load;

import dev.gatehouse.bench.wire.Payload;
import dev.gatehouse.bench.wire.Wire;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Publishes numbered, timestamped messages as fast as the window allows (closed loop) or on a fixed
 * schedule (open loop), and runs the publisher's half of the QoS 1 and QoS 2 flows.
 */
public final class Publisher extends MqttClient {
    private static final int ACK_RESERVE = 1024;
    private final int index;
    private final byte[] topic;
    private final int qos;
    private final byte[] payload;
    private final long budget;
    private final int maxUnacked;
    private final FlowStats stats;
    private final boolean[] inUse = new boolean[65_536];
    private int nextId = 1;
    private int unacked;
    private long sent;
    private boolean stopped;
    private long scheduleStart;
    private long periodNanos;
    /** With {@link #trackAcks}: the sequence number each in-use packet id carries, and which sequences were acknowledged. */
    private long[] sequenceOfId;
    private BitSet acked;
    /** With {@link #retainedTopics}: message i goes to this prefix + i, with the retain flag. */
    private byte[] topicPrefix;

    /**
     * @param budget     messages to send at most
     * @param maxUnacked QoS 1/2 messages sent and not yet acknowledged, at most (a client's usual receive maximum)
     */
    public Publisher(String clientId, int index, String topic, int qos, int payloadSize, long budget, int maxUnacked,
                     FlowStats stats) {
        super(clientId, 60, Credentials.ANONYMOUS);
        if (payloadSize < Payload.HEADER) {
            throw new IllegalArgumentException("payload must be at least " + Payload.HEADER + " bytes");
        }
        this.index = index;
        this.topic = Wire.utf8(topic);
        this.qos = qos;
        this.payload = new byte[payloadSize];
        this.budget = budget;
        this.maxUnacked = Math.min(maxUnacked, 65_535);
        this.stats = stats;
    }

    /** Switches to an open loop: message i is due at {@code start + i * period}, and carries that time. */
    public void schedule(long startNanos, long period) {
        this.scheduleStart = startNanos;
        this.periodNanos = period;
    }

    /**
     * Remembers which sequence numbers the broker acknowledged (PUBACK for QoS 1, PUBCOMP for QoS 2), so that a
     * run can tell "acknowledged and never delivered" (lost by the broker) from "never acknowledged".
     */
    public void trackAcks() {
        sequenceOfId = new long[65_536];
        acked = new BitSet();
    }

    /**
     * Publishes message i to {@code prefix + i} with the retain flag instead of to the one topic, so that a broker
     * ends up holding one retained message per sequence number.
     */
    public Publisher retainedTopics(String prefix) {
        this.topicPrefix = Wire.utf8(prefix);
        return this;
    }

    /** Sequences acknowledged so far; null unless {@link #trackAcks} was called. */
    public BitSet acked() {
        return acked;
    }

    public boolean done() {
        return stopped || sent >= budget;
    }

    /** No more messages after this (the run's send time is over); acks still flow. */
    public void stop() {
        stopped = true;
    }

    public long sent() {
        return sent;
    }

    /** QoS 1/2 messages sent and not yet acknowledged. */
    public int unacked() {
        return unacked;
    }

    /** Nanoseconds until the next scheduled message (open loop), 0 if one is due now. */
    public long untilNextDue(long now) {
        if (periodNanos == 0 || done()) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, scheduleStart + sent * periodNanos - now);
    }

    /** Writes as many messages as the window, the ack window, the schedule and the buffer allow, in one batch. */
    public void fill(long now) {
        if (!connected() || stopped || (periodNanos == 0 && !stats.worthFilling())) {
            return;
        }
        ByteBuffer out = conn().out();
        int size = Wire.publishSize(conn().version(), topic.length + (topicPrefix == null ? 0 : 20), qos, payload.length);
        int wrote = 0;
        // The reserve keeps room for the PUBRELs that a burst of PUBRECs asks for.
        while (sent < budget && out.remaining() >= size + ACK_RESERVE && stats.windowOpen()) {
            if (qos > 0 && unacked >= maxUnacked) {
                break;
            }
            long stamp = now;
            if (periodNanos > 0) {
                stamp = scheduleStart + sent * periodNanos;
                if (stamp > now) {
                    break;
                }
            } else if ((wrote & 15) == 15) {
                stamp = System.nanoTime();
            }
            int id = 0;
            if (qos > 0) {
                id = takeId();
                unacked++;
                if (sequenceOfId != null) {
                    sequenceOfId[id] = sent;
                }
            }
            Payload.write(payload, index, sent, stamp);
            if (topicPrefix == null) {
                Wire.publish(out, conn().version(), topic, qos, false, id, payload, payload.length);
            } else {
                Wire.publish(out, conn().version(), retainedTopic(sent), qos, false, true, id, payload, payload.length);
            }
            sent++;
            stats.sent(stamp);
            wrote++;
        }
        if (wrote > 0) {
            conn().flush();
        }
    }

    private byte[] retainedTopic(long sequence) {
        byte[] n = Long.toString(sequence).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] t = java.util.Arrays.copyOf(topicPrefix, topicPrefix.length + n.length);
        System.arraycopy(n, 0, t, topicPrefix.length, n.length);
        return t;
    }

    private int takeId() {
        while (inUse[nextId]) {
            nextId = nextId == 65_535 ? 1 : nextId + 1;
        }
        int id = nextId;
        inUse[id] = true;
        nextId = nextId == 65_535 ? 1 : nextId + 1;
        return id;
    }

    private void release(int id) {
        if (inUse[id]) {
            inUse[id] = false;
            unacked--;
        } else {
            stats.countUnexpected();
        }
    }

    @Override
    protected void onConnected(Conn c) {
    }

    @Override
    protected void onPacket(Conn c, int type, int flags, ByteBuffer buf, int start, int length) {
        int id = length >= 2 ? buf.getShort(start) & 0xFFFF : 0;
        switch (type) {
            case Wire.PUBACK, Wire.PUBCOMP -> {
                if (acked != null && inUse[id]) {
                    acked.set((int) sequenceOfId[id]);
                }
                release(id);
            }
            case Wire.PUBREC -> {
                if (length >= 3 && (buf.get(start + 2) & 0xFF) >= 0x80) {
                    // Refused (MQTT 5 reason code): the flow ends here and the message counts as lost.
                    release(id);
                } else if (c.ensureSpace(4)) {
                    Wire.ack(c.out(), Wire.PUBREL, id);
                }
            }
            case Wire.DISCONNECT -> c.close("DISCONNECT from broker");
            default -> {
            }
        }
    }
}

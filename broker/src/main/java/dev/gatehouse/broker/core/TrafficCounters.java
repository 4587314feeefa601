package dev.gatehouse.broker.core;

import dev.gatehouse.broker.CloseReason;
import java.util.EnumMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connections opened and closed, messages and payload bytes in and out per QoS, denied PUBLISH/SUBSCRIBE. Every
 * update is a {@link LongAdder} increment: lock-free and allocation-free on the I/O threads (a contended adder
 * grows its cells once, not per update).
 */
public final class TrafficCounters {
    private final LongAdder[] messagesIn = adders(3);
    private final LongAdder[] bytesIn = adders(3);
    private final LongAdder[] messagesOut = adders(3);
    private final LongAdder[] bytesOut = adders(3);
    private final LongAdder opened = new LongAdder();
    private final EnumMap<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);
    private final LongAdder deniedPublishes = new LongAdder();
    private final LongAdder deniedSubscribes = new LongAdder();

    public TrafficCounters() {
        for (CloseReason r : CloseReason.values()) {
            closed.put(r, new LongAdder());
        }
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    public void received(int qos, int payloadBytes) {
        messagesIn[qos].increment();
        bytesIn[qos].add(payloadBytes);
    }

    public void sent(int qos, int payloadBytes) {
        messagesOut[qos].increment();
        bytesOut[qos].add(payloadBytes);
    }

    public void connectionOpened() {
        opened.increment();
    }

    public void connectionClosed(CloseReason reason) {
        closed.get(reason).increment();
    }

    public void deniedPublish() {
        deniedPublishes.increment();
    }

    public void deniedSubscribe() {
        deniedSubscribes.increment();
    }

    public long messagesIn(int qos) {
        return messagesIn[qos].sum();
    }

    public long bytesIn(int qos) {
        return bytesIn[qos].sum();
    }

    public long messagesOut(int qos) {
        return messagesOut[qos].sum();
    }

    public long bytesOut(int qos) {
        return bytesOut[qos].sum();
    }

    public long openedCount() {
        return opened.sum();
    }

    public long closedCount(CloseReason reason) {
        return closed.get(reason).sum();
    }

    public long deniedPublishes() {
        return deniedPublishes.sum();
    }

    public long deniedSubscribes() {
        return deniedSubscribes.sum();
    }
}

package dev.gatehouse.broker.protocol;

import dev.gatehouse.broker.core.FlowCounters;
import dev.gatehouse.broker.protocol.codec.MqttPacketDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * Whether the broker reads from one connection. Several reasons may each hold reading off at the same
 * time (packets held during authentication, a full outbound buffer, a congested subscriber downstream);
 * reading resumes only when none is left. Event loop only.
 */
final class ReadGate {
    /** Packets pipelined behind CONNECT are held until the authenticators decide. */
    static final int AUTHENTICATING = 1;
    /** The outbound buffer passed its high-water mark: the client is not reading what we send. */
    static final int UNWRITABLE = 2;
    /** A subscriber this client publishes to is falling behind. */
    static final int CONGESTED = 4;
    /** Too many of this client's commits are waiting for the state store (its acks wait with them). */
    static final int STORE = 8;

    private final Channel channel;
    private final FlowCounters counters;
    private int reasons;
    private boolean draining;

    ReadGate(Channel channel, FlowCounters counters) {
        this.channel = channel;
        this.counters = counters;
    }

    void hold(int reason) {
        if ((reasons & reason) == 0) {
            reasons |= reason;
            count(reason, true);
            apply();
        }
    }

    void release(int reason) {
        if ((reasons & reason) != 0) {
            reasons &= ~reason;
            count(reason, false);
            apply();
        }
    }

    boolean holds(int reason) {
        return (reasons & reason) != 0;
    }

    /**
     * The connection is closing: read (and discard) whatever the client still sends, so that closing
     * sends FIN rather than a reset that could destroy our last packet before the client reads it.
     */
    void drainForClose() {
        draining = true;
        apply();
    }

    /** The channel closed: give back what the broker-wide counters hold for it. */
    void closed() {
        for (int r : new int[] {UNWRITABLE, CONGESTED}) {
            if ((reasons & r) != 0) {
                count(r, false);
            }
        }
        reasons = 0;
    }

    private void count(int reason, boolean paused) {
        if (reason == UNWRITABLE) {
            counters.unwritable(paused);
        } else if (reason == CONGESTED) {
            counters.congested(paused);
        }
    }

    private void apply() {
        boolean read = draining || reasons == 0;
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
            if (read) {
                // The decoder stopped at a packet boundary when reading paused; let it go on with what it holds.
                ChannelHandlerContext decoder = channel.pipeline().context(MqttPacketDecoder.class);
                if (decoder != null) {
                    ((MqttPacketDecoder) decoder.handler()).resume(decoder);
                }
            }
        }
    }
}

package dev.gatehouse.broker.protocol;

import dev.gatehouse.broker.session.FlowControlled;
import dev.gatehouse.broker.session.Outgoing;
import dev.gatehouse.broker.session.SessionOwner;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages on their way to the client: draining the session within the in-flight window and the
 * outbound buffer, redelivery on resume, the client's acknowledgements, topic aliases, and
 * backpressure — a client that does not read its socket stops being read from once its outbound
 * buffer is full, and is disconnected if it stays full for {@code slowConsumerTimeout}.
 */
final class OutboundFlow implements SessionOwner {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    private final ConnectionContext c;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = () -> {
        drainScheduled.set(false);
        drain();
    };
    private OutboundTopicAliases aliases;
    private ScheduledFuture<?> slowConsumerTimer;
    // Reused by every drain: the event loop is the only thread that touches them.
    private final List<Outgoing> batch = new ArrayList<>();
    private final List<FlowControlled> resumed = new ArrayList<>(0);

    OutboundFlow(ConnectionContext c) {
        this.c = c;
    }

    /** The client is connected: size topic aliases to what both sides allow. */
    void start() {
        int n = c.version.isV5() ? Math.min(c.clientTopicAliasMaximum, c.limits.outboundTopicAliases()) : 0;
        aliases = n > 0 ? new OutboundTopicAliases(n) : null;
    }

    /** From any thread: new deliveries are queued; drain them on the connection's own thread. */
    @Override
    public void wake() {
        if (drainScheduled.compareAndSet(false, true)) {
            c.channel.eventLoop().execute(drainTask);
        }
    }

    /** Take what the window and the outbound buffer allow from the session, then write it, unlocked. */
    void drain() {
        if (c.state != ConnectionContext.State.CONNECTED || c.session == null) {
            return;
        }
        long budget = c.channel.bytesBeforeUnwritable();
        if (budget <= 0) {
            return; // writability comes back through channelWritabilityChanged
        }
        int window = Math.min(c.limits.maxInflight(), c.clientReceiveMaximum);
        long now = c.core.clock().millis();
        int n = c.session.take(window, now, budget, c.clientMaxPacketSize, batch, resumed, c.store.changes());
        boolean v5 = c.version.isV5();
        for (int i = 0; i < n; i++) {
            Outgoing o = batch.get(i);
            c.core.traffic().sent(o.delivery().qos(), o.delivery().message().payload().length);
            c.ctx.write(Packets.publish(o.delivery(), o.packetId(), o.dup(), v5, now, aliases));
        }
        batch.clear();
        if (!resumed.isEmpty()) {
            for (FlowControlled p : resumed) {
                p.resumeReading();
            }
            resumed.clear();
        }
        if (n > 0) {
            c.flushSoon();
        }
        c.commitSoon();
    }

    /**
     * Redeliver what was in flight when the session's previous connection ended: PUBRELs now, the
     * PUBLISHes (DUP, same ids) through {@link #drain()} within this connection's window.
     */
    void resend() {
        for (int packetId : c.session.resume()) {
            c.ctx.write(Packets.pubReply(MqttMessageType.PUBREL, packetId, ReasonCodes.SUCCESS, null));
        }
        c.ctx.flush();
    }

    void onPubAck(int packetId) {
        c.session.complete(packetId, c.store.changes());
        drain();
    }

    void onPubRec(int packetId, int code) {
        if (code >= 0x80) {
            c.session.complete(packetId, c.store.changes());
            drain();
            return;
        }
        boolean known = c.session.received(packetId, c.store.changes());
        c.reply(Packets.pubReply(MqttMessageType.PUBREL, packetId,
                known || !c.version.isV5() ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, null));
    }

    void onPubComp(int packetId) {
        c.session.complete(packetId, c.store.changes());
        drain();
    }

    /**
     * The outbound buffer crossed a water mark. Past the high one we stop reading (acks and PINGRESPs are
     * answers to what we read, so this bounds them) and start the slow-consumer clock; below the low one
     * we read again and send what waited.
     */
    void writabilityChanged() {
        if (c.channel.isWritable()) {
            ConnectionContext.cancel(slowConsumerTimer);
            slowConsumerTimer = null;
            c.readGate.release(ReadGate.UNWRITABLE);
            drain();
            return;
        }
        c.readGate.hold(ReadGate.UNWRITABLE);
        if (slowConsumerTimer == null && c.state != ConnectionContext.State.CLOSED) {
            long ms = c.limits.slowConsumerTimeout().toMillis();
            slowConsumerTimer = c.ctx.executor().schedule(this::slowConsumer, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void slowConsumer() {
        slowConsumerTimer = null;
        if (c.channel.isWritable() || !c.channel.isActive()) {
            return;
        }
        c.core.flow().slowConsumerDisconnected();
        log.info("closing {} ({}): it has not read what the broker sent for {} ({} bytes waiting)",
                c.clientId.isEmpty() ? "?" : c.clientId, c.remote(), c.limits.slowConsumerTimeout(),
                c.channel.unsafe().outboundBuffer() == null ? 0 : c.channel.unsafe().outboundBuffer().totalPendingWriteBytes());
        // Our DISCONNECT cannot get past a buffer the client does not read: say it, then close at once.
        c.disconnectPromptly(ReasonCodes.QUOTA_EXCEEDED, "slow consumer");
        c.ctx.close();
    }

    void closed() {
        ConnectionContext.cancel(slowConsumerTimer);
        slowConsumerTimer = null;
    }
}

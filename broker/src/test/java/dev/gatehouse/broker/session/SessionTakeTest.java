package dev.gatehouse.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;
import dev.gatehouse.broker.topic.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link Session#take} and {@link Session#offer(Delivery, FlowControlled, dev.gatehouse.broker.store.Changes)}: the connection takes what it
 * may send under the session's lock (window, byte budget, resends, retained backlog, queue, drops) and
 * writes it afterwards; congestion holds a publisher back at half the queue and releases it at a quarter,
 * only while a connection is attached and only for as long as the policy's timeout. No socket is involved:
 * everything here is what happens under the lock.
 */
class SessionTakeTest {
    private static final long NOW = 1_000_000L;
    private static final long NO_LIMIT = Long.MAX_VALUE;

    /** Every drop reported through the policy's {@link DropSink}. */
    private final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    private final DropSink sink = (clientId, reason, count) -> {
        assertThat(clientId).isEqualTo("c");
        drops.merge(reason, count, Long::sum);
    };
    // Odd, so that the session's "never 0 while congested" marker (now | 1) is the tick itself.
    private final AtomicLong ticker = new AtomicLong(1_001);
    private final List<Outgoing> out = new ArrayList<>();
    private final List<FlowControlled> resumed = new ArrayList<>();

    private Session session(int maxQueued, long congestionTimeoutNanos) {
        return new Session("c", new QueuePolicy(maxQueued, congestionTimeoutNanos, ticker::get, sink));
    }

    private Session session(int maxQueued) {
        return session(maxQueued, 1_000_000_000L);
    }

    private static Delivery delivery(String topic, int qos) {
        return delivery(topic, qos, 10);
    }

    private static Delivery delivery(String topic, int qos, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, payload, 0, Math.min(name.length, payloadBytes));
        return new Delivery(Message.of(topic, payload, qos, false), qos, false, null);
    }

    private static Delivery expiring(String topic, long expiresAt) {
        return new Delivery(new Message(topic, new byte[4], 1, false, MessageProperties.NONE, expiresAt, "p"), 1,
                false, null);
    }

    private int take(Session s, int window, long budget, long maxPacketSize) {
        out.clear();
        return s.take(window, NOW, budget, maxPacketSize, out, resumed, null);
    }

    private List<String> topicsTaken() {
        return out.stream().map(o -> o.delivery().message().topic()).toList();
    }

    /** A publisher that records how often it was released (the session itself never calls pause). */
    private static final class Publisher implements FlowControlled {
        final AtomicInteger pauses = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();

        @Override
        public void pauseReading() {
            pauses.incrementAndGet();
        }

        @Override
        public void resumeReading() {
            resumes.incrementAndGet();
        }
    }

    // ---- the in-flight window ----

    @Test
    void takeHonoursTheInflightWindowForQos1And2AndLetsQos0Through() {
        Session s = session(100);
        for (int i = 0; i < 5; i++) {
            s.offer(delivery("w/" + i, 1));
        }
        assertThat(take(s, 2, NO_LIMIT, NO_LIMIT)).isEqualTo(2);
        assertThat(topicsTaken()).containsExactly("w/0", "w/1");
        assertThat(out).allSatisfy(o -> {
            assertThat(o.packetId()).isPositive();
            assertThat(o.dup()).isFalse();
        });
        assertThat(out.get(0).packetId()).isNotEqualTo(out.get(1).packetId());
        assertThat(s.inflightCount()).isEqualTo(2);
        assertThat(s.queuedCount()).isEqualTo(3);

        // The window is full: nothing more until an acknowledgement.
        assertThat(take(s, 2, NO_LIMIT, NO_LIMIT)).isZero();
        int acked = s.inflight().get(0).packetId();
        assertThat(s.complete(acked, null)).isNotNull();
        assertThat(take(s, 2, NO_LIMIT, NO_LIMIT)).isEqualTo(1);
        assertThat(topicsTaken()).containsExactly("w/2");

        // QoS 0 needs no window: it goes out even while the window is full (in queue order, behind nothing).
        Session q0 = session(100);
        for (int i = 0; i < 4; i++) {
            q0.offer(delivery("z/" + i, 0));
        }
        assertThat(take(q0, 1, NO_LIMIT, NO_LIMIT)).isEqualTo(4);
        assertThat(out).extracting(Outgoing::packetId).containsOnly(0);
        assertThat(q0.inflightCount()).isZero();
    }

    // ---- the byte budget ----

    @Test
    void takeStopsOnceTheByteBudgetIsSpentButAlwaysMakesProgress() {
        Session s = session(100);
        for (int i = 0; i < 10; i++) {
            s.offer(delivery("b/" + i, 0));
        }
        long size = delivery("b/0", 0).encodedSizeBound();

        // Exactly two packets' worth: two, and the budget is spent.
        assertThat(take(s, 100, 2 * size, NO_LIMIT)).isEqualTo(2);
        assertThat(topicsTaken()).containsExactly("b/0", "b/1");
        // Less than one packet's worth: still one (a budget is "about", never a stall).
        assertThat(take(s, 100, 1, NO_LIMIT)).isEqualTo(1);
        assertThat(topicsTaken()).containsExactly("b/2");
        // A budget a byte past two packets lets a third start, then stops.
        assertThat(take(s, 100, 2 * size + 1, NO_LIMIT)).isEqualTo(3);
        assertThat(topicsTaken()).containsExactly("b/3", "b/4", "b/5");
        // No budget: nothing.
        assertThat(take(s, 100, 0, NO_LIMIT)).isZero();
        assertThat(s.queuedCount()).isEqualTo(4);
    }

    // ---- drops under take ----

    @Test
    void tooLargeAndExpiredDeliveriesAreDroppedAndReportedThroughTheDropSink() {
        Session s = session(100);
        s.offer(delivery("big/0", 1, 500));
        s.offer(expiring("old/0", NOW - 1));
        s.offer(delivery("ok/0", 1, 10));
        s.offer(expiring("old/1", NOW)); // expires exactly now: expired
        s.offer(delivery("big/1", 0, 500));
        s.offer(expiring("fresh/0", NOW + 60_000));

        long maxPacket = delivery("ok/0", 1, 10).encodedSizeBound() + 100;
        assertThat(take(s, 10, NO_LIMIT, maxPacket)).isEqualTo(2);
        assertThat(topicsTaken()).containsExactly("ok/0", "fresh/0");
        assertThat(drops).containsOnly(Map.entry(DropReason.TOO_LARGE_FOR_CLIENT, 2L), Map.entry(DropReason.EXPIRED, 2L));
        // Dropped ones took neither a packet id nor a place in the window.
        assertThat(s.inflightCount()).isEqualTo(2);
        assertThat(s.queuedCount()).isZero();
        // Nor are they counted as queue-full drops.
        assertThat(s.droppedCount()).isZero();
    }

    // ---- order: resends, retained backlog, queue ----

    @Test
    void inflightResendsGoFirstThenTheRetainedBacklogThenTheQueue() {
        Session s = session(100);
        s.offer(delivery("q/0", 1));
        s.offer(delivery("q/1", 2));
        assertThat(take(s, 10, NO_LIMIT, NO_LIMIT)).isEqualTo(2);
        int id0 = out.get(0).packetId();
        int id1 = out.get(1).packetId();

        // The connection ends without acknowledgements; a new one resumes the session.
        s.offer(delivery("q/2", 1));
        Message r1 = Message.of("r/1", new byte[] {1}, 1, true);
        Message r2 = Message.of("r/2", new byte[] {2}, 2, true);
        s.addRetainedBacklog(List.of(r1, r2).iterator(), Subscription.of("c", "r/+", 1));
        assertThat(s.resume()).as("no PUBREL outstanding").isEmpty();

        assertThat(take(s, 10, NO_LIMIT, NO_LIMIT)).isEqualTo(5);
        assertThat(topicsTaken()).containsExactly("q/0", "q/1", "r/1", "r/2", "q/2");
        assertThat(out.get(0).dup()).isTrue();
        assertThat(out.get(0).packetId()).isEqualTo(id0);
        assertThat(out.get(1).dup()).isTrue();
        assertThat(out.get(1).packetId()).isEqualTo(id1);
        // Retained messages go with the retain flag at the subscription's QoS, as new packets.
        assertThat(out.subList(2, 5)).allSatisfy(o -> assertThat(o.dup()).isFalse());
        assertThat(out.get(2).delivery().retain()).isTrue();
        assertThat(out.get(3).delivery().qos()).as("QoS 2 retained, QoS 1 subscription").isEqualTo(1);
        assertThat(out.get(4).delivery().retain()).isFalse();
        assertThat(s.inflightCount()).isEqualTo(5);
    }

    @Test
    void resendsWithinASmallerWindowHoldBackEverythingNew() {
        Session s = session(100);
        for (int i = 0; i < 3; i++) {
            s.offer(delivery("q/" + i, 1));
        }
        assertThat(take(s, 10, NO_LIMIT, NO_LIMIT)).isEqualTo(3);
        s.offer(delivery("q/new", 1));
        s.resume();

        // The new connection allows two in flight: two resends, nothing new.
        assertThat(take(s, 2, NO_LIMIT, NO_LIMIT)).isEqualTo(2);
        assertThat(topicsTaken()).containsExactly("q/0", "q/1");
        assertThat(out).allSatisfy(o -> assertThat(o.dup()).isTrue());
        int first = out.get(0).packetId();
        assertThat(take(s, 2, NO_LIMIT, NO_LIMIT)).isZero();

        // One acknowledged: the last resend goes, still nothing new (the window is full again).
        assertThat(s.complete(first, null)).isNotNull();
        assertThat(take(s, 2, NO_LIMIT, NO_LIMIT)).isEqualTo(1);
        assertThat(topicsTaken()).containsExactly("q/2");
        assertThat(out.get(0).dup()).isTrue();
        assertThat(s.queuedCount()).isEqualTo(1);
    }

    @Test
    void theRetainedBacklogIsPacedByTheWindowAndBudgetNotCopiedIntoTheQueue() {
        Session s = session(2); // a queue of 2 must not cut off a backlog of 50
        List<Message> retained = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            retained.add(Message.of("r/" + i, new byte[] {(byte) i}, 1, true));
        }
        s.addRetainedBacklog(retained.iterator(), Subscription.of("c", "r/#", 1));
        assertThat(s.queuedCount()).isZero();
        int total = 0;
        for (int round = 0; round < 100 && total < 50; round++) {
            int n = take(s, 8, NO_LIMIT, NO_LIMIT);
            assertThat(n).isBetween(1, 8);
            for (Outgoing o : out) {
                assertThat(o.delivery().message().topic()).isEqualTo("r/" + total++);
                s.complete(o.packetId(), null);
            }
        }
        assertThat(total).isEqualTo(50);
        assertThat(take(s, 8, NO_LIMIT, NO_LIMIT)).isZero();
        assertThat(drops).isEmpty();
    }

    // ---- congestion ----

    @Test
    void aConnectedSessionAsksThePublisherToPauseAtHalfTheQueueAndReleasesItAtAQuarter() {
        Session s = session(8); // pause at 4 queued, resume at 2
        AtomicInteger wakes = new AtomicInteger();
        assertThat(s.attach(wakes::incrementAndGet)).isTrue();
        Publisher p = new Publisher();

        for (int i = 0; i < 3; i++) {
            assertThat(s.offer(delivery("c/" + i, 1), p, null)).isEqualTo(OfferResult.QUEUED);
        }
        assertThat(s.offer(delivery("c/3", 1), p, null)).isEqualTo(OfferResult.CONGESTED);
        assertThat(s.offer(delivery("c/4", 2), p, null)).isEqualTo(OfferResult.CONGESTED);
        // QoS 0 never holds a publisher back (it is dropped first when the queue is full).
        assertThat(s.offer(delivery("c/5", 0), p, null)).isEqualTo(OfferResult.QUEUED);
        // Without a publisher to hold back, a congested session just queues.
        assertThat(s.offer(delivery("c/6", 1), null, null)).isEqualTo(OfferResult.QUEUED);
        assertThat(wakes.get()).as("every queued delivery wakes the owner").isEqualTo(7);

        // Taking one (7 -> 6 queued) is not enough.
        assertThat(take(s, 1, NO_LIMIT, NO_LIMIT)).isEqualTo(1);
        assertThat(resumed).isEmpty();
        // Down to a quarter (2 queued): the publisher is released, once, even though it was recorded twice.
        s.complete(out.get(0).packetId(), null);
        assertThat(take(s, 4, NO_LIMIT, NO_LIMIT)).isEqualTo(5); // c/1..c/4 fill the window, c/5 is QoS 0
        assertThat(s.queuedCount()).isEqualTo(1);
        assertThat(resumed).containsExactly(p);
        resumed.clear();

        // Congestion is over: filling up again asks again.
        for (int i = 7; i < 9; i++) {
            assertThat(s.offer(delivery("c/" + i, 1), p, null)).isEqualTo(OfferResult.QUEUED);
        }
        assertThat(s.offer(delivery("c/9", 1), p, null)).isEqualTo(OfferResult.CONGESTED);
        assertThat(p.pauses.get()).as("the session only records; routing pauses").isZero();
    }

    @Test
    void aFullQueueDropsAndCountsByQos() {
        Session s = session(4);
        s.attach(() -> { });
        Publisher p = new Publisher();
        for (int i = 0; i < 4; i++) {
            assertThat(s.offer(delivery("f/" + i, 1), p, null).queued()).isTrue();
        }
        assertThat(s.offer(delivery("f/x", 1), p, null)).isEqualTo(OfferResult.DROPPED);
        assertThat(s.offer(delivery("f/y", 2), p, null)).isEqualTo(OfferResult.DROPPED);
        assertThat(s.offer(delivery("f/z", 0), p, null)).isEqualTo(OfferResult.DROPPED);
        assertThat(s.droppedCount()).isEqualTo(3);
        assertThat(drops).containsOnly(Map.entry(DropReason.QUEUE_FULL, 2L),
                Map.entry(DropReason.QOS0_SLOW_CONSUMER, 1L));
        assertThat(s.queuedCount()).isEqualTo(4);
    }

    @Test
    void aDetachedSessionNeverHoldsPublishersBack() {
        Session s = session(8);
        Publisher p = new Publisher();
        for (int i = 0; i < 8; i++) {
            assertThat(s.offer(delivery("d/" + i, 1), p, null)).isEqualTo(OfferResult.QUEUED);
        }
        assertThat(s.offer(delivery("d/8", 1), p, null)).isEqualTo(OfferResult.DROPPED);
        assertThat(s.releaseWaiters()).isEmpty();

        // Attached, it would; detached again (the connection closed), the held publisher is handed back.
        Session t = session(8);
        SessionOwner owner = () -> { };
        t.attach(owner);
        for (int i = 0; i < 3; i++) {
            t.offer(delivery("d/" + i, 1), p, null);
        }
        assertThat(t.offer(delivery("d/3", 1), p, null)).isEqualTo(OfferResult.CONGESTED);
        assertThat(t.detach(owner)).isTrue();
        assertThat(t.releaseWaiters()).containsExactly(p);
        assertThat(t.offer(delivery("d/4", 1), p, null)).isEqualTo(OfferResult.QUEUED);
    }

    @Test
    void aSessionCongestedLongerThanThePolicyTimeoutStopsHoldingPublishersBack() {
        Session s = session(8, 5_000);
        s.attach(() -> { });
        Publisher p = new Publisher();
        Publisher other = new Publisher();
        for (int i = 0; i < 3; i++) {
            s.offer(delivery("t/" + i, 1), p, null);
        }
        assertThat(s.offer(delivery("t/3", 1), p, null)).isEqualTo(OfferResult.CONGESTED);
        ticker.addAndGet(5_000); // exactly the timeout: still congested
        assertThat(s.offer(delivery("t/4", 1), other, null)).isEqualTo(OfferResult.CONGESTED);
        ticker.addAndGet(1); // past it: stuck, not slow
        assertThat(s.offer(delivery("t/5", 1), p, null)).isEqualTo(OfferResult.QUEUED);
        assertThat(s.offer(delivery("t/6", 1), other, null)).isEqualTo(OfferResult.QUEUED);
        assertThat(s.offer(delivery("t/7", 1), other, null)).isEqualTo(OfferResult.QUEUED);
        // The overflow is dropped (and counted) instead of holding anyone back.
        assertThat(s.offer(delivery("t/8", 1), other, null)).isEqualTo(OfferResult.DROPPED);
        assertThat(drops).containsOnly(Map.entry(DropReason.QUEUE_FULL, 1L));

        // Those held earlier are still released once the queue drains to a quarter...
        assertThat(take(s, 6, NO_LIMIT, NO_LIMIT)).isEqualTo(6);
        assertThat(resumed).containsExactlyInAnyOrder(p, other);
        resumed.clear();
        // ...and a new congestion holds publishers back again, with a fresh timeout.
        for (int i = 0; i < 6; i++) {
            s.complete(out.get(i).packetId(), null);
        }
        assertThat(take(s, 6, NO_LIMIT, NO_LIMIT)).isEqualTo(2);
        for (int i = 10; i < 13; i++) {
            assertThat(s.offer(delivery("t/" + i, 1), p, null)).isEqualTo(OfferResult.QUEUED);
        }
        assertThat(s.offer(delivery("t/13", 1), p, null)).isEqualTo(OfferResult.CONGESTED);
    }
}

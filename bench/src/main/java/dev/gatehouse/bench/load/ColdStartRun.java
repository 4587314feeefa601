package dev.gatehouse.bench.load;

import dev.gatehouse.bench.stats.Timeline;
import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One publisher, one subscriber, a steady offered rate (open loop: each message carries its scheduled send time,
 * so a stall shows as the queueing delay it causes), every sequence number checked off against the broker's
 * acknowledgements. Meant to start right after a broker's port first accepts; unlike {@link ThroughputRun} it never
 * gives up during the send phase because of a stall, since the stall is what it measures.
 */
public final class ColdStartRun {
    private static final long SETUP_NANOS = 30_000_000_000L;
    /** After sending stops, how long stragglers may take before they count as lost. */
    private static final long DRAIN_NANOS = 3_000_000_000L;
    /** In the drain, nothing received for this long ends it. */
    private static final long QUIET_NANOS = 1_000_000_000L;
    public static final long INTERVAL_NANOS = 100_000_000L;

    private final Endpoint endpoint;

    public ColdStartRun(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    public ColdStartResult run(int qos, int payloadSize, long ratePerSecond, Duration sendTime) throws IOException {
        if (qos < 1 || ratePerSecond < 1) {
            throw new IllegalArgumentException("QoS 1 or 2 at a positive rate");
        }
        long t0 = System.nanoTime();
        String tag = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        String topic = "bench/" + tag + "/cold";
        long budget = ratePerSecond * Math.max(1, sendTime.toMillis()) / 1000 + 1;
        FlowStats stats = new FlowStats(1, Integer.MAX_VALUE);
        try (IoLoop loop = new IoLoop()) {
            Connector connector = new Connector(loop, endpoint, 4, 64 * 1024, 64 * 1024, 2);
            Subscriber sub = new Subscriber("c" + tag + "s", topic, qos, 1, budget, stats);
            if (connector.openAll(List.of(sub), Subscriber::subscribed, t0 + SETUP_NANOS) < 1) {
                return ColdStartResult.failed("subscriber not ready: " + sub.failure() + " / " + sub.subscribeFailure(),
                        System.nanoTime() - t0);
            }
            Publisher pub = new Publisher("c" + tag + "p", 0, topic, qos, payloadSize, budget, 65_535, stats);
            pub.trackAcks();
            if (connector.openAll(List.of(pub), MqttClient::connected, t0 + SETUP_NANOS) < 1) {
                return ColdStartResult.failed("publisher not ready: " + pub.failure(), System.nanoTime() - t0);
            }
            long start = System.nanoTime();
            long startWall = System.currentTimeMillis();
            long period = Math.max(1, 1_000_000_000L / ratePerSecond);
            pub.schedule(start, period);
            Timeline timeline = new Timeline(start, INTERVAL_NANOS,
                    (int) ((sendTime.toNanos() + DRAIN_NANOS) / INTERVAL_NANOS) + 1);
            stats.timeline(timeline);
            long sendDeadline = start + sendTime.toNanos();
            long hardDeadline = sendDeadline + DRAIN_NANOS;
            long lastProgress = start;
            long lastReceived = 0;
            boolean sending = true;
            String failure = null;
            while (true) {
                long now = System.nanoTime();
                if (sending && (now - sendDeadline >= 0 || pub.done())) {
                    sending = false;
                    pub.stop();
                    lastProgress = now;
                }
                if (stats.receivedUnique() != lastReceived) {
                    lastReceived = stats.receivedUnique();
                    lastProgress = now;
                }
                if (!sending && (stats.receivedUnique() >= stats.sentMessages() || now - hardDeadline >= 0
                        || now - lastProgress > QUIET_NANOS)) {
                    break;
                }
                if (sub.closed() || pub.closed()) {
                    failure = "connection lost (" + (sub.closed() ? sub.clientId() + ": " + sub.closeReason()
                            : pub.clientId() + ": " + pub.closeReason()) + ")";
                    break;
                }
                pub.fill(now);
                long wait = Math.min(pub.untilNextDue(now), 50_000);
                loop.poll(wait);
            }
            BitSet acked = pub.acked();
            BitSet seen = sub.seen(0);
            long sent = stats.sentMessages();
            BitSet lostSet = (BitSet) acked.clone();
            lostSet.andNot(seen);
            BitSet neither = new BitSet();
            neither.set(0, (int) sent);
            neither.andNot(acked);
            neither.andNot(seen);
            sub.disconnect();
            pub.disconnect();
            return new ColdStartResult(sent, acked.cardinality(), stats.receivedUnique(), lostSet.cardinality(),
                    neither.cardinality(), stats.duplicates(), stats.latency().percentiles(), timeline, start - t0,
                    startWall, failure);
        }
    }
}

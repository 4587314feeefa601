package dev.gatehouse.broker.core;

import dev.gatehouse.broker.BrokerStats;
import dev.gatehouse.broker.DropReason;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.store.Changes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code $SYS/broker/...} topics, named as Mosquitto names them where it has a counterpart, published
 * retained at QoS 0 through the broker's own routing every interval (and once at start). Only clients whose
 * permissions allow a filter that names {@code $SYS} explicitly receive them: a filter beginning with a wildcard
 * never matches a topic beginning with {@code $}.
 *
 * <p>The messages are routed like any other but not written to the state store: they are regenerated at every
 * start (as Mosquitto does). Load figures are exponentially smoothed rates per minute over 1, 5 and 15 minutes,
 * Mosquitto's formula, with the time between two publications read from the broker's clock.
 */
public final class SysTopics {
    private static final Logger log = LoggerFactory.getLogger(SysTopics.class);
    public static final String PREFIX = "$SYS/broker/";
    private static final int[] WINDOWS_MINUTES = {1, 5, 15};

    private final Router router;
    private final BrokerStats stats;
    private final Clock clock;
    private final String version;
    private final long startedAtMillis;
    private final Map<String, Load> loads = new LinkedHashMap<>();
    private long lastMillis;
    private ScheduledFuture<?> task;

    /** One smoothed rate: the counter's last value and the 1, 5 and 15 minute averages. */
    private static final class Load {
        long lastCount;
        final double[] perMinute = new double[WINDOWS_MINUTES.length];
    }

    public SysTopics(Router router, BrokerStats stats, Clock clock, String version) {
        this.router = router;
        this.stats = stats;
        this.clock = clock;
        this.version = version;
        this.startedAtMillis = clock.millis();
        this.lastMillis = startedAtMillis;
        for (String name : new String[] {"messages/received", "messages/sent", "publish/received", "publish/sent",
                "bytes/received", "bytes/sent", "connections", "publish/dropped"}) {
            loads.put(name, new Load());
        }
    }

    /** Publish now, then every {@code intervalMillis} on {@code scheduler}. */
    public synchronized void start(ScheduledExecutorService scheduler, long intervalMillis) {
        publish();
        task = scheduler.scheduleAtFixedRate(this::publishSafely, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void publishSafely() {
        try {
            publish();
        } catch (RuntimeException e) {
            log.warn("publishing $SYS topics failed", e);
        }
    }

    /** Compute every value and publish each topic once; what each publication costs is one retained message per topic. */
    public synchronized void publish() {
        long now = clock.millis();
        long received = sum(stats::messagesReceived);
        long sent = sum(stats::messagesSent);
        long bytesIn = sum(stats::bytesReceived);
        long bytesOut = sum(stats::bytesSent);
        long dropped = 0;
        for (DropReason r : DropReason.values()) {
            dropped += stats.dropped(r);
        }
        long opened = stats.connectionsOpened();
        Map<String, Long> counters = Map.of("messages/received", received, "messages/sent", sent,
                "publish/received", received, "publish/sent", sent, "bytes/received", bytesIn, "bytes/sent", bytesOut,
                "connections", opened, "publish/dropped", dropped);
        updateLoads(counters, now - lastMillis);
        lastMillis = now;

        Map<String, String> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("uptime", Math.max(0, (now - startedAtMillis) / 1000) + " seconds");
        int connected = stats.clientsConnected();
        int offline = stats.offlineSessions();
        out.put("clients/connected", Integer.toString(connected));
        out.put("clients/active", Integer.toString(connected));
        out.put("clients/disconnected", Integer.toString(offline));
        out.put("clients/inactive", Integer.toString(offline));
        out.put("clients/total", Integer.toString(stats.sessions()));
        out.put("messages/received", Long.toString(received));
        out.put("messages/sent", Long.toString(sent));
        out.put("publish/messages/received", Long.toString(received));
        out.put("publish/messages/sent", Long.toString(sent));
        out.put("publish/messages/dropped", Long.toString(dropped));
        out.put("publish/bytes/received", Long.toString(bytesIn));
        out.put("publish/bytes/sent", Long.toString(bytesOut));
        out.put("bytes/received", Long.toString(bytesIn));
        out.put("bytes/sent", Long.toString(bytesOut));
        out.put("retained messages/count", Integer.toString(stats.retainedMessages()));
        out.put("subscriptions/count", Long.toString(stats.subscriptions()));
        out.put("store/messages/count", Long.toString(stats.queuedMessages() + stats.inflightMessages()));
        out.put("messages/inflight", Long.toString(stats.inflightMessages()));
        Runtime rt = Runtime.getRuntime();
        out.put("heap/current", Long.toString(rt.totalMemory() - rt.freeMemory()));
        loads.forEach((name, load) -> {
            for (int i = 0; i < WINDOWS_MINUTES.length; i++) {
                out.put("load/" + name + "/" + WINDOWS_MINUTES[i] + "min",
                        String.format(Locale.ROOT, "%.2f", load.perMinute[i]));
            }
        });
        for (Map.Entry<String, String> e : out.entrySet()) {
            Message m = Message.of(PREFIX + e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8), 0, true);
            // Routed like any retained message, never stored: regenerated at every start.
            router.route(m, new Changes());
        }
    }

    private interface PerQos {
        long get(int qos);
    }

    private static long sum(PerQos f) {
        return f.get(0) + f.get(1) + f.get(2);
    }

    /**
     * Mosquitto's smoothing: {@code load = rate + exp(-dt / window) * (load - rate)}, where {@code rate} is the
     * counter's increase per minute over the {@code dt} since the last publication. A clock that did not move
     * leaves the loads as they were.
     */
    private void updateLoads(Map<String, Long> counters, long elapsedMillis) {
        counters.forEach((name, count) -> {
            Load load = loads.get(name);
            if (elapsedMillis > 0) {
                double rate = (count - load.lastCount) * 60_000.0 / elapsedMillis;
                for (int i = 0; i < WINDOWS_MINUTES.length; i++) {
                    double factor = Math.exp(-elapsedMillis / (WINDOWS_MINUTES[i] * 60_000.0));
                    load.perMinute[i] = rate + factor * (load.perMinute[i] - rate);
                }
                load.lastCount = count;
            }
        });
    }
}

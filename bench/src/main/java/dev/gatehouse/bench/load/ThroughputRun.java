package dev.gatehouse.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Sets up, runs and tears down one {@link ThroughputSpec} against a broker. */
public final class ThroughputRun {
    private static final long SETUP_NANOS = 30_000_000_000L;
    /** After sending stops, how long stragglers may take before they count as lost. */
    private static final long DRAIN_NANOS = 3_000_000_000L;
    /** A closed loop that received nothing for this long is stuck (lost messages hold its window shut). */
    private static final long STALL_NANOS = 1_000_000_000L;

    private final Endpoint endpoint;
    private final BrokerProbe probe;

    public ThroughputRun(Endpoint endpoint, BrokerProbe probe) {
        this.endpoint = endpoint;
        this.probe = probe;
    }

    public ThroughputResult run(ThroughputSpec spec) throws IOException {
        String tag = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        String topic = "bench/" + tag + "/t";
        FlowStats stats = new FlowStats(spec.subscribers(), spec.ratePerSecond() > 0 ? Integer.MAX_VALUE / spec.subscribers() : spec.window());
        int bufferSize = Math.max(64 * 1024, spec.payloadSize() * 64);
        try (IoLoop loop = new IoLoop()) {
            Connector connector = new Connector(loop, endpoint, spec.version(), bufferSize, bufferSize, 50);
            List<Subscriber> subs = new ArrayList<>();
            for (int i = 0; i < spec.subscribers(); i++) {
                Subscriber sub = new Subscriber("b" + tag + "s" + i, topic, spec.qos(), spec.publishers(),
                        spec.messagesPerPublisher(), stats);
                if (spec.persistentSession()) {
                    sub.persistentSession();
                }
                subs.add(sub);
            }
            int ready = connector.openAll(subs, Subscriber::subscribed, System.nanoTime() + SETUP_NANOS);
            if (ready < subs.size()) {
                return ThroughputResult.failed("subscribers ready: " + ready + "/" + subs.size() + firstFailure(subs));
            }
            List<Publisher> pubs = new ArrayList<>();
            for (int i = 0; i < spec.publishers(); i++) {
                pubs.add(new Publisher("b" + tag + "p" + i, i, topic, spec.qos(), spec.payloadSize(),
                        spec.messagesPerPublisher(), spec.maxUnacked(), stats));
            }
            ready = connector.openAll(pubs, MqttClient::connected, System.nanoTime() + SETUP_NANOS);
            if (ready < pubs.size()) {
                return ThroughputResult.failed("publishers ready: " + ready + "/" + pubs.size() + firstFailure(pubs));
            }
            double cpu0 = probe.cpuSeconds();
            long start = System.nanoTime();
            if (spec.ratePerSecond() > 0) {
                long period = Math.max(1, spec.publishers() * 1_000_000_000L / spec.ratePerSecond());
                for (int i = 0; i < pubs.size(); i++) {
                    pubs.get(i).schedule(start + i * period / pubs.size(), period);
                }
            }
            long sendDeadline = start + spec.sendTime().toNanos();
            long hardDeadline = sendDeadline + DRAIN_NANOS;
            long lastProgress = start;
            long lastReceived = 0;
            boolean sending = true;
            while (true) {
                long now = System.nanoTime();
                if (sending && (now - sendDeadline >= 0 || allDone(pubs))) {
                    sending = false;
                    pubs.forEach(Publisher::stop);
                }
                if (!sending && stats.receivedUnique() >= stats.expectedCopies()) {
                    break;
                }
                if (now - hardDeadline >= 0) {
                    break;
                }
                if (stats.receivedUnique() != lastReceived) {
                    lastReceived = stats.receivedUnique();
                    lastProgress = now;
                } else if (now - lastProgress > STALL_NANOS) {
                    break;
                }
                if (anyClosed(subs) || anyClosed(pubs)) {
                    break;
                }
                long wait = 1_000_000;
                for (Publisher p : pubs) {
                    p.fill(now);
                    wait = Math.min(wait, p.untilNextDue(now));
                }
                loop.poll(spec.ratePerSecond() > 0 ? Math.min(wait, 50_000) : wait);
            }
            double cpu1 = probe.cpuSeconds();
            String failure = anyClosed(subs) || anyClosed(pubs) ? "connection lost" + firstLoss(subs, pubs) : null;
            long end = stats.lastReceiveNanos() > 0 ? stats.lastReceiveNanos() : System.nanoTime();
            double seconds = Math.max(1e-9, (end - stats.firstSendNanos()) / 1e9);
            double cpu = cpu1 - cpu0;
            long received = stats.receivedUnique();
            subs.forEach(MqttClient::disconnect);
            pubs.forEach(MqttClient::disconnect);
            return new ThroughputResult(stats.sentMessages(), stats.expectedCopies(), received,
                    stats.expectedCopies() - received, stats.duplicates(), stats.unexpected(), seconds,
                    received / seconds, cpu, cpu > 0 ? received / cpu : Double.NaN,
                    stats.latency().percentiles(), failure);
        }
    }

    private static boolean allDone(List<Publisher> pubs) {
        for (Publisher p : pubs) {
            if (!p.done()) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyClosed(List<? extends MqttClient> clients) {
        for (MqttClient c : clients) {
            if (c.closed()) {
                return true;
            }
        }
        return false;
    }

    private static String firstFailure(List<? extends MqttClient> clients) {
        for (MqttClient c : clients) {
            if (c.failure() != null) {
                return " (" + c.clientId() + ": " + c.failure() + ")";
            }
            if (c instanceof Subscriber && ((Subscriber) c).subscribeFailure() != null) {
                return " (" + c.clientId() + ": " + ((Subscriber) c).subscribeFailure() + ")";
            }
        }
        return "";
    }

    private static String firstLoss(List<? extends MqttClient> subs, List<? extends MqttClient> pubs) {
        List<MqttClient> all = new ArrayList<>(subs);
        all.addAll(pubs);
        for (MqttClient c : all) {
            if (c.closed()) {
                return " (" + c.clientId() + ": " + c.closeReason() + ")";
            }
        }
        return "";
    }
}

package dev.gatehouse.bench.load;

import dev.gatehouse.bench.stats.Histogram;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * Connects {@code clients} clients one after another with {@code concurrency} in flight; each one
 * disconnects as soon as its CONNACK arrives. Credentials come per client, so a token scenario can give
 * every client its own.
 */
public final class ConnectRateRun {
    private final Endpoint endpoint;
    private final BrokerProbe probe;

    public ConnectRateRun(Endpoint endpoint, BrokerProbe probe) {
        this.endpoint = endpoint;
        this.probe = probe;
    }

    public ConnectRateResult run(int clients, int concurrency, int version, IntFunction<Credentials> credentials,
                                 long timeoutNanos) throws IOException {
        String tag = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        List<OneShotClient> all = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            all.add(new OneShotClient("c" + tag + "-" + i, credentials.apply(i)));
        }
        try (IoLoop loop = new IoLoop()) {
            Connector connector = new Connector(loop, endpoint, version, 512, 1024, concurrency);
            double cpu0 = probe.cpuSeconds();
            long start = System.nanoTime();
            connector.openAll(all, MqttClient::everConnected, start + timeoutNanos);
            long end = System.nanoTime();
            double cpu = probe.cpuSeconds() - cpu0;
            Histogram latency = new Histogram();
            int ok = 0;
            String firstFailure = null;
            for (OneShotClient c : all) {
                if (c.everConnected()) {
                    ok++;
                    latency.record(c.connectNanos());
                } else if (firstFailure == null) {
                    firstFailure = c.failure() != null ? c.failure() : "no CONNACK in time";
                }
            }
            double seconds = (end - start) / 1e9;
            return new ConnectRateResult(clients, ok, clients - ok, seconds, ok / seconds, cpu,
                    cpu > 0 ? ok / cpu : Double.NaN, latency.percentiles(), firstFailure);
        }
    }
}

package dev.gatehouse.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Opens N idle MQTT connections, spread over loopback source addresses, and reads the broker's
 * resident set and heap after GC before and after. The clients use a long keep-alive so nothing
 * travels while memory is read.
 */
public final class IdleConnectionsRun {
    private final Endpoint endpoint;
    private final BrokerProbe probe;

    public IdleConnectionsRun(Endpoint endpoint, BrokerProbe probe) {
        this.endpoint = endpoint;
        this.probe = probe;
    }

    public IdleResult run(int connections, int version, long timeoutNanos) throws IOException {
        String tag = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        OptionalLong heapBefore = probe.heapAfterGc();
        long rssBefore = probe.rssBytes();
        List<IdleClient> clients = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            clients.add(new IdleClient("i" + tag + "-" + i, 900, Credentials.ANONYMOUS));
        }
        try (IoLoop loop = new IoLoop()) {
            Connector connector = new Connector(loop, endpoint, version, 256, 128, 200);
            long start = System.nanoTime();
            connector.openAll(clients, MqttClient::connected, start + timeoutNanos);
            double seconds = (System.nanoTime() - start) / 1e9;
            // Let the broker finish whatever it does after CONNACK (session bookkeeping, buffers).
            long settle = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() - settle < 0) {
                loop.poll(50_000_000);
            }
            int connected = 0;
            String firstFailure = null;
            for (IdleClient c : clients) {
                if (c.connected()) {
                    connected++;
                } else if (firstFailure == null) {
                    firstFailure = c.failure() != null ? c.failure() : c.closeReason() != null ? c.closeReason() : "no CONNACK in time";
                }
            }
            OptionalLong heapAfter = probe.heapAfterGc();
            long rssAfter = probe.rssBytes();
            clients.forEach(MqttClient::disconnect);
            return new IdleResult(connections, connected, rssBefore, rssAfter, heapBefore, heapAfter, seconds,
                    firstFailure);
        }
    }
}

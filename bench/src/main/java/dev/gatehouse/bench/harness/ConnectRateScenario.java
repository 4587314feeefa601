package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.ConnectRateResult;
import dev.gatehouse.bench.load.ConnectRateRun;
import dev.gatehouse.bench.load.Credentials;
import java.io.IOException;
import java.util.List;

/** Anonymous CONNECT/CONNACK/DISCONNECT cycles per second for N clients. */
public final class ConnectRateScenario implements Scenario {
    private final String name;
    private final int clients;
    private final int concurrency;

    public ConnectRateScenario(String name, int clients, int concurrency) {
        this.name = name;
        this.clients = clients;
        this.concurrency = concurrency;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Metric> run(ScenarioContext ctx) throws IOException {
        ConnectRateResult r = new ConnectRateRun(ctx.endpoint(), ctx.probe())
                .run(clients, concurrency, 4, i -> Credentials.ANONYMOUS, 120_000_000_000L);
        if (r.failed() > 0) {
            ctx.note().accept(name + ": " + r.failed() + " of " + r.attempted() + " failed, first: " + r.firstFailure());
        }
        return List.of(
                Metric.higher("connections/s", "conn/s", r.perSecond()),
                Metric.higher("connections per broker CPU-s", "conn/CPU-s", r.perCpuSecond()),
                Metric.lower("p99 CONNECT->CONNACK", "ms", r.connectLatency().p99() / 1e6),
                Metric.lower("failed", "conns", r.failed()));
    }
}

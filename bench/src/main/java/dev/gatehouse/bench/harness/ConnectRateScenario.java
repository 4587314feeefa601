package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.ConnectRateResult;
import dev.gatehouse.bench.load.ConnectRateRun;
import dev.gatehouse.bench.load.Credentials;
import java.io.IOException;
import java.util.List;

/**
 * Anonymous CONNECT/CONNACK/DISCONNECT cycles per second for N clients. The warm-up rep connects
 * {@code warmUpClients}: a JVM broker compiles its per-connection code only after some tens of thousands
 * of connections, and a 10 000-client warm-up would leave the first measured reps half interpreted.
 */
public final class ConnectRateScenario implements Scenario {
    private final String name;
    private final int clients;
    private final int concurrency;
    private final int warmUpClients;

    public ConnectRateScenario(String name, int clients, int concurrency, int warmUpClients) {
        this.name = name;
        this.clients = clients;
        this.concurrency = concurrency;
        this.warmUpClients = warmUpClients;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Metric> run(ScenarioContext ctx) throws IOException {
        return run(ctx, clients);
    }

    @Override
    public List<Metric> warmUpRun(ScenarioContext ctx) throws IOException {
        List<Metric> metrics = run(ctx, warmUpClients);
        // Kept in the report: how fast a broker takes its first connections is what a reconnect storm sees.
        ctx.note().accept(name + ": " + warmUpClients + " clients at " + Math.round(metrics.get(0).value()) + " conn/s");
        return metrics;
    }

    private List<Metric> run(ScenarioContext ctx, int clients) throws IOException {
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

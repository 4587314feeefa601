package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.ThroughputResult;
import dev.gatehouse.bench.load.ThroughputRun;
import dev.gatehouse.bench.load.ThroughputSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Publish/subscribe throughput (closed loop) or latency at a fixed offered rate (open loop). */
public final class ThroughputScenario implements Scenario {
    private final String name;
    private final ThroughputSpec spec;
    private final BrokerSetup setup;

    public ThroughputScenario(String name, ThroughputSpec spec) {
        this(name, spec, null);
    }

    /** With a non-null {@code setup}, every broker runs it (e.g. its durable state on) on a broker of its own. */
    public ThroughputScenario(String name, ThroughputSpec spec, BrokerSetup setup) {
        this.name = name;
        this.spec = spec;
        this.setup = setup;
    }

    @Override
    public BrokerSetup setup() {
        return setup;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Metric> run(ScenarioContext ctx) throws IOException {
        ThroughputResult r = new ThroughputRun(ctx.endpoint(), ctx.probe()).run(spec);
        if (r.failure() != null) {
            ctx.note().accept(name + ": " + r.failure());
        }
        if (r.sent() == 0) {
            return List.of(Metric.lower("lost", "msgs", r.lost()));
        }
        List<Metric> m = new ArrayList<>();
        boolean openLoop = spec.ratePerSecond() > 0;
        m.add(Metric.higher("msg/s", "msg/s", r.messagesPerSecond()));
        if (!openLoop) {
            m.add(Metric.higher("msg per broker CPU-s", "msg/CPU-s", r.messagesPerCpuSecond()));
        }
        m.add(Metric.lower("broker CPU-s", "s", r.brokerCpuSeconds()));
        m.add(Metric.lower("p50 latency", "ms", r.latency().p50() / 1e6));
        m.add(Metric.lower("p99 latency", "ms", r.latency().p99() / 1e6));
        if (openLoop) {
            m.add(Metric.lower("p99.9 latency", "ms", r.latency().p999() / 1e6));
        }
        m.add(Metric.lower("lost", "msgs", r.lost()));
        m.add(Metric.lower("duplicated", "msgs", r.duplicates()));
        if (r.unexpected() > 0) {
            ctx.note().accept(name + ": " + r.unexpected() + " unexpected packets (unknown packet id or sequence)");
        }
        return m;
    }
}

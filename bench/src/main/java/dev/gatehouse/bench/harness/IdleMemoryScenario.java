package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.load.IdleConnectionsRun;
import dev.gatehouse.bench.load.IdleResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resident memory and heap after GC per idle connection, on a freshly started broker. Measured once
 * per broker (it is deterministic enough and opening tens of thousands of connections is slow).
 */
public final class IdleMemoryScenario implements Scenario {
    private final String name;
    private final int connections;

    public IdleMemoryScenario(String name, int connections) {
        this.name = name;
        this.connections = connections;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean freshBroker() {
        return true;
    }

    @Override
    public int reps(int planReps) {
        return 1;
    }

    @Override
    public boolean warmUp() {
        return false;
    }

    @Override
    public List<Metric> run(ScenarioContext ctx) throws IOException {
        IdleResult r = new IdleConnectionsRun(ctx.endpoint(), ctx.probe()).run(connections, 4, 180_000_000_000L);
        if (r.connected() < r.requested()) {
            ctx.note().accept(name + ": " + r.connected() + " of " + r.requested() + " connected, first failure: "
                    + r.firstFailure());
        }
        List<Metric> m = new ArrayList<>();
        m.add(Metric.lower("RSS per connection", "B", r.rssPerConnection()));
        if (!Double.isNaN(r.heapPerConnection())) {
            m.add(Metric.lower("heap after GC per connection", "B", r.heapPerConnection()));
        }
        m.add(Metric.higher("connected", "conns", r.connected()));
        m.add(Metric.higher("connect rate while opening", "conn/s", r.connected() / r.connectSeconds()));
        return m;
    }
}

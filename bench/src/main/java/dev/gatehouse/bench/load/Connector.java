package dev.gatehouse.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Opens many clients with at most {@code concurrency} of them between TCP connect and "finished"
 * (a predicate: connected, subscribed, disconnected...), so that a listen backlog is never flooded and
 * the whole thing is bounded by a deadline.
 */
public final class Connector {
    private final IoLoop loop;
    private final Endpoint endpoint;
    private final int version;
    private final int inSize;
    private final int outSize;
    private final int concurrency;

    public Connector(IoLoop loop, Endpoint endpoint, int version, int inSize, int outSize, int concurrency) {
        this.loop = loop;
        this.endpoint = endpoint;
        this.version = version;
        this.inSize = inSize;
        this.outSize = outSize;
        this.concurrency = concurrency;
    }

    /**
     * Opens every client, returning when all are finished or closed, or at the deadline.
     *
     * @return how many clients finished (the others failed, closed or ran out of time)
     */
    public <C extends MqttClient> int openAll(List<C> clients, Predicate<C> finished, long deadlineNanos)
            throws IOException {
        List<C> inProgress = new ArrayList<>(concurrency);
        int next = 0;
        int done = 0;
        while (true) {
            Iterator<C> it = inProgress.iterator();
            while (it.hasNext()) {
                C c = it.next();
                boolean ok = finished.test(c);
                if (ok || c.closed()) {
                    it.remove();
                    if (ok) {
                        done++;
                    }
                }
            }
            while (inProgress.size() < concurrency && next < clients.size()) {
                C c = clients.get(next);
                long t = System.nanoTime();
                c.started(loop.open(endpoint.broker(), endpoint.sourceFor(next), inSize, outSize, version, c), t);
                next++;
                if (finished.test(c)) {
                    done++;
                } else if (!c.closed()) {
                    inProgress.add(c);
                }
            }
            if (next == clients.size() && inProgress.isEmpty()) {
                return done;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return done;
            }
            loop.poll(1_000_000);
        }
    }
}

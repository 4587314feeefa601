package dev.gatehouse.bench.jmh;

import dev.gatehouse.broker.topic.Subscription;
import dev.gatehouse.broker.topic.SubscriptionTree;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link SubscriptionTree#match}, the PUBLISH hot path, over 100 000 subscriptions shaped like a device
 * fleet: per-device literal filters, per-device '#', a share of '+' filters and a few global '#'.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TopicTreeBenchmark {
    @Param("100000")
    public int subscriptions;

    private SubscriptionTree tree;
    private String[] hitTopics;
    private String[] missTopics;
    private int next;

    @Setup
    public void setUp() {
        tree = new SubscriptionTree();
        Random random = new Random(1);
        int devices = subscriptions / 4;
        for (int d = 0; d < devices; d++) {
            String client = "client-" + d;
            tree.subscribe(Subscription.of(client, "site/" + (d % 100) + "/device/" + d + "/cmd", 1));
            tree.subscribe(Subscription.of(client, "site/" + (d % 100) + "/device/" + d + "/#", 0));
            tree.subscribe(Subscription.of(client, "site/+/device/" + d + "/status", 0));
            tree.subscribe(Subscription.of(client, "fleet/" + (d % 1000) + "/+/telemetry", 0));
        }
        for (int i = 0; tree.size() < subscriptions; i++) {
            tree.subscribe(Subscription.of("monitor-" + i, "#", 0));
        }
        hitTopics = new String[1024];
        missTopics = new String[1024];
        for (int i = 0; i < hitTopics.length; i++) {
            int d = random.nextInt(devices);
            hitTopics[i] = "site/" + (d % 100) + "/device/" + d + "/cmd";
            missTopics[i] = "other/" + d + "/nobody/listens";
        }
    }

    @Benchmark
    public void matchDeviceTopic(Blackhole bh) {
        tree.match(hitTopics[next++ & 1023], bh::consume);
    }

    @Benchmark
    public int countMatchesNoSubscriber() {
        int[] n = {0};
        Consumer<Subscription> count = s -> n[0]++;
        tree.match(missTopics[next++ & 1023], count);
        return n[0];
    }
}

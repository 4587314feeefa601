package dev.gatehouse.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.spi.acl.TopicFilters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubscriptionTreeTest {

    private static List<Subscription> matches(SubscriptionTree tree, String topic) {
        List<Subscription> out = new ArrayList<>();
        tree.match(topic, out::add);
        return out;
    }

    private static Set<String> matchedKeys(SubscriptionTree tree, String topic) {
        return matches(tree, topic).stream().map(s -> s.clientId() + " " + s.filter()).collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "[{index}] filter ''{0}'' topic ''{1}'' -> {2}")
    @CsvSource(delimiter = '|', value = {
            "a/b       | a/b       | true",
            "a/b       | a/c       | false",
            "a/b       | a/b/c     | false",
            "a/b/c     | a/b       | false",
            "a/b       | a/b/      | false",
            "a         | a         | true",
            "a         | A         | false",
            "+         | a         | true",
            "+         | /a        | false",
            "+         | a/b       | false",
            "a/+       | a/b       | true",
            "a/+       | a/        | true",
            "a/+       | a         | false",
            "a/+       | a/b/c     | false",
            "+/b       | /b        | true",
            "+/+       | /         | true",
            "+/+/+     | a//       | true",
            "a/+/b     | a//b      | true",
            "a/+/b     | a/x/y/b   | false",
            "a//b      | a//b      | true",
            "a//b      | a/b       | false",
            "/a        | /a        | true",
            "/a        | a         | false",
            "/#        | /a        | true",
            "/#        | a         | false",
            "a/#       | a         | true",
            "a/#       | a/        | true",
            "a/#       | a/b       | true",
            "a/#       | a/b/c     | true",
            "a/#       | ab        | false",
            "a/#       | b/a       | false",
            "a/+/#     | a/b       | true",
            "a/+/#     | a/b/c/d   | true",
            "a/+/#     | a         | false",
            "+/#       | a         | true",
            "#         | a         | true",
            "#         | a/b/c     | true",
            "#         | /         | true",
            "#         | $SYS/x    | false",
            "#         | $         | false",
            "+         | $SYS      | false",
            "+/x       | $a/x      | false",
            "+/#       | $a/x      | false",
            "$SYS/#    | $SYS/x    | true",
            "$SYS/#    | $SYS      | true",
            "$SYS/+    | $SYS/x    | true",
            "$SYS      | $SYS      | true",
            "+/$b      | a/$b      | true",
            "a/#       | a/$b      | true",
            "sensors/+/temp | sensors/r1/temp | true",
            "sensors/+/temp | sensors/r1/hum  | false",
    })
    void wildcardMatrix(String filter, String topic, boolean expected) {
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe(Subscription.of("c", filter, 1));
        // Decoys on neighbouring paths must not leak into the answer.
        tree.subscribe(Subscription.of("decoy", "zz/" + filter, 0));
        if (!filter.endsWith("#")) {
            tree.subscribe(Subscription.of("decoy", filter + "/zz", 0));
        }

        List<Subscription> found = matches(tree, topic).stream()
                .filter(s -> s.clientId().equals("c")).collect(Collectors.toList());

        assertThat(found).hasSize(expected ? 1 : 0);
        // The oracle the rest of the code base relies on agrees.
        assertThat(TopicFilters.matches(filter, topic)).isEqualTo(expected);
    }

    @Test
    void resubscribeReplacesPerClientAndFilter() {
        SubscriptionTree tree = new SubscriptionTree();
        Subscription first = Subscription.of("c1", "a/+", 0);
        Subscription second = new Subscription("c1", "a/+", 2, true, false, 1, 7, null);

        assertThat(tree.subscribe(first)).isNull();
        assertThat(tree.subscribe(second)).isEqualTo(first);
        assertThat(tree.size()).isEqualTo(1);
        assertThat(matches(tree, "a/b")).containsExactly(second);

        // Another client on the same filter, and the same client on another filter, are separate.
        Subscription other = Subscription.of("c2", "a/+", 1);
        Subscription sameClientOtherFilter = Subscription.of("c1", "a/#", 1);
        assertThat(tree.subscribe(other)).isNull();
        assertThat(tree.subscribe(sameClientOtherFilter)).isNull();
        assertThat(tree.size()).isEqualTo(3);
        assertThat(matches(tree, "a/b")).containsExactlyInAnyOrder(second, other, sameClientOtherFilter);
        assertThat(matches(tree, "a")).containsExactly(sameClientOtherFilter);
    }

    @Test
    void unsubscribeRemovesOnlyTheKeyGiven() {
        SubscriptionTree tree = new SubscriptionTree();
        Subscription plus = Subscription.of("c1", "a/+", 0);
        Subscription hash = Subscription.of("c1", "a/#", 0);
        Subscription otherClient = Subscription.of("c2", "a/+", 0);
        tree.subscribe(plus);
        tree.subscribe(hash);
        tree.subscribe(otherClient);

        assertThat(tree.unsubscribe("c3", "a/+")).isNull();
        assertThat(tree.unsubscribe("c1", "a/b")).isNull();
        assertThat(tree.unsubscribe("c1", "b/#")).isNull();
        assertThat(tree.unsubscribe("c1", "a/#/b")).isNull();
        assertThat(tree.size()).isEqualTo(3);

        assertThat(tree.unsubscribe("c1", "a/#")).isEqualTo(hash);
        assertThat(tree.unsubscribe("c1", "a/#")).isNull();
        assertThat(tree.size()).isEqualTo(2);
        assertThat(matches(tree, "a/b")).containsExactlyInAnyOrder(plus, otherClient);
        assertThat(matches(tree, "a")).isEmpty();
    }

    @Test
    void unsubscribePrunesEmptyNodes() {
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe(Subscription.of("c", "a/b/c", 0));
        tree.subscribe(Subscription.of("c", "a/b", 0));
        tree.subscribe(Subscription.of("c", "a/+/+/#", 0));
        tree.subscribe(Subscription.of("c", "#", 0));
        // a, a/b, a/b/c, a/+, a/+/+; "#" lives on the root and "/#" on its parent node.
        assertThat(tree.nodeCount()).isEqualTo(5);

        tree.unsubscribe("c", "a/b/c");
        assertThat(tree.nodeCount()).as("c pruned, b kept for a/b").isEqualTo(4);
        tree.unsubscribe("c", "a/+/+/#");
        assertThat(tree.nodeCount()).as("both + nodes pruned").isEqualTo(2);
        tree.unsubscribe("c", "a/b");
        assertThat(tree.nodeCount()).isZero();
        assertThat(tree.size()).isEqualTo(1);
        tree.unsubscribe("c", "#");

        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).isZero();
        assertThat(matches(tree, "a/b/c")).isEmpty();
        assertThat(matches(tree, "a/b")).isEmpty();
    }

    @Test
    void churnOfUniqueFiltersLeavesNothingBehind() {
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe(Subscription.of("keeper", "devices/+/status", 1));
        int baseline = tree.nodeCount();
        for (int i = 0; i < 20_000; i++) {
            String filter = "devices/d" + i + "/cmd/" + (i % 3 == 0 ? "#" : "+");
            tree.subscribe(Subscription.of("c" + i, filter, 0));
            assertThat(tree.unsubscribe("c" + i, filter)).isNotNull();
        }
        for (int i = 0; i < 2_000; i++) {
            tree.subscribe(Subscription.of("c" + i, "devices/d" + i + "/cmd", 0));
        }
        for (int i = 0; i < 2_000; i++) {
            tree.unsubscribe("c" + i, "devices/d" + i + "/cmd");
        }

        assertThat(tree.size()).isEqualTo(1);
        assertThat(tree.nodeCount()).isEqualTo(baseline);
        assertThat(matches(tree, "devices/d5/cmd")).isEmpty();
        assertThat(matches(tree, "devices/d5/status")).hasSize(1);
    }

    @Test
    void manySubscribersOnOneFilterGrowAndShrink() {
        SubscriptionTree tree = new SubscriptionTree();
        for (int i = 0; i < 5_000; i++) {
            tree.subscribe(Subscription.of("c" + i, "broadcast", 0));
        }
        assertThat(matches(tree, "broadcast")).hasSize(5_000);
        for (int i = 0; i < 5_000; i++) {
            if (i % 1000 != 0) {
                assertThat(tree.unsubscribe("c" + i, "broadcast")).isNotNull();
            }
        }
        assertThat(matchedKeys(tree, "broadcast"))
                .containsExactlyInAnyOrder("c0 broadcast", "c1000 broadcast", "c2000 broadcast",
                        "c3000 broadcast", "c4000 broadcast");
        // Replacing after heavy removal must find the surviving entry, not add a second one.
        tree.subscribe(Subscription.of("c3000", "broadcast", 2));
        assertThat(tree.size()).isEqualTo(5);
        assertThat(matches(tree, "broadcast")).filteredOn(s -> s.clientId().equals("c3000"))
                .singleElement().extracting(Subscription::qos).isEqualTo(2);
    }

    @Test
    void manyChildrenUnderOneLevel() {
        SubscriptionTree tree = new SubscriptionTree();
        for (int i = 0; i < 3_000; i++) {
            tree.subscribe(Subscription.of("c", "room/" + i, 0));
        }
        for (int i = 0; i < 3_000; i += 2) {
            tree.unsubscribe("c", "room/" + i);
        }
        for (int i = 0; i < 3_000; i++) {
            assertThat(matches(tree, "room/" + i)).as("room/%d", i).hasSize(i % 2);
        }
        assertThat(tree.nodeCount()).isEqualTo(1 + 1_500);
    }

    @Test
    void invalidFiltersAreRejected() {
        SubscriptionTree tree = new SubscriptionTree();
        for (String bad : List.of("", "a/#/b", "a#", "a/b+", "+a", "a\u0000b")) {
            assertThatThrownBy(() -> tree.subscribe(Subscription.of("c", bad, 0)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThat(tree.unsubscribe("c", bad)).isNull();
        }
        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void randomizedCrossCheckAgainstTopicFilters() {
        Random random = new Random(20240607L);
        SubscriptionTree tree = new SubscriptionTree();
        Map<String, Subscription> expected = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            Subscription s = Subscription.of("c" + random.nextInt(8), randomFilter(random), random.nextInt(3));
            Subscription previous = tree.subscribe(s);
            assertThat(previous).isEqualTo(expected.put(key(s), s));
        }
        assertThat(tree.size()).isEqualTo(expected.size());
        checkAgainstOracle(tree, expected.values(), random, 3_000);

        List<Subscription> all = new ArrayList<>(expected.values());
        for (Subscription s : all) {
            if (random.nextBoolean()) {
                assertThat(tree.unsubscribe(s.clientId(), s.filter())).isEqualTo(s);
                expected.remove(key(s));
            }
        }
        assertThat(tree.size()).isEqualTo(expected.size());
        checkAgainstOracle(tree, expected.values(), random, 3_000);
        assertThat(tree.nodeCount()).isEqualTo(freshTree(expected.values()).nodeCount());

        for (Subscription s : new ArrayList<>(expected.values())) {
            tree.unsubscribe(s.clientId(), s.filter());
        }
        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void deepFiltersDoNotOverflowTheStack() throws Exception {
        // "+/+/.../+" with a literal "a" hanging off every '+' node: a topic of n levels "a" branches
        // at every level, so a purely recursive walk would nest n deep.
        int n = 3_000;
        SubscriptionTree tree = new SubscriptionTree();
        StringBuilder prefix = new StringBuilder();
        for (int k = 0; k < n; k++) {
            tree.subscribe(Subscription.of("lit" + k, prefix + "a", 0));
            prefix.append("+/");
        }
        String allPlus = prefix.substring(0, prefix.length() - 1);
        String deepestLiteral = prefix.substring(0, prefix.length() - 2) + "a";
        tree.subscribe(Subscription.of("plus", allPlus, 0));
        String topic = String.join("/", Collections.nCopies(n, "a"));

        AtomicReference<Set<String>> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // A small stack makes the test mean something whatever the JVM's default is.
        Thread small = new Thread(null, () -> {
            try {
                result.set(matchedKeys(tree, topic));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();

        assertThat(failure.get()).isNull();
        assertThat(result.get()).containsExactlyInAnyOrder("plus " + allPlus,
                "lit" + (n - 1) + " " + deepestLiteral);
        assertThat(matchedKeys(tree, "a")).containsExactly("lit0 a");
    }

    @Test
    void concurrentWritersAndReadersKeepAConsistentTree() throws Exception {
        Random seedRandom = new Random(7L);
        List<String> filterPool = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            filterPool.add(randomFilter(seedRandom));
        }
        List<String> topicPool = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            topicPool.add(randomTopic(seedRandom));
        }

        SubscriptionTree tree = new SubscriptionTree();
        // Never touched while the test runs: every match must find all of these that apply.
        List<Subscription> stable = new ArrayList<>();
        for (int i = 0; i < filterPool.size(); i += 3) {
            Subscription s = Subscription.of("stable", filterPool.get(i), 1);
            tree.subscribe(s);
            stable.add(s);
        }

        int writers = 4;
        int readers = 3;
        int iterations = 20_000;
        CyclicBarrier start = new CyclicBarrier(writers + readers);
        ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        try {
            List<Future<Map<String, Subscription>>> writerResults = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                writerResults.add(pool.submit(() -> {
                    Random random = new Random(100 + id);
                    Map<String, Subscription> mine = new HashMap<>();
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        String client = "w" + id + "-" + random.nextInt(5);
                        String filter = filterPool.get(random.nextInt(filterPool.size()));
                        if (random.nextInt(3) > 0) {
                            Subscription s = Subscription.of(client, filter, random.nextInt(3));
                            Subscription previous = tree.subscribe(s);
                            // Only this thread touches its own clients, so the answers are exact.
                            assertThat(previous).isEqualTo(mine.put(key(s), s));
                        } else {
                            Subscription removed = tree.unsubscribe(client, filter);
                            assertThat(removed).isEqualTo(mine.remove(client + " " + filter));
                        }
                    }
                    return mine;
                }));
            }
            List<Future<Integer>> readerResults = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                int id = r;
                readerResults.add(pool.submit(() -> {
                    Random random = new Random(200 + id);
                    start.await();
                    int seen = 0;
                    for (int i = 0; i < iterations; i++) {
                        String topic = topicPool.get(random.nextInt(topicPool.size()));
                        List<Subscription> found = matches(tree, topic);
                        Set<String> keys = new HashSet<>();
                        for (Subscription s : found) {
                            assertThat(TopicFilters.matches(s.filter(), topic)).as("%s ~ %s", s.filter(), topic)
                                    .isTrue();
                            assertThat(keys.add(key(s))).as("duplicate %s", key(s)).isTrue();
                        }
                        for (Subscription s : stable) {
                            if (TopicFilters.matches(s.filter(), topic)) {
                                assertThat(found).as("stable %s on %s", s.filter(), topic).contains(s);
                            }
                        }
                        seen += found.size();
                    }
                    return seen;
                }));
            }

            Map<String, Subscription> finalState = new HashMap<>();
            for (Subscription s : stable) {
                finalState.put(key(s), s);
            }
            for (Future<Map<String, Subscription>> f : writerResults) {
                finalState.putAll(f.get(5, TimeUnit.MINUTES));
            }
            for (Future<Integer> f : readerResults) {
                assertThat(f.get(5, TimeUnit.MINUTES)).isPositive();
            }

            assertThat(tree.size()).isEqualTo(finalState.size());
            assertThat(tree.nodeCount()).isEqualTo(freshTree(finalState.values()).nodeCount());
            for (String topic : topicPool) {
                Set<String> expected = finalState.values().stream()
                        .filter(s -> TopicFilters.matches(s.filter(), topic))
                        .map(SubscriptionTreeTest::key).collect(Collectors.toSet());
                assertThat(matchedKeys(tree, topic)).as(topic).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static final String[] LEVELS = {"a", "b", "c", "", "$x", "$SYS"};

    private static String randomLevel(Random random) {
        return LEVELS[random.nextInt(LEVELS.length)];
    }

    private static String randomTopic(Random random) {
        int levels = 1 + random.nextInt(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(randomLevel(random));
        }
        // A lone empty level is not a valid name; empty levels elsewhere are the point.
        return sb.length() == 0 ? "/" : sb.toString();
    }

    private static String randomFilter(Random random) {
        int levels = 1 + random.nextInt(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int pick = random.nextInt(10);
            if (pick < 3) {
                sb.append('+');
            } else if (pick == 3 && i == levels - 1) {
                sb.append('#');
            } else {
                sb.append(randomLevel(random));
            }
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    private static String key(Subscription s) {
        return s.clientId() + " " + s.filter();
    }

    private static SubscriptionTree freshTree(Iterable<Subscription> subscriptions) {
        SubscriptionTree tree = new SubscriptionTree();
        subscriptions.forEach(tree::subscribe);
        return tree;
    }

    private static void checkAgainstOracle(SubscriptionTree tree, Iterable<Subscription> expected, Random random,
                                           int topics) {
        for (int i = 0; i < topics; i++) {
            String topic = randomTopic(random);
            List<String> want = new ArrayList<>();
            for (Subscription s : expected) {
                if (TopicFilters.matches(TopicFilters.split(s.filter()), topic)) {
                    want.add(key(s));
                }
            }
            List<String> got = matches(tree, topic).stream().map(SubscriptionTreeTest::key).sorted()
                    .collect(Collectors.toList());
            Collections.sort(want);
            // As lists, so a subscription delivered twice would show up.
            if (!got.equals(want)) {
                assertThat(got).as(topic).containsExactlyInAnyOrderElementsOf(want);
            }
        }
    }
}

package dev.gatehouse.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.spi.acl.TopicFilters;
import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.message.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetainedMessagesTest {

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private volatile long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        void advance(long delta) {
            millis += delta;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final MutableClock clock = new MutableClock(1_000_000L);

    private static Message msg(String topic, String payload) {
        return Message.of(topic, payload.getBytes(StandardCharsets.UTF_8), 1, true);
    }

    private static Message expiring(String topic, String payload, long expiresAt) {
        return new Message(topic, payload.getBytes(StandardCharsets.UTF_8), 1, true, MessageProperties.NONE,
                expiresAt, "pub");
    }

    private static Message clearing(String topic) {
        return Message.of(topic, new byte[0], 0, true);
    }

    private static Set<String> topics(RetainedMessages store, String filter) {
        List<String> out = new ArrayList<>();
        store.match(filter, m -> out.add(m.topic()));
        Set<String> set = new HashSet<>(out);
        assertThat(set).as("each topic once for %s", filter).hasSameSizeAs(out);
        return set;
    }

    @Test
    void setReplaceAndClear() {
        RetainedMessages store = new RetainedMessages(100, clock);
        Message first = msg("a/b", "1");
        Message second = msg("a/b", "2");

        assertThat(store.get("a/b")).isEmpty();
        assertThat(store.put(first)).isTrue();
        assertThat(store.get("a/b")).containsSame(first);
        assertThat(store.put(second)).isTrue();
        assertThat(store.get("a/b")).containsSame(second);
        assertThat(store.size()).isEqualTo(1);

        List<Message> matched = new ArrayList<>();
        store.match("a/b", matched::add);
        assertThat(matched).containsExactly(second);

        assertThat(store.put(clearing("a/b"))).isTrue();
        assertThat(store.get("a/b")).isEmpty();
        assertThat(store.size()).isZero();
        assertThat(store.nodeCount()).as("emptied path pruned").isZero();
        assertThat(topics(store, "#")).isEmpty();

        // Clearing what is not there is a harmless no-op.
        assertThat(store.put(clearing("x/y"))).isTrue();
        assertThat(store.size()).isZero();
        assertThat(store.nodeCount()).isZero();
    }

    @Test
    void clearingKeepsNodesOthersStillNeed() {
        RetainedMessages store = new RetainedMessages(100, clock);
        store.put(msg("a", "p"));
        store.put(msg("a/b/c", "p"));
        store.put(msg("a/b/d", "p"));
        assertThat(store.nodeCount()).isEqualTo(4);

        store.put(clearing("a/b/c"));
        assertThat(store.nodeCount()).isEqualTo(3);
        store.put(clearing("a/b/d"));
        assertThat(store.nodeCount()).as("b pruned once it holds nothing").isEqualTo(1);
        assertThat(store.get("a")).isPresent();
        store.put(clearing("a"));
        assertThat(store.nodeCount()).isZero();
    }

    @Test
    void filterMatching() {
        RetainedMessages store = new RetainedMessages(100, clock);
        for (String t : List.of("a", "a/b", "a/b/c", "a//c", "a/", "b", "/x", "$SYS/x", "$SYS/y/z", "$SYS",
                "c/$x")) {
            assertThat(store.put(msg(t, t))).isTrue();
        }

        assertThat(topics(store, "#")).containsExactlyInAnyOrder("a", "a/b", "a/b/c", "a//c", "a/", "b", "/x",
                "c/$x");
        assertThat(topics(store, "a/#")).containsExactlyInAnyOrder("a", "a/b", "a/b/c", "a//c", "a/");
        assertThat(topics(store, "a/+")).containsExactlyInAnyOrder("a/b", "a/");
        assertThat(topics(store, "a/+/c")).containsExactlyInAnyOrder("a/b/c", "a//c");
        assertThat(topics(store, "a//c")).containsExactly("a//c");
        assertThat(topics(store, "+")).containsExactlyInAnyOrder("a", "b");
        assertThat(topics(store, "+/x")).containsExactly("/x");
        assertThat(topics(store, "+/#")).doesNotContain("$SYS/x", "$SYS/y/z", "$SYS").contains("/x", "c/$x");
        assertThat(topics(store, "$SYS/#")).containsExactlyInAnyOrder("$SYS", "$SYS/x", "$SYS/y/z");
        assertThat(topics(store, "$SYS/+")).containsExactly("$SYS/x");
        assertThat(topics(store, "+/+/+")).containsExactlyInAnyOrder("a/b/c", "a//c");
        assertThat(topics(store, "c/+")).containsExactly("c/$x");
        assertThat(topics(store, "nothing/#")).isEmpty();
        assertThat(topics(store, "a/b/c/d")).isEmpty();
    }

    @Test
    void randomizedCrossCheckAgainstTopicFilters() {
        Random random = new Random(99L);
        String[] levels = {"a", "b", "", "$s"};
        RetainedMessages store = new RetainedMessages(10_000, clock);
        Set<String> stored = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            String topic = randomPath(random, levels, false);
            if (random.nextInt(5) == 0) {
                store.put(clearing(topic));
                stored.remove(topic);
            } else {
                store.put(msg(topic, "p"));
                stored.add(topic);
            }
        }
        assertThat(store.size()).isEqualTo(stored.size());
        for (int i = 0; i < 2_000; i++) {
            String filter = randomPath(random, levels, true);
            Set<String> want = stored.stream().filter(t -> TopicFilters.matches(filter, t))
                    .collect(Collectors.toSet());
            assertThat(topics(store, filter)).as(filter).isEqualTo(want);
        }
    }

    @Test
    void expiredMessagesAreNotDeliveredAndRemovedLazily() {
        RetainedMessages store = new RetainedMessages(100, clock);
        long now = clock.millis();
        Message soon = expiring("s/soon", "x", now + 1_000);
        Message later = expiring("s/later", "x", now + 5_000);
        Message never = msg("s/never", "x");
        store.put(soon);
        store.put(later);
        store.put(never);

        assertThat(topics(store, "s/+")).containsExactlyInAnyOrder("s/soon", "s/later", "s/never");

        clock.advance(999);
        assertThat(store.get("s/soon")).containsSame(soon);
        clock.advance(1);
        assertThat(store.size()).as("not removed until someone looks").isEqualTo(3);
        assertThat(topics(store, "s/#")).containsExactlyInAnyOrder("s/later", "s/never");
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.get("s/soon")).isEmpty();

        clock.advance(4_000);
        assertThat(store.get("s/later")).isEmpty();
        assertThat(store.size()).as("get removes too").isEqualTo(1);
        assertThat(store.nodeCount()).isEqualTo(2);
    }

    @Test
    void putOfAnAlreadyExpiredMessageClearsTheTopic() {
        RetainedMessages store = new RetainedMessages(100, clock);
        store.put(msg("t", "old"));
        assertThat(store.put(expiring("t", "new", clock.millis()))).isTrue();
        assertThat(store.get("t")).isEmpty();
        assertThat(store.size()).isZero();
        assertThat(store.nodeCount()).isZero();
    }

    @Test
    void boundRefusesNewTopicsOnly() {
        RetainedMessages store = new RetainedMessages(2, clock);
        assertThat(store.put(msg("a", "1"))).isTrue();
        assertThat(store.put(msg("b", "1"))).isTrue();
        assertThat(store.put(msg("c", "1"))).isFalse();
        assertThat(store.refusedCount()).isEqualTo(1);
        assertThat(store.get("c")).isEmpty();
        assertThat(store.nodeCount()).as("a refused put leaves no node").isEqualTo(2);

        assertThat(store.put(msg("a", "2"))).as("replacing is not growth").isTrue();
        assertThat(store.get("a").orElseThrow().payload()).isEqualTo("2".getBytes(StandardCharsets.UTF_8));
        assertThat(store.put(clearing("c"))).isTrue();
        assertThat(store.refusedCount()).isEqualTo(1);

        assertThat(store.put(clearing("b"))).isTrue();
        assertThat(store.put(msg("c", "1"))).isTrue();
        assertThat(store.put(msg("d", "1"))).isFalse();
        assertThat(store.put(msg("a/deeper", "1"))).isFalse();
        assertThat(store.refusedCount()).isEqualTo(3);
        assertThat(store.size()).isEqualTo(2);
        assertThat(topics(store, "#")).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void zeroBoundRetainsNothing() {
        RetainedMessages store = new RetainedMessages(0, clock);
        assertThat(store.put(msg("a", "1"))).isFalse();
        assertThat(store.refusedCount()).isEqualTo(1);
        assertThat(store.size()).isZero();
        assertThatThrownBy(() -> new RetainedMessages(-1, clock)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fullStoreSweepsExpiredMessagesAtMostOncePerInterval() {
        RetainedMessages store = new RetainedMessages(1, clock);
        long start = clock.millis();
        store.put(expiring("old", "x", start + 100));

        assertThat(store.put(msg("new", "x"))).as("nothing expired yet").isFalse();
        clock.advance(200); // "old" has expired, but the sweep just ran
        assertThat(store.put(msg("new", "x"))).isFalse();
        assertThat(store.refusedCount()).isEqualTo(2);

        clock.advance(RetainedMessages.SWEEP_INTERVAL_MILLIS);
        assertThat(store.put(msg("new", "x"))).isTrue();
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.get("old")).isEmpty();
        assertThat(store.get("new")).isPresent();
        assertThat(store.nodeCount()).isEqualTo(1);
    }

    @Test
    void sweepThatPrunesTheNewTopicsPathStillStoresIt() {
        RetainedMessages store = new RetainedMessages(1, clock);
        store.put(expiring("a/b/old", "x", clock.millis() + 10));
        clock.advance(10);
        // "a/b" exists only for the expired message; the sweep prunes it before the put creates it again.
        assertThat(store.put(msg("a/b", "x"))).isTrue();
        assertThat(store.get("a/b")).isPresent();
        assertThat(topics(store, "a/#")).containsExactly("a/b");
        assertThat(store.nodeCount()).isEqualTo(2);
    }

    @Test
    void invalidInputIsRejected() {
        RetainedMessages store = new RetainedMessages(10, clock);
        assertThatThrownBy(() -> store.put(msg("a/+", "x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.put(msg("", "x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.match("a/#/b", m -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.size()).isZero();
    }

    @Test
    void deepTopicsDoNotOverflowTheStack() {
        RetainedMessages store = new RetainedMessages(10, clock);
        String deep = String.join("/", Collections.nCopies(20_000, "l"));
        store.put(msg(deep, "x"));
        assertThat(topics(store, "#")).containsExactly(deep);
        assertThat(topics(store, deep)).containsExactly(deep);
        String plusFilter = String.join("/", Collections.nCopies(20_000, "+"));
        assertThat(topics(store, plusFilter)).containsExactly(deep);
        store.put(clearing(deep));
        assertThat(store.nodeCount()).isZero();
    }

    @Test
    void concurrentPutsClearsAndMatches() throws Exception {
        int writers = 4;
        int readers = 3;
        int iterations = 10_000;
        RetainedMessages store = new RetainedMessages(1_000_000, clock);
        for (int i = 0; i < 20; i++) {
            store.put(msg("stable/" + i, "s"));
        }
        CyclicBarrier start = new CyclicBarrier(writers + readers);
        ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        try {
            List<Future<Map<String, Message>>> writerResults = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                writerResults.add(pool.submit(() -> {
                    Random random = new Random(300 + id);
                    Map<String, Message> mine = new HashMap<>();
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        String topic = "w" + id + "/" + random.nextInt(8) + "/" + random.nextInt(8);
                        if (random.nextInt(3) == 0) {
                            assertThat(store.put(clearing(topic))).isTrue();
                            mine.remove(topic);
                        } else {
                            Message m = msg(topic, "v" + i);
                            assertThat(store.put(m)).isTrue();
                            mine.put(topic, m);
                        }
                    }
                    return mine;
                }));
            }
            List<Future<?>> readerResults = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                int id = r;
                readerResults.add(pool.submit(() -> {
                    Random random = new Random(400 + id);
                    String[] filters = {"#", "w" + random.nextInt(writers) + "/#", "+/+/3", "stable/+", "w1/2/+"};
                    start.await();
                    for (int i = 0; i < iterations / 10; i++) {
                        String filter = filters[random.nextInt(filters.length)];
                        List<Message> found = new ArrayList<>();
                        store.match(filter, found::add);
                        for (Message m : found) {
                            assertThat(TopicFilters.matches(filter, m.topic())).isTrue();
                        }
                        if (filter.equals("#") || filter.equals("stable/+")) {
                            assertThat(found.stream().filter(m -> m.topic().startsWith("stable/")))
                                    .as("stable topics never missed").hasSize(20);
                        }
                    }
                    return null;
                }));
            }
            Map<String, Message> expected = new HashMap<>();
            for (Future<Map<String, Message>> f : writerResults) {
                expected.putAll(f.get(5, TimeUnit.MINUTES));
            }
            for (Future<?> f : readerResults) {
                f.get(5, TimeUnit.MINUTES);
            }

            assertThat(store.size()).isEqualTo(expected.size() + 20);
            for (Map.Entry<String, Message> e : expected.entrySet()) {
                assertThat(store.get(e.getKey())).containsSame(e.getValue());
            }
            assertThat(topics(store, "w0/#")).isEqualTo(expected.keySet().stream()
                    .filter(t -> t.startsWith("w0/")).collect(Collectors.toSet()));
        } finally {
            pool.shutdownNow();
        }
    }

    private static String randomPath(Random random, String[] levels, boolean wildcards) {
        int n = 1 + random.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int pick = random.nextInt(10);
            if (wildcards && pick < 3) {
                sb.append('+');
            } else if (wildcards && pick == 3 && i == n - 1) {
                sb.append('#');
            } else {
                sb.append(levels[random.nextInt(levels.length)]);
            }
        }
        // A lone empty level is neither a valid name nor filter; empty levels elsewhere are the point.
        return sb.length() == 0 ? "/" : sb.toString();
    }
}

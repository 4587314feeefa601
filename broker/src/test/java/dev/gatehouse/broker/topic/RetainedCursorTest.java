package dev.gatehouse.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.broker.message.Message;
import dev.gatehouse.broker.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link RetainedMessages#cursor} reads lazily what {@link RetainedMessages#match} delivers eagerly:
 * the same set for every filter, with expired messages left out.
 */
class RetainedCursorTest {
    private static final String[] LEVELS = {"a", "b", "c", "$sys", ""};

    @Test
    void aCursorYieldsExactlyWhatMatchDeliversForRandomTopicsAndFilters() {
        Random random = new Random(12345);
        RetainedMessages store = new RetainedMessages(10_000, new ManualClock());
        for (int i = 0; i < 2_000; i++) {
            String topic = randomTopic(random);
            if (!topic.isEmpty()) { // the one invalid topic name the generator can make
                store.put(Message.of(topic, "x".getBytes(StandardCharsets.UTF_8), 0, true));
            }
        }
        for (int i = 0; i < 500; i++) {
            String filter = randomFilter(random);
            if (filter.isEmpty()) {
                continue;
            }
            Set<String> eager = new HashSet<>();
            store.match(filter, m -> eager.add(m.topic()));
            List<String> lazy = new ArrayList<>();
            store.cursor(filter).forEachRemaining(m -> lazy.add(m.topic()));
            assertThat(lazy).as(filter).doesNotHaveDuplicates();
            assertThat(new HashSet<>(lazy)).as(filter).isEqualTo(eager);
        }
    }

    @Test
    void wildcardsFollowTheDollarRuleAndHashMatchesItsParent() {
        RetainedMessages store = new RetainedMessages(100, new ManualClock());
        for (String t : List.of("a", "a/b", "a/b/c", "$SYS/x", "b")) {
            store.put(Message.of(t, new byte[] {1}, 0, true));
        }
        assertThat(topics(store.cursor("#"))).containsExactlyInAnyOrder("a", "a/b", "a/b/c", "b");
        assertThat(topics(store.cursor("a/#"))).containsExactlyInAnyOrder("a", "a/b", "a/b/c");
        assertThat(topics(store.cursor("+/b"))).containsExactlyInAnyOrder("a/b");
        assertThat(topics(store.cursor("$SYS/#"))).containsExactlyInAnyOrder("$SYS/x");
        assertThat(topics(store.cursor("+"))).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void expiredMessagesAreLeftOut() {
        ManualClock clock = new ManualClock();
        RetainedMessages store = new RetainedMessages(100, clock);
        store.put(new Message("short", new byte[] {1}, 0, true, dev.gatehouse.broker.message.MessageProperties.NONE,
                clock.millis() + 1_000, ""));
        store.put(Message.of("long", new byte[] {1}, 0, true));
        clock.advance(Duration.ofSeconds(2));
        assertThat(topics(store.cursor("#"))).containsExactly("long");
    }

    private static List<String> topics(Iterator<Message> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(m -> out.add(m.topic()));
        return out;
    }

    private static String randomTopic(Random r) {
        int depth = 1 + r.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                sb.append('/');
            }
            String level = LEVELS[r.nextInt(LEVELS.length)];
            sb.append(i > 0 && level.startsWith("$") ? "d" : level);
        }
        return sb.toString();
    }

    private static String randomFilter(Random r) {
        int depth = 1 + r.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int pick = r.nextInt(LEVELS.length + 2);
            if (pick == LEVELS.length) {
                sb.append('+');
            } else if (pick == LEVELS.length + 1) {
                sb.append('#');
                break;
            } else {
                sb.append(LEVELS[pick]);
            }
        }
        return sb.toString();
    }
}

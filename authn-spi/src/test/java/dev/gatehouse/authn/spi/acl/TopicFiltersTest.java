package dev.gatehouse.authn.spi.acl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TopicFiltersTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "a/b/c      | a/b/c      | true",
            "a/b/c      | a/b        | false",
            "a/+/c      | a/b/c      | true",
            "a/+/c      | a//c       | true",
            "a/+        | a/b/c      | false",
            "a/#        | a          | true",
            "a/#        | a/b/c      | true",
            "a/#        | ab         | false",
            "#          | a/b        | true",
            "#          | /a         | true",
            "+/+        | /finance   | true",
            "/+         | /finance   | true",
            "+          | /finance   | false",
            "#          | $SYS/x     | false",
            "+/x        | $SYS/x     | false",
            "$SYS/#     | $SYS/x     | true",
            "$SYS/+     | $SYS/x     | true",
            "a/+/+      | a/b/       | true",
            "sport/tennis/+ | sport/tennis/player1 | true",
            "sport/tennis/+ | sport/tennis/player1/ranking | false",
    })
    void matchesTopicNames(String filter, String topic, boolean expected) {
        assertThat(TopicFilters.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "a/#    | a/+/c  | true",
            "a/#    | a/#    | true",
            "a/#    | a      | true",
            "a/+    | a/#    | false",
            "a/+    | a/b    | true",
            "a/+    | a/+    | true",
            "a/b    | a/+    | false",
            "#      | +/x    | true",
            "#      | $SYS/# | false",
            "+/#    | $SYS/x | false",
            "$SYS/# | $SYS/a/+ | true",
            "a/+/#  | a/#    | false",
            "a/+/c  | a/b/c/d | false",
            "+/+    | a/b    | true",
            "+      | a/b    | false",
    })
    void coversFilters(String outer, String inner, boolean expected) {
        assertThat(TopicFilters.covers(outer, inner)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} overlaps {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "a/#    | a      | true",
            "a/+    | +/b    | true",
            "a/b    | a/c    | false",
            "a/+/c  | a/b    | false",
            "#      | $SYS/x | false",
            "$SYS/# | $SYS/x | true",
            "a/#    | b/#    | false",
            "+/secret | a/#  | true",
    })
    void overlapsFilters(String a, String b, boolean expected) {
        assertThat(TopicFilters.overlaps(a, b)).isEqualTo(expected);
        assertThat(TopicFilters.overlaps(b, a)).isEqualTo(expected);
    }

    @Test
    void validatesNamesAndFilters() {
        assertThat(TopicFilters.isValidTopicName("a/b")).isTrue();
        assertThat(TopicFilters.isValidTopicName("/")).isTrue();
        assertThat(TopicFilters.isValidTopicName("")).isFalse();
        assertThat(TopicFilters.isValidTopicName("a/+")).isFalse();
        assertThat(TopicFilters.isValidTopicName("a/#")).isFalse();
        assertThat(TopicFilters.isValidTopicName("a\0b")).isFalse();
        assertThat(TopicFilters.isValidTopicName("x".repeat(65_536))).isFalse();

        assertThat(TopicFilters.isValidFilter("a/+/#")).isTrue();
        assertThat(TopicFilters.isValidFilter("+")).isTrue();
        assertThat(TopicFilters.isValidFilter("#")).isTrue();
        assertThat(TopicFilters.isValidFilter("a/#/b")).isFalse();
        assertThat(TopicFilters.isValidFilter("a+")).isFalse();
        assertThat(TopicFilters.isValidFilter("a/b#")).isFalse();
        assertThat(TopicFilters.isValidFilter("")).isFalse();
    }

    /** covers(o, i) must mean: every topic i matches, o matches too. Checked against generated topics. */
    @Test
    void coversAgreesWithMatchingOnGeneratedTopics() {
        Random random = new Random(42);
        String[] levels = {"a", "b", "$s", "", "+", "#"};
        List<String> topics = new ArrayList<>();
        String[] names = {"a", "b", "$s", ""};
        for (int len = 1; len <= 3; len++) {
            enumerate(names, len, "", topics);
        }
        for (int n = 0; n < 3_000; n++) {
            String outer = randomFilter(random, levels);
            String inner = randomFilter(random, levels);
            if (!TopicFilters.isValidFilter(outer) || !TopicFilters.isValidFilter(inner)) {
                continue;
            }
            boolean covers = TopicFilters.covers(outer, inner);
            boolean overlaps = TopicFilters.overlaps(outer, inner);
            boolean sawInnerMatch = false;
            boolean sawBoth = false;
            boolean counterExample = false;
            for (String t : topics) {
                if (!TopicFilters.isValidTopicName(t)) {
                    continue;
                }
                boolean im = TopicFilters.matches(inner, t);
                boolean om = TopicFilters.matches(outer, t);
                sawInnerMatch |= im;
                sawBoth |= im && om;
                counterExample |= im && !om;
            }
            if (covers) {
                assertThat(counterExample).as("%s covers %s", outer, inner).isFalse();
            }
            if (sawBoth) {
                assertThat(overlaps).as("%s overlaps %s", outer, inner).isTrue();
            }
            if (!covers && sawInnerMatch && !TopicFilters.hasWildcard(inner)) {
                assertThat(counterExample).as("%s does not cover literal %s", outer, inner).isTrue();
            }
        }
    }

    private static void enumerate(String[] names, int len, String prefix, List<String> out) {
        for (String n : names) {
            String t = prefix + n;
            if (len == 1) {
                out.add(t);
            } else {
                enumerate(names, len - 1, t + "/", out);
            }
        }
    }

    private static String randomFilter(Random random, String[] levels) {
        int n = 1 + random.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(levels[random.nextInt(levels.length)]);
        }
        return sb.toString();
    }
}

package dev.gatehouse.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {
    @Test
    void files_by_scheduled_time_and_counts_receipts_by_arrival() {
        Timeline t = new Timeline(1_000, 100, 3);
        t.sent(1_000);
        t.sent(1_150);
        t.received(1_000, 220, 1_220);
        t.received(1_150, 10, 1_160);
        List<Timeline.Interval> v = t.intervals();
        assertThat(v.get(0).sent()).isEqualTo(1);
        assertThat(v.get(0).delivered()).isEqualTo(1);
        assertThat(v.get(0).maxNanos()).isEqualTo(220);
        assertThat(v.get(0).receivedIn()).isZero();
        assertThat(v.get(1).receivedIn()).isEqualTo(1);
        assertThat(v.get(2).receivedIn()).isEqualTo(1);
    }

    @Test
    void values_outside_the_span_go_to_the_first_or_last_interval() {
        Timeline t = new Timeline(1_000, 100, 2);
        t.sent(0);
        t.sent(99_999);
        assertThat(t.intervals().get(0).sent()).isEqualTo(1);
        assertThat(t.intervals().get(1).sent()).isEqualTo(1);
        assertThat(t.format(1)).contains("t(ms)").hasLineCount(2);
    }
}

package dev.gatehouse.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramTest {
    @Test
    void small_values_are_exact() {
        Histogram h = new Histogram();
        for (int i = 1; i <= 100; i++) {
            h.record(i);
        }
        assertThat(h.percentile(50)).isEqualTo(50);
        assertThat(h.percentile(99)).isEqualTo(99);
        assertThat(h.percentile(100)).isEqualTo(100);
        assertThat(h.count()).isEqualTo(100);
    }

    @Test
    void percentiles_of_a_wide_distribution_are_within_one_percent_of_sorted_samples() {
        Random random = new Random(42);
        long[] samples = new long[100_000];
        Histogram h = new Histogram();
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (long) Math.exp(random.nextDouble() * 20);
            h.record(samples[i]);
        }
        Arrays.sort(samples);
        for (double p : new double[] {50, 90, 99, 99.9}) {
            long exact = samples[(int) Math.ceil(p / 100 * samples.length) - 1];
            assertThat((double) h.percentile(p)).as("p" + p).isCloseTo(exact, within(exact * 0.01 + 1));
        }
        assertThat(h.max()).isEqualTo(samples[samples.length - 1]);
    }

    @Test
    void bucket_bounds_are_contiguous() {
        for (int i = 1; i < 5_000; i++) {
            assertThat(Histogram.indexOf(Histogram.highestValueOf(i - 1) + 1)).isEqualTo(i);
        }
    }

    @Test
    void merged_histograms_and_empty_ones() {
        Histogram a = new Histogram();
        Histogram b = new Histogram();
        a.record(10);
        b.record(1_000_000);
        a.add(b);
        assertThat(a.count()).isEqualTo(2);
        assertThat(a.percentile(100)).isEqualTo(1_000_000);
        assertThat(new Histogram().percentiles()).isEqualTo(new Percentiles(0, 0, 0, 0, 0));
    }

    @Test
    void spread_takes_median_and_range() {
        Spread s = Spread.of(List.of(5.0, 1.0, 3.0, 9.0));
        assertThat(s.median()).isEqualTo(4.0);
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.max()).isEqualTo(9.0);
        assertThat(Spread.of(List.of(2.0, 7.0, 4.0)).median()).isEqualTo(4.0);
    }
}

package dev.gatehouse.bench.harness;

/** One number a scenario measured; {@code higherIsBetter} decides how a ratio reads. */
public record Metric(String name, String unit, double value, boolean higherIsBetter) {
    public static Metric higher(String name, String unit, double value) {
        return new Metric(name, unit, value, true);
    }

    public static Metric lower(String name, String unit, double value) {
        return new Metric(name, unit, value, false);
    }
}

package dev.gatehouse.bench.harness;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every measured value by scenario, metric and broker, plus what was skipped and remarks. */
public final class ResultTable {
    /** One metric's values per broker, in rep order. */
    public static final class Row {
        private final String unit;
        private final boolean higherIsBetter;
        private final Map<BrokerKind, List<Double>> values = new EnumMap<>(BrokerKind.class);

        Row(String unit, boolean higherIsBetter) {
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
        }

        public String unit() {
            return unit;
        }

        public boolean higherIsBetter() {
            return higherIsBetter;
        }

        public List<Double> values(BrokerKind kind) {
            return values.getOrDefault(kind, List.of());
        }
    }

    /** A measured value as it goes into the CSV. */
    public record Sample(BrokerKind broker, String scenario, String metric, String unit, int rep, double value) {
    }

    private final Map<String, Map<String, Row>> rows = new LinkedHashMap<>();
    private final Map<String, Map<BrokerKind, String>> skipped = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();

    public void declare(String scenario) {
        rows.computeIfAbsent(scenario, k -> new LinkedHashMap<>());
    }

    public void add(BrokerKind broker, String scenario, int rep, Metric m) {
        Row row = rows.computeIfAbsent(scenario, k -> new LinkedHashMap<>())
                .computeIfAbsent(m.name(), k -> new Row(m.unit(), m.higherIsBetter()));
        row.values.computeIfAbsent(broker, k -> new ArrayList<>()).add(m.value());
        samples.add(new Sample(broker, scenario, m.name(), m.unit(), rep, m.value()));
    }

    public void skip(BrokerKind broker, String scenario, String why) {
        rows.computeIfAbsent(scenario, k -> new LinkedHashMap<>());
        skipped.computeIfAbsent(scenario, k -> new EnumMap<>(BrokerKind.class)).put(broker, why);
    }

    public void note(String line) {
        notes.add(line);
    }

    public Map<String, Map<String, Row>> rows() {
        return rows;
    }

    public Map<String, Map<BrokerKind, String>> skipped() {
        return skipped;
    }

    public List<String> notes() {
        return notes;
    }

    public List<Sample> samples() {
        return samples;
    }
}

package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.stats.Spread;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the results as a Markdown table (median [min–max], and ratios to Mosquitto) and a CSV of every rep. */
public final class ReportWriter {
    private final List<BrokerKind> brokers;

    public ReportWriter(List<BrokerKind> brokers) {
        this.brokers = brokers;
    }

    public void write(ResultTable table, Plan plan, List<String> machine, Path md, Path csv) throws IOException {
        Files.writeString(md, markdown(table, plan, machine), StandardCharsets.UTF_8);
        Files.writeString(csv, csv(table, plan), StandardCharsets.UTF_8);
    }

    public String markdown(ResultTable table, Plan plan, List<String> machine) {
        StringBuilder b = new StringBuilder();
        b.append("## Results (").append(plan.mode()).append(" mode)\n\n");
        for (String line : machine) {
            b.append("- ").append(line).append('\n');
        }
        for (String line : plan.sizing()) {
            b.append("- ").append(line).append('\n');
        }
        b.append("\nEach cell: median [min – max] over the measured reps.\n\n");
        b.append("| scenario | metric |");
        brokers.forEach(k -> b.append(' ').append(k.label()).append(" |"));
        b.append('\n').append("|---|---|");
        brokers.forEach(k -> b.append("---|"));
        b.append('\n');
        for (Map.Entry<String, Map<String, ResultTable.Row>> s : table.rows().entrySet()) {
            if (s.getValue().isEmpty()) {
                continue;
            }
            for (Map.Entry<String, ResultTable.Row> m : s.getValue().entrySet()) {
                ResultTable.Row row = m.getValue();
                b.append("| ").append(s.getKey()).append(" | ").append(m.getKey()).append(" (").append(row.unit()).append(") |");
                for (BrokerKind k : brokers) {
                    b.append(' ').append(cell(row.values(k), table.skipped().getOrDefault(s.getKey(), Map.of()).get(k)))
                            .append(" |");
                }
                b.append('\n');
            }
        }
        if (brokers.contains(BrokerKind.MOSQUITTO)) {
            b.append("\n### Ratio of medians to Mosquitto\n\n");
            b.append("Above 1 is more than Mosquitto; read it with the direction in the second column.\n\n");
            b.append("| scenario | metric |");
            brokers.stream().filter(k -> k != BrokerKind.MOSQUITTO).forEach(k -> b.append(' ').append(k.label()).append(" |"));
            b.append('\n').append("|---|---|");
            brokers.stream().filter(k -> k != BrokerKind.MOSQUITTO).forEach(k -> b.append("---|"));
            b.append('\n');
            for (Map.Entry<String, Map<String, ResultTable.Row>> s : table.rows().entrySet()) {
                for (Map.Entry<String, ResultTable.Row> m : s.getValue().entrySet()) {
                    ResultTable.Row row = m.getValue();
                    if (row.unit().equals("msgs") || row.unit().equals("conns") || m.getKey().equals("broker CPU-s")) {
                        continue;
                    }
                    if (row.values(BrokerKind.MOSQUITTO).isEmpty() || row.unit().equals("ratio")) {
                        continue; // nothing to compare with (Gatehouse-only scenarios, ratios already)
                    }
                    double ref = Spread.of(row.values(BrokerKind.MOSQUITTO)).median();
                    b.append("| ").append(s.getKey()).append(" | ").append(m.getKey())
                            .append(row.higherIsBetter() ? " (higher is better)" : " (lower is better)").append(" |");
                    for (BrokerKind k : brokers) {
                        if (k == BrokerKind.MOSQUITTO) {
                            continue;
                        }
                        double v = Spread.of(row.values(k)).median();
                        b.append(' ').append(Double.isNaN(v) || Double.isNaN(ref) || ref == 0 ? "–" : fmt(v / ref) + "×").append(" |");
                    }
                    b.append('\n');
                }
            }
        }
        if (!table.skipped().isEmpty()) {
            b.append("\n### Skipped\n\n");
            table.skipped().forEach((scenario, byBroker) -> byBroker.forEach((k, why) ->
                    b.append("- ").append(scenario).append(" — ").append(k.label()).append(": ").append(why).append('\n')));
        }
        if (!table.notes().isEmpty()) {
            b.append("\n### Notes from the run\n\n");
            table.notes().forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    private static String cell(List<Double> values, String skipped) {
        if (values.isEmpty()) {
            return skipped != null ? "skipped" : "–";
        }
        Spread s = Spread.of(values);
        if (s.n() == 1 || s.min() == s.max()) {
            return fmt(s.median());
        }
        return fmt(s.median()) + " [" + fmt(s.min()) + " – " + fmt(s.max()) + "]";
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", v / 1_000_000);
        }
        if (a >= 10_000) {
            return String.format(Locale.ROOT, "%.1fk", v / 1_000);
        }
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    public String csv(ResultTable table, Plan plan) {
        StringBuilder b = new StringBuilder("mode,broker,scenario,metric,unit,rep,value\n");
        for (ResultTable.Sample s : table.samples()) {
            b.append(plan.mode()).append(',').append(s.broker().id()).append(',').append(quote(s.scenario())).append(',')
                    .append(quote(s.metric())).append(',').append(s.unit()).append(',').append(s.rep()).append(',')
                    .append(String.format(Locale.ROOT, "%.6g", s.value())).append('\n');
        }
        return b.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}

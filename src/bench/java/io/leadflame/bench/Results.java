package io.leadflame.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every figure of a run with its unit, baseline, ratio, target and whether the target is met, the
 * machine it ran on, and what went wrong: written as {@code results.json} (for machines) and
 * {@code summary.md} (tables ready for BENCHMARKS.md).
 */
final class Results {

    /** A figure's target: bounds on the value and/or on the ratio to its baseline; {@code text} says it. */
    record Target(String text, Optional<Double> minValue, Optional<Double> maxValue, Optional<Double> minRatio) {
        static Target atLeast(String text, double min) {
            return new Target(text, Optional.of(min), Optional.empty(), Optional.empty());
        }

        static Target atMost(String text, double max) {
            return new Target(text, Optional.empty(), Optional.of(max), Optional.empty());
        }

        static Target ratioAtLeast(String text, double min) {
            return new Target(text, Optional.empty(), Optional.empty(), Optional.of(min));
        }

        static Target of(String text, Optional<Double> minValue, double minRatio) {
            return new Target(text, minValue, Optional.empty(), Optional.of(minRatio));
        }
    }

    /** A measured figure. {@code failures}: requests not answered 202 in its window (a target is then not met). */
    record Figure(String id, String scenario, String journal, String label, double value, String unit,
                  Optional<Figure> baseline, Optional<Target> target, long failures, Map<String, Object> details) {

        Optional<Double> ratio() {
            return baseline.filter(b -> b.value > 0).map(b -> value / b.value);
        }

        /**
         * Empty when there is no target, or only a ratio target whose baseline did not run;
         * false whenever a request failed ("every event answered 202").
         */
        Optional<Boolean> met() {
            if (target.isEmpty()) {
                return Optional.empty();
            }
            Target t = target.get();
            boolean evaluated = false;
            boolean met = failures == 0;
            if (t.minValue.isPresent()) {
                evaluated = true;
                met &= value >= t.minValue.get();
            }
            if (t.maxValue.isPresent()) {
                evaluated = true;
                met &= value <= t.maxValue.get();
            }
            if (t.minRatio.isPresent() && ratio().isPresent()) {
                evaluated = true;
                met &= ratio().get() >= t.minRatio.get();
            }
            return evaluated ? Optional.of(met) : Optional.empty();
        }
    }

    private final BenchSettings settings;
    private final Map<String, Object> machine;
    private final Instant startedAt = Instant.now();
    private final List<Figure> figures = new ArrayList<>();
    private final List<Map<String, Object>> latencyRows = new ArrayList<>();
    private final List<String> checks = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private boolean written;

    Results(BenchSettings settings, Map<String, Object> machine) {
        this.settings = settings;
        this.machine = machine;
    }

    synchronized Figure add(Figure figure) {
        figures.add(figure);
        Benchmarks.log("figure %s = %s %s%s%s", figure.id(), number(figure.value()), figure.unit(),
                figure.ratio().map(r -> String.format(Locale.ROOT, " (ratio %.3f)", r)).orElse(""),
                figure.met().map(m -> m ? " target met" : " target NOT met").orElse(""));
        return figure;
    }

    synchronized Optional<Figure> find(String id) {
        return figures.stream().filter(f -> f.id().equals(id)).findFirst();
    }

    /**
     * One latency run of {@code server} (leadflame or no-op) at {@code pct} % of {@code journal}'s
     * single-event maximum, for the latency table; returns the row (a figure's details).
     */
    synchronized Map<String, Object> latencyRow(String server, String journal, int pct, OpenLoad.Outcome o) {
        Histogram h = o.micros();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("server", server);
        row.put("journal", journal);
        row.put("sharePercent", pct);
        row.put("offeredPerSecond", o.offeredPerSecond());
        row.put("achievedPerSecond", o.achievedPerSecond());
        row.put("p50Micros", h.getValueAtPercentile(50));
        row.put("p99Micros", h.getValueAtPercentile(99));
        row.put("p999Micros", h.getValueAtPercentile(99.9));
        row.put("maxMicros", h.getMaxValue());
        row.put("answered", o.answered());
        row.put("failed", o.failed());
        latencyRows.add(row);
        return row;
    }

    /** Leadflame's latency runs so far: the rates the no-op endpoint is then run at. */
    synchronized List<Map<String, Object>> leadflameLatencyRows() {
        return latencyRows.stream().filter(r -> r.get("server").equals("leadflame")).toList();
    }

    /** A cross-check that passed or failed (client counts against the server's metrics and journal). */
    synchronized void check(String text) {
        checks.add(text);
        Benchmarks.log("check: %s", text);
    }

    synchronized void error(String text) {
        errors.add(text);
        Benchmarks.log("ERROR: %s", text);
    }

    synchronized boolean failed() {
        return !errors.isEmpty();
    }

    synchronized boolean written() {
        return written;
    }

    synchronized void write(Path dir) throws IOException {
        written = true;
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(dir.resolve("results.json"), json.writeValueAsString(toJson()) + "\n");
        Files.writeString(dir.resolve("summary.md"), summary());
    }

    private Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", 1);
        root.put("startedAt", startedAt.toString());
        root.put("finishedAt", Instant.now().toString());
        root.put("machine", machine);
        root.put("settings", settings.describe());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Figure f : figures) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", f.id());
            m.put("scenario", f.scenario());
            m.put("journal", f.journal());
            m.put("label", f.label());
            m.put("value", f.value());
            m.put("unit", f.unit());
            m.put("baseline", f.baseline().map(b -> {
                Map<String, Object> bm = new LinkedHashMap<>();
                bm.put("id", b.id());
                bm.put("value", b.value());
                bm.put("unit", b.unit());
                return bm;
            }).orElse(null));
            m.put("ratio", f.ratio().orElse(null));
            m.put("target", f.target().map(t -> {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("text", t.text());
                tm.put("minValue", t.minValue().orElse(null));
                tm.put("maxValue", t.maxValue().orElse(null));
                tm.put("minRatio", t.minRatio().orElse(null));
                return tm;
            }).orElse(null));
            m.put("met", f.met().orElse(null));
            m.put("failures", f.failures());
            m.put("details", f.details());
            out.add(m);
        }
        root.put("figures", out);
        root.put("latency", latencyRows);
        root.put("checks", checks);
        root.put("errors", errors);
        return root;
    }

    /** The Markdown summary: machine, the figures table, the latency table, checks and errors. */
    synchronized String summary() {
        StringBuilder s = new StringBuilder();
        s.append("## Leadflame benchmark, ").append(startedAt).append("\n\n");
        s.append("Machine: ").append(machine.get("cores")).append(" cores, ")
                .append(gib(((Number) machine.get("memoryBytes")).longValue())).append(" GiB, ")
                .append(machine.get("cpu")).append("; ").append(machine.get("javaVersion"))
                .append("; commit ").append(machine.get("gitCommit"))
                .append(Boolean.TRUE.equals(machine.get("gitDirty")) ? " with uncommitted changes" : "").append("\n");
        s.append("Server JVM: `").append(String.join(" ", ServerUnderTest.jvmFlags(settings))).append("`\n");
        s.append("Settings: ").append(settings.describe()).append("\n\n");
        s.append("| figure | journal | value | baseline | ratio | target | met |\n");
        s.append("| --- | --- | ---: | ---: | ---: | --- | --- |\n");
        // Latency: only the p99s here; every percentile is in the latency table below.
        for (Figure f : figures.stream().filter(f -> !f.id().startsWith("latency.") || f.id().endsWith(".p99")).toList()) {
            s.append("| ").append(f.label()).append(" | ").append(f.journal()).append(" | ")
                    .append(number(f.value())).append(' ').append(f.unit())
                    .append(f.failures() > 0 ? " (" + f.failures() + " failed)" : "").append(" | ")
                    .append(f.baseline().map(b -> number(b.value()) + " " + b.unit()).orElse("—")).append(" | ")
                    .append(f.ratio().map(r -> String.format(Locale.ROOT, "%.1f %%", 100 * r)).orElse("—")).append(" | ")
                    .append(f.target().map(Target::text).orElse("—")).append(" | ")
                    .append(f.met().map(m -> m ? "yes" : "**no**").orElse("—")).append(" |\n");
        }
        if (!latencyRows.isEmpty()) {
            s.append("\nLatency of single-event requests, open model (intended send times at a fixed rate; ")
                    .append("coordinated omission corrected), ms:\n\n");
            s.append("| server | journal | share of max | offered /s | achieved /s | p50 | p99 | p99.9 | max | failed |\n");
            s.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (Map<String, Object> r : latencyRows) {
                s.append("| ").append(r.get("server")).append(" | ").append(r.get("journal")).append(" | ")
                        .append(r.get("sharePercent")).append(" % | ")
                        .append(number((Double) r.get("offeredPerSecond"))).append(" | ")
                        .append(number((Double) r.get("achievedPerSecond"))).append(" | ")
                        .append(ms(r.get("p50Micros"))).append(" | ").append(ms(r.get("p99Micros"))).append(" | ")
                        .append(ms(r.get("p999Micros"))).append(" | ").append(ms(r.get("maxMicros"))).append(" | ")
                        .append(r.get("failed")).append(" |\n");
            }
        }
        if (!checks.isEmpty()) {
            s.append("\nChecks:\n");
            checks.forEach(c -> s.append("- ").append(c).append('\n'));
        }
        if (!errors.isEmpty()) {
            s.append("\nErrors:\n");
            errors.forEach(e -> s.append("- ").append(e).append('\n'));
        }
        return s.toString();
    }

    static String number(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String ms(Object micros) {
        return String.format(Locale.ROOT, "%.2f", ((Number) micros).doubleValue() / 1000.0);
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024 * 1024));
    }
}

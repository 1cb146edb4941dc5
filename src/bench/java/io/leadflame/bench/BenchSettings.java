package io.leadflame.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a benchmark run does, from {@code -Dbench.*} system properties (the {@code bench} Maven
 * profile passes them on with its defaults; see README "Benchmarks").
 *
 * @param duration           each measured ingestion window (and each no-op baseline window)
 * @param warmup             load sent before each measured window, not counted
 * @param latencyDuration    each latency run ({@code auto}: 30 s, or {@code duration} if shorter)
 * @param rawDuration        the raw-insert baseline ({@code auto}: 20 s, or {@code duration} if shorter)
 * @param contacts           the contacts ingestion and latency events are spread over (uniformly)
 * @param journals           {@code h2}, {@code postgres}: the journals of the ingestion and latency phases
 * @param scenarios          which of baselines, ingestion, latency, rescoring, memory, leads, restart, ... to run
 * @param scales             contact counts at which rescoring and memory are measured (H2)
 * @param serverHeap         the server's -Xms/-Xmx
 * @param batchConnections   connections sending 1,000-event batches
 * @param singleConnections  connections sending one event per request (also the latency runs')
 * @param profile            record the servers with JFR and write their hot methods
 * @param importContacts     how many new contacts the import scenario creates
 * @param importClients      how many clients import at once
 * @param serverArgs         more JVM arguments for every server under test (e.g. a setting to compare)
 * @param dir                where results, logs and data go ({@code target/bench})
 * @param basedir            the project (for the git commit)
 */
record BenchSettings(Duration duration, Duration warmup, Duration latencyDuration, Duration rawDuration,
                     int contacts, List<String> journals, Set<String> scenarios, List<Integer> scales,
                     String serverHeap, int batchConnections, int singleConnections, boolean profile,
                     int importContacts, int importClients, List<String> serverArgs, Path dir, Path basedir) {

    static final List<String> ALL_SCENARIOS = List.of("baselines", "ingestion", "latency", "rescoring", "memory", "leads", "leads-cost",
            "named-cost",
            "webhooks", "heavy-contact", "import", "kafka", "restart");
    static final List<String> ALL_JOURNALS = List.of("h2", "postgres");

    static BenchSettings fromSystemProperties() {
        Duration duration = duration("bench.duration", "60s");
        Duration latency = auto("bench.latency-duration", Duration.ofSeconds(30), duration);
        Duration raw = auto("bench.raw-duration", Duration.ofSeconds(20), duration);
        List<String> journals = list("bench.journals", "h2,postgres");
        journals.forEach(j -> require(ALL_JOURNALS.contains(j), "bench.journals: unknown journal " + j));
        List<String> scenarios = list("bench.scenarios", String.join(",", ALL_SCENARIOS));
        scenarios.forEach(s -> require(ALL_SCENARIOS.contains(s), "bench.scenarios: unknown scenario " + s));
        List<Integer> scales = list("bench.scales", "100000,1000000").stream().map(Integer::parseInt).sorted().toList();
        int contacts = Integer.parseInt(property("bench.contacts", "100000"));
        require(contacts > 0 && contacts < 10_000_000, "bench.contacts must be 1 to 9,999,999");
        scales.forEach(s -> require(s > 0 && s < 10_000_000, "bench.scales must be 1 to 9,999,999"));
        int importContacts = Integer.parseInt(property("bench.import-contacts", "200000"));
        require(importContacts >= 1000 && importContacts < 10_000_000, "bench.import-contacts must be 1,000 to 9,999,999");
        return new BenchSettings(duration, duration("bench.warmup", "10s"), latency, raw, contacts, journals,
                Set.copyOf(scenarios), scales, property("bench.server-heap", "16g"),
                Integer.parseInt(property("bench.batch-connections", "8")),
                Integer.parseInt(property("bench.single-connections", "64")),
                Boolean.parseBoolean(property("bench.profile", "false")),
                importContacts, Integer.parseInt(property("bench.import-clients", "4")),
                Arrays.stream(property("bench.server-args", "").split(" ")).filter(a -> !a.isBlank()).toList(),
                Path.of(property("bench.dir", "target/bench")).toAbsolutePath(),
                Path.of(property("bench.basedir", ".")).toAbsolutePath());
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    /** The settings as written into results.json. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("duration", duration.toString());
        m.put("warmup", warmup.toString());
        m.put("latencyDuration", latencyDuration.toString());
        m.put("rawDuration", rawDuration.toString());
        m.put("contacts", contacts);
        m.put("journals", journals);
        m.put("scenarios", ALL_SCENARIOS.stream().filter(scenarios::contains).toList());
        m.put("scales", scales);
        m.put("serverHeap", serverHeap);
        m.put("batchConnections", batchConnections);
        m.put("batchSize", 1000);
        m.put("singleConnections", singleConnections);
        m.put("profile", profile);
        m.put("importContacts", importContacts);
        m.put("importClients", importClients);
        m.put("serverArgs", serverArgs);
        return m;
    }

    private static String property(String name, String fallback) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    private static List<String> list(String name, String fallback) {
        return Arrays.stream(property(name, fallback).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Duration auto(String name, Duration usual, Duration duration) {
        String v = property(name, "auto");
        if (v.equals("auto")) {
            return duration.compareTo(usual) < 0 ? duration : usual;
        }
        return parse(name, v);
    }

    private static Duration duration(String name, String fallback) {
        return parse(name, property(name, fallback));
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** {@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT90S}). */
    static Duration parse(String name, String text) {
        Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' is not a duration like 60s, 2m or PT90S");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

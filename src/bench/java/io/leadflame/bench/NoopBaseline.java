package io.leadflame.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP edge's ceiling: {@link NoopServer} under exactly the single-event and batched loads
 * that Leadflame gets, so "Leadflame ÷ no-op" says how much of the machine the service leaves to
 * HTTP alone (the load generator shares the same two cores in both).
 */
final class NoopBaseline {

    static final String SINGLE = "baseline.noop.single";
    static final String BATCHED = "baseline.noop.batched";

    private NoopBaseline() {
    }

    static void run(BenchSettings settings, Results results) throws Exception {
        try (ServerUnderTest server = ServerUnderTest.noop("noop", settings)) {
            server.awaitReady(Duration.ofMinutes(1));
            ClosedLoad.Outcome single = ClosedLoad.measure(server.endpoint, settings.singleConnections(),
                    Traffic.singleEvents(settings.contacts()), settings.warmup(), settings.duration());
            results.add(figure(SINGLE, "one event per request, " + settings.singleConnections() + " connections",
                    single, single.requestsPerSecond(), "requests/s"));
            ClosedLoad.Outcome batched = ClosedLoad.measure(server.endpoint, settings.batchConnections(),
                    Traffic.batches(settings.contacts()), settings.warmup(), settings.duration());
            results.add(figure(BATCHED, "1,000-event NDJSON batches, " + settings.batchConnections() + " connections",
                    batched, batched.eventsPerSecond(), "events/s"));
            server.stop();
        }
    }

    /**
     * The latency floor: the no-op endpoint under the same open-model load at each rate Leadflame's
     * latency runs used, so a Leadflame p99 can be read against what this machine and generator
     * give with no service behind HTTP at all.
     */
    static void latency(BenchSettings settings, Results results) throws Exception {
        List<Map<String, Object>> runs = results.leadflameLatencyRows();
        if (runs.isEmpty()) {
            return;
        }
        try (ServerUnderTest server = ServerUnderTest.noop("noop-latency", settings)) {
            server.awaitReady(Duration.ofMinutes(1));
            // A fresh JVM: warm it up as Leadflame was by its ingestion runs before its latency runs.
            ClosedLoad.measure(server.endpoint, settings.singleConnections(), Traffic.singleEvents(settings.contacts()),
                    settings.warmup(), Duration.ZERO);
            for (Map<String, Object> run : runs) {
                String journal = (String) run.get("journal");
                int pct = (Integer) run.get("sharePercent");
                double rate = (Double) run.get("offeredPerSecond");
                OpenLoad.Outcome o = OpenLoad.run(server.endpoint, settings.singleConnections(), rate,
                        settings.latencyDuration(), Traffic.singleEvents(settings.contacts()));
                Map<String, Object> row = results.latencyRow("no-op", journal, pct, o);
                results.add(new Results.Figure("baseline.noop.latency." + journal + "." + pct + "pct.p99", "baselines",
                        journal, "no-op endpoint p99 at " + journal + "'s " + pct + " % rate (" + Results.number(rate) + "/s)",
                        o.micros().getValueAtPercentile(99) / 1000.0, "ms", Optional.empty(), Optional.empty(), o.failed(),
                        row));
            }
            server.stop();
        }
    }

    private static Results.Figure figure(String id, String load, ClosedLoad.Outcome o, double value, String unit) {
        return new Results.Figure(id, "baselines", "-", "no-op Pekko HTTP endpoint, " + load, value, unit,
                Optional.empty(), Optional.empty(), o.failed(), details(o));
    }

    /** What a closed-load window counted, for a figure's details. */
    static Map<String, Object> details(ClosedLoad.Outcome o) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("seconds", o.seconds());
        details.put("requests", o.requests());
        details.put("events", o.events());
        details.put("requestsPerSecond", o.requestsPerSecond());
        details.put("failures", o.failures());
        return details;
    }
}

package io.leadflame.bench;

import java.time.Duration;
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

    private static Results.Figure figure(String id, String load, ClosedLoad.Outcome o, double value, String unit) {
        return new Results.Figure(id, "baselines", "-", "no-op Pekko HTTP endpoint, " + load, value, unit,
                Optional.empty(), Optional.empty(), o.failed(), details(o));
    }

    /** What a closed-load window counted, for a figure's details. */
    static Map<String, Object> details(ClosedLoad.Outcome o) {
        return Map.of("seconds", o.seconds(), "requests", o.requests(), "events", o.events(),
                "requestsPerSecond", o.requestsPerSecond(), "failures", o.failures());
    }
}

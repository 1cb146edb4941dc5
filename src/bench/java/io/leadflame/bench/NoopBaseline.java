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
            results.add(new Results.Figure(SINGLE, "baselines", "-",
                    "no-op Pekko HTTP endpoint, one event per request, " + settings.singleConnections() + " connections",
                    single.requestsPerSecond(), "requests/s", Optional.empty(), Optional.empty(), single.failed(),
                    details(single)));
            ClosedLoad.Outcome batched = ClosedLoad.measure(server.endpoint, settings.batchConnections(),
                    Traffic.batches(settings.contacts()), settings.warmup(), settings.duration());
            results.add(new Results.Figure(BATCHED, "baselines", "-",
                    "no-op Pekko HTTP endpoint, 1,000-event NDJSON batches, " + settings.batchConnections() + " connections",
                    batched.eventsPerSecond(), "events/s", Optional.empty(), Optional.empty(), batched.failed(),
                    details(batched)));
            server.stop();
        }
    }

    /** What a closed-load window counted, for a figure's details. */
    static Map<String, Object> details(ClosedLoad.Outcome o) {
        return Map.of("seconds", o.seconds(), "requests", o.requests(), "events", o.events(),
                "requestsPerSecond", o.requestsPerSecond(), "failures", o.failures());
    }
}

package io.leadflame.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An initial import (issue 13), as a CRM's first sync does it: {@code bench.import-clients} clients POST
 * NDJSON requests of {@value #EVENTS_PER_REQUEST} events, each creating {@value #CONTACTS_PER_REQUEST}
 * new contacts ({@value #EVENTS_PER_CONTACT} events each), until {@code bench.import-contacts}
 * contacts exist. A client that is refused (429/503) waits the second Retry-After asks for and
 * resends the same request (its events have ids, so nothing counts twice); any other answer but
 * 202 is a failure. Then the same clients send the same shape of requests to the contacts that
 * now exist: the warm-contact rate the import rate is compared with, same server, same run.
 */
final class ImportPhase {

    static final int EVENTS_PER_REQUEST = 10_000;
    static final int EVENTS_PER_CONTACT = 10;
    static final int CONTACTS_PER_REQUEST = EVENTS_PER_REQUEST / EVENTS_PER_CONTACT;
    private static final String TENANT = "/api/v1/tenants/import";
    private static final int CLIENT_TIMEOUT_MS = 300_000;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final String MODEL = """
            {"idealScore": 50, "ranges": [{"name": "cold", "min": 0, "color": "#3366ff"},
                                           {"name": "hot", "min": 30, "color": "#ff3300"}],
             "rules": [
               {"id": "visits", "name": "Visits", "points": 2, "count": "each", "maxPoints": 20, "expiresAfter": "P30D",
                "criterion": {"type": "activity", "activity": "page_visited"}},
               {"id": "pricing", "name": "Pricing", "points": 10,
                "criterion": {"type": "activity", "activity": "page_visited",
                              "where": [{"field": "url", "op": "eq", "value": "/pricing"}]}},
               {"id": "customer", "name": "Customer", "category": "fit", "points": 15,
                "criterion": {"type": "tag", "anyOf": ["customer"]}}]}""";

    private ImportPhase() {
    }

    /** What a run of requests came to. */
    record Outcome(long requests, long refusals, long failures, double seconds, double medianAcceptedMs,
                   double slowestAcceptedMs, double slowestRefusalMs, String firstFailure) {
        double eventsPerSecond() {
            return requests * (double) EVENTS_PER_REQUEST / seconds;
        }
    }

    static void run(BenchSettings settings, Results results) throws Exception {
        int requests = Math.max(1, settings.importContacts() / CONTACTS_PER_REQUEST);
        try (ServerUnderTest server = ServerUnderTest.leadflameOnH2("import", settings)) {
            server.awaitReady(Duration.ofMinutes(3));
            HttpConnection.Reply model = server.put(TENANT + "/model", MODEL);
            if (model.status() != 200) {
                throw new IllegalStateException("PUT /model answered " + model.status() + ": " + model.body());
            }
            Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(1));
            int clients = settings.importClients();
            Benchmarks.log("import: %d requests of %,d events creating %,d contacts each, %d clients",
                    requests, EVENTS_PER_REQUEST, CONTACTS_PER_REQUEST, clients);
            Outcome imported = send(server, clients, requests, batch -> body(batch, "i", from));
            Benchmarks.log("import: %s", imported);
            // The same shape again, to the contacts that now exist.
            int warmRequests = Math.min(requests, Math.max(clients * 4, requests / 4));
            Outcome warm = send(server, clients, warmRequests, batch -> body(batch, "w", from.plusSeconds(3600)));
            Benchmarks.log("warm: %s", warm);

            Results.Figure baseline = results.add(figure("import.warm", "POST of 10,000-event NDJSON requests to "
                    + "existing contacts (1,000 contacts × 10 events), " + clients + " clients: events/s", warm,
                    Optional.empty(), Optional.empty()));
            results.add(figure("import.new", "initial import: 10,000-event requests each creating 1,000 new contacts, "
                    + clients + " clients, until " + requests * CONTACTS_PER_REQUEST + " contacts: events/s", imported,
                    Optional.of(baseline), Optional.of(Results.Target.ratioAtLeast("≥ 50 % of the warm-contact rate, "
                            + "every request 202 (after quick refusals)", 0.5))));
            server.stop();
        } finally {
            ServerUnderTest.deleteRecursively(ServerUnderTest.h2DataDir("import", settings));
        }
    }

    private static Results.Figure figure(String id, String label, Outcome o, Optional<Results.Figure> baseline,
                                         Optional<Results.Target> target) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("requests", o.requests());
        details.put("refusals", o.refusals());
        details.put("seconds", o.seconds());
        details.put("medianAcceptedMs", o.medianAcceptedMs());
        details.put("slowestAcceptedMs", o.slowestAcceptedMs());
        details.put("slowestRefusalMs", o.slowestRefusalMs());
        if (o.firstFailure() != null) {
            details.put("firstFailure", o.firstFailure());
        }
        return new Results.Figure(id, "import", "h2", label, o.eventsPerSecond(), "events/s", baseline, target,
                o.failures(), details);
    }

    /** Requests 0..count-1 of {@code body}, shared by the clients, each resent after a refusal until answered. */
    private static Outcome send(ServerUnderTest server, int clientCount, int count,
                                java.util.function.IntFunction<String> body) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong refusals = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        java.util.Queue<Long> acceptedMicros = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicLong slowestRefusal = new AtomicLong();
        String[] firstFailure = new String[1];
        ExecutorService clients = Executors.newFixedThreadPool(clientCount);
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clientCount; c++) {
                running.add(clients.submit(() -> {
                    for (int batch = next.getAndIncrement(); batch < count; batch = next.getAndIncrement()) {
                        String ndjson = body.apply(batch);
                        while (true) {
                            long t0 = System.nanoTime();
                            HttpConnection.Reply r = post(server, ndjson);
                            long micros = (System.nanoTime() - t0) / 1000;
                            if (r.status() == 202) {
                                acceptedMicros.add(micros);
                                break;
                            }
                            if (r.status() == 429 || r.status() == 503) {
                                refusals.incrementAndGet();
                                slowestRefusal.accumulateAndGet(micros, Math::max);
                                sleep(RETRY_AFTER);
                                continue;
                            }
                            failures.incrementAndGet();
                            synchronized (firstFailure) {
                                if (firstFailure[0] == null) {
                                    firstFailure[0] = r.status() + " " + r.body();
                                }
                            }
                            break;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] accepted = acceptedMicros.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Outcome(count, refusals.get(), failures.get(), seconds,
                accepted.length == 0 ? 0 : accepted[accepted.length / 2] / 1000.0,
                accepted.length == 0 ? 0 : accepted[accepted.length - 1] / 1000.0,
                slowestRefusal.get() / 1000.0, firstFailure[0]);
    }

    private static HttpConnection.Reply post(ServerUnderTest server, String ndjson) {
        try {
            return HttpConnection.call(server.endpoint.host(), server.endpoint.port(), "POST", TENANT + "/events",
                    "application/x-ndjson", ndjson, CLIENT_TIMEOUT_MS);
        } catch (IOException e) {
            return new HttpConnection.Reply(-1, e.toString());
        }
    }

    /** Request {@code batch}: contacts {@code c<batch>-<i>}, ten events each (visits, a pricing visit, a tag, fields). */
    static String body(int batch, String idPrefix, Instant from) {
        StringBuilder out = new StringBuilder(EVENTS_PER_REQUEST * 140);
        for (int i = 0; i < CONTACTS_PER_REQUEST; i++) {
            String contact = "c" + batch + "-" + i;
            for (int e = 0; e < EVENTS_PER_CONTACT; e++) {
                String id = idPrefix + e;
                String at = from.plusSeconds(e * 60L).toString();
                if (e == 0) {
                    out.append("{\"contactId\":\"").append(contact).append("\",\"type\":\"fields_updated\",\"eventId\":\"")
                            .append(id).append("\",\"occurredAt\":\"").append(at)
                            .append("\",\"fields\":{\"email\":\"").append(contact).append("@example.com\",\"employees\":")
                            .append(10 + i).append("}}\n");
                } else if (e == 1 && i % 5 == 0) {
                    out.append("{\"contactId\":\"").append(contact).append("\",\"type\":\"tag_applied\",\"eventId\":\"")
                            .append(id).append("\",\"occurredAt\":\"").append(at).append("\",\"tag\":\"customer\"}\n");
                } else {
                    out.append("{\"contactId\":\"").append(contact).append("\",\"type\":\"page_visited\",\"eventId\":\"")
                            .append(id).append("\",\"occurredAt\":\"").append(at).append("\",\"attributes\":{\"url\":\"")
                            .append(e == 9 && i % 3 == 0 ? "/pricing" : "/blog/" + e).append("\"}}\n");
                }
            }
        }
        return out.toString();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

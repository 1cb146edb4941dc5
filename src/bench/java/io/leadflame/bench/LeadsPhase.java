package io.leadflame.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The call list of issue 6: what it costs ingestion (the same loads on H2 with and without it,
 * {@code leadflame.leads.index}, in the same run) and how long its queries take at each scale of
 * the model phase (up to 1,000,000 live contacts).
 */
final class LeadsPhase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEADS = "/api/v1/tenants/" + EventMix.TENANT + "/leads";
    private static final String STATS = "/api/v1/tenants/" + EventMix.TENANT + "/stats";
    private static final String PREVIEW = EventMix.MODEL_PATH + "/preview";
    private static final String SCORES = "/api/v1/tenants/" + EventMix.TENANT + "/scores";

    private LeadsPhase() {
    }

    /** Batched and single-event ingestion on H2, without the call list then with it: the ratio is its cost. */
    static void ingestionCost(BenchSettings settings, Results results) throws Exception {
        ClosedLoad.Outcome[] without = ingestion("leads-off", List.of("-Dleadflame.leads.index=off"), settings);
        ClosedLoad.Outcome[] with = ingestion("leads-on", List.of(), settings);
        addComparison(results, settings, "leads.cost.", new String[] {"without", "with"},
                new String[] {", without the call list", ", with the call list (ratio: what remains)"}, without, with);
    }

    /**
     * Batched and single-event ingestion on H2 with the default score alone, then with three named
     * scores beside it whose models decay (issue 16): each write then computes the contact's next
     * change under each named model too (its timer), and with a listener its score before and
     * after. Same run; the ratio is what remains.
     */
    static void namedScoresCost(BenchSettings settings, Results results) throws Exception {
        ClosedLoad.Outcome[] one = ingestion("named-0", List.of(), settings, 0);
        ClosedLoad.Outcome[] four = ingestion("named-3", List.of(), settings, NAMED_SCORES);
        addComparison(results, settings, "named.cost.", new String[] {"default-only", "named" + NAMED_SCORES},
                new String[] {", the default score only", ", with " + NAMED_SCORES
                        + " named scores with decay beside it (ratio: what remains)"}, one, four);
    }

    /**
     * The batched and single-event figures of a baseline server and of the server compared with it.
     *
     * @param ids    the last part of each figure's id: the baseline's, the compared server's
     * @param labels what each figure's label ends with, in the same order
     */
    private static void addComparison(Results results, BenchSettings settings, String idPrefix, String[] ids,
                                      String[] labels, ClosedLoad.Outcome[] baseline, ClosedLoad.Outcome[] compared) {
        String[] loads = {"batched", "single"};
        String[] loadLabels = {"batched ingestion, 1,000-event NDJSON, " + settings.batchConnections() + " connections",
                "single-event ingestion, " + settings.singleConnections() + " connections"};
        for (int i = 0; i < 2; i++) {
            Results.Figure base = new Results.Figure(idPrefix + loads[i] + "." + ids[0], "leads", "h2",
                    loadLabels[i] + labels[0], baseline[i].eventsPerSecond(), "events/s",
                    Optional.empty(), Optional.empty(), baseline[i].failed(), Map.of());
            results.add(base);
            results.add(new Results.Figure(idPrefix + loads[i] + "." + ids[1], "leads", "h2",
                    loadLabels[i] + labels[1], compared[i].eventsPerSecond(), "events/s",
                    Optional.of(base), Optional.empty(), compared[i].failed(), Map.of()));
        }
    }

    private static ClosedLoad.Outcome[] ingestion(String phase, List<String> flags, BenchSettings settings)
            throws Exception {
        return ingestion(phase, flags, settings, 0);
    }

    /** @param namedScores how many named scores the tenant has beside its default one (variants of its model) */
    private static ClosedLoad.Outcome[] ingestion(String phase, List<String> flags, BenchSettings settings,
                                                  int namedScores) throws Exception {
        try (ServerUnderTest server = ServerUnderTest.leadflameOnH2(phase, settings, flags)) {
            server.awaitReady(Duration.ofMinutes(3));
            // A model with rules, as in the model phase: with the call list each write scores in full.
            ModelPhase.awaitRescored(server, ModelPhase.putModel(server, 0));
            if (namedScores > 0) {
                publishNamedScores(server, namedScores, 1, EventMix::decayingModel);
            }
            ClosedLoad.drain(server.endpoint, settings.batchConnections(), Traffic.creation(settings.contacts()));
            ClosedLoad.Outcome batched = ClosedLoad.measure(server.endpoint, settings.batchConnections(),
                    Traffic.batches(settings.contacts()), settings.warmup(), settings.duration());
            ClosedLoad.Outcome single = ClosedLoad.measure(server.endpoint, settings.singleConnections(),
                    Traffic.singleEvents(settings.contacts()), settings.warmup(), settings.duration());
            Benchmarks.log("%s: batched %.0f events/s, single %.0f events/s", phase, batched.eventsPerSecond(),
                    single.eventsPerSecond());
            server.stop();
            return new ClosedLoad.Outcome[] {batched, single};
        } finally {
            ServerUnderTest.deleteRecursively(ServerUnderTest.h2DataDir(phase, settings));
        }
    }

    /**
     * Each query of the call list, one at a time against the live contacts of the model phase:
     * the first page, a page further down (by its cursor), the hot leads, the distribution and a
     * preview of the next model variant.
     */
    static void queries(ServerUnderTest server, int contacts, int nextVariant, Results results) throws IOException {
        JsonNode first = json(server.get(LEADS + "?limit=100"));
        String cursor = first.path("next").asText();
        time(server, contacts, results, "first-page", "call list, first page of 100", "GET", LEADS + "?limit=100",
                null, 50);
        time(server, contacts, results, "next-page", "call list, a page of 100 after a cursor", "GET",
                LEADS + "?limit=100&after=" + cursor, null, 50);
        time(server, contacts, results, "hot", "call list, 1,000 leads with 4 flames or more", "GET",
                LEADS + "?minFlames=4&limit=1000", null, 20);
        time(server, contacts, results, "stats", "distribution (GET /stats)", "GET", STATS, null, 10);
        time(server, contacts, results, "preview", "what-if preview of another model", "POST", PREVIEW,
                EventMix.model(nextVariant), 3);
    }

    /** The named scores published by {@link #namedScores}. */
    static final int NAMED_SCORES = 3;

    /**
     * Three named scores beside the default one (issue 16), each a variant of the model phase's
     * model: their call list and distribution are scored when asked, so they are timed here beside
     * the default score's, whose leads the index holds scored ({@link #queries}, same run).
     */
    static void namedScores(ServerUnderTest server, int contacts, int variant, Results results)
            throws IOException, InterruptedException {
        publishNamedScores(server, NAMED_SCORES, variant, EventMix::model);
        String named = SCORES + "/named-0";
        time(server, contacts, results, "named-first-page", "a named score's call list, first page of 100, scored "
                + "when asked", "GET", named + "/leads?limit=100", null, 20);
        time(server, contacts, results, "named-hot", "a named score's call list, 1,000 leads with 4 flames or more",
                "GET", named + "/leads?minFlames=4&limit=1000", null, 10);
        time(server, contacts, results, "named-stats", "a named score's distribution (GET /scores/{score}/stats)",
                "GET", named + "/stats", null, 10);
    }

    /** Publishes {@code count} named scores, models {@code variant} on, and waits until the node lists them. */
    private static void publishNamedScores(ServerUnderTest server, int count, int variant,
                                           IntFunction<String> model) throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            json(HttpConnection.call(server.endpoint.host(), server.endpoint.port(), "PUT",
                    SCORES + "/named-" + i + "/model", "application/json", model.apply(variant + i), 30_000));
        }
        // Published once its model entity has it; listed once the node's catalog has it too.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (json(server.get(SCORES)).get("scores").size() < count + 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the named scores were not listed within 30 s");
            }
            Thread.sleep(50);
        }
    }

    private static void time(ServerUnderTest server, int contacts, Results results, String id, String label,
                             String method, String path, String body, int times) throws IOException {
        double[] millis = new double[times];
        int size = 0;
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            HttpConnection.Reply reply = HttpConnection.call(server.endpoint.host(), server.endpoint.port(), method,
                    path, body == null ? null : "application/json", body, 120_000);
            millis[i] = (System.nanoTime() - start) / 1e6;
            if (reply.status() != 200) {
                throw new IllegalStateException(method + " " + path + " answered " + reply.status() + ": " + reply.body());
            }
            JsonNode answer = JSON.readTree(reply.body());
            size = answer.has("leads") ? answer.get("leads").size() : answer.path("movers").size();
        }
        Arrays.sort(millis);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("requests", times);
        details.put("maxMs", millis[times - 1]);
        details.put("itemsInAnswer", size);
        details.put("liveContacts", contacts);
        results.add(new Results.Figure("leads." + contacts + "." + id, "leads", "h2",
                String.format("%s, %,d live contacts (median of %d; max %.1f ms)", label, contacts, times,
                        millis[times - 1]),
                millis[times / 2], "ms", Optional.empty(), Optional.empty(), 0, details));
    }

    private static JsonNode json(HttpConnection.Reply reply) throws IOException {
        if (reply.status() != 200) {
            throw new IllegalStateException("answered " + reply.status() + ": " + reply.body());
        }
        return JSON.readTree(reply.body());
    }
}

package io.leadflame.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Rescoring and memory on the embedded default (H2), at each of {@code bench.scales} live
 * contacts: a fresh Leadflame with a model, its heap measured after GC before any contact; then
 * contacts seeded with a realistic history (5 tags, 20 activities with attributes, 3 fields: 28
 * events each, a contact's events in one NDJSON request of 35 contacts = 980 events) up to the
 * scale; the heap after GC again (per contact: the growth over the empty node ÷ contacts); then a
 * new model version, timed from {@code PUT /model} until {@code GET /model/rescoring} says done.
 * Seeding continues from there to the next scale.
 */
final class ModelPhase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATS = "/api/v1/tenants/" + EventMix.TENANT + "/stats";
    private static final int CONTACTS_PER_REQUEST = 1_000 / EventMix.HISTORY_EVENTS;
    private static final Duration RESCORING_POLL = Duration.ofMillis(50);
    private static final Duration RESCORING_LIMIT = Duration.ofMinutes(30);
    /**
     * Rescorings timed at each scale, one model version after the other: the figure is their
     * median (one rescoring varied by ±20 % from run to run, with the collector's state after
     * the seeding).
     */
    private static final int RESCORINGS = 3;

    private ModelPhase() {
    }

    static void run(BenchSettings settings, Results results) throws Exception {
        String phase = "model-h2";
        Path data = ServerUnderTest.h2DataDir(phase, settings);
        ServerUnderTest server = ServerUnderTest.leadflameOnH2(phase, settings);
        try {
            server.awaitReady(Duration.ofMinutes(3));
            // The tenant has a model before its first event, as in production.
            int variant = 0;
            long version = putModel(server, variant++);
            awaitRescored(server, version);
            server.fullGc();
            ServerUnderTest.HeapReading empty = server.heapUsed();
            Benchmarks.log("%s: heap after GC with no contact: %,d bytes (%s)", phase, empty.bytes(), empty.source());

            Instant historyEnd = Instant.now();
            int seeded = 0;
            for (int scale : settings.scales()) {
                ClosedLoad.Outcome seeding = ClosedLoad.drain(server.endpoint, settings.batchConnections(),
                        Traffic.histories(seeded, scale, CONTACTS_PER_REQUEST, historyEnd));
                Benchmarks.log("%s: seeded contacts %,d to %,d: %,d events in %.1f s (%.0f events/s)%s", phase, seeded,
                        scale, seeding.events(), seeding.seconds(), seeding.eventsPerSecond(),
                        seeding.failed() == 0 ? "" : "; resent after " + seeding.failures());
                seeded = scale;
                OptionalDouble live = server.metric("leadflame_contacts_live");
                if (settings.runs("memory")) {
                    memory(server, scale, empty, live, results, settings, "", "");
                }
                if (settings.runs("rescoring")) {
                    rescoring(server, scale, variant, results);
                    variant += RESCORINGS;
                }
                if (settings.runs("leads")) {
                    LeadsPhase.queries(server, scale, variant, results);
                    LeadsPhase.namedScores(server, scale, variant, results);
                    if (settings.runs("memory")) {
                        // Named scores keep nothing per contact: the heap with three, same run.
                        memory(server, scale, empty, live, results, settings, ".named" + LeadsPhase.NAMED_SCORES,
                                ", with " + LeadsPhase.NAMED_SCORES + " named scores beside the default");
                    }
                }
                if (settings.runs("restart")) {
                    server = restart(server, phase, settings, scale, seeding.eventsPerSecond(), results);
                }
            }
            server.stop();
        } finally {
            server.close();
            ServerUnderTest.deleteRecursively(data);
        }
    }

    /**
     * Stops the node (SIGTERM) and starts it again on the same journal; measures how long until it
     * is ready and until every contact is live again, i.e. restarted by sharding's remember-entities,
     * recovered from the journal and back in the call list ({@code /stats} counts them all).
     */
    private static ServerUnderTest restart(ServerUnderTest server, String phase, BenchSettings settings, int contacts,
                                           double seedingEventsPerSecond, Results results) throws Exception {
        server.stop();
        server.close();
        long start = System.nanoTime();
        ServerUnderTest again = ServerUnderTest.leadflameOnExistingH2(phase, settings);
        again.awaitReady(Duration.ofMinutes(10));
        double readySeconds = (System.nanoTime() - start) / 1e9;
        long deadline = start + Duration.ofMinutes(20).toNanos();
        long live = -1;
        double recoveredSeconds = -1;
        // Answers of /stats that missed contacts without saying they are partial: must stay 0.
        int unflaggedPartial = 0;
        int flaggedPartial = 0;
        while (System.nanoTime() - deadline < 0) {
            HttpConnection.Reply health = again.get("/health/ready");
            if (recoveredSeconds < 0 && health.status() == 200
                    && JSON.readTree(health.body()).path("status").asText().equals("ready")) {
                recoveredSeconds = (System.nanoTime() - start) / 1e9;
            }
            HttpConnection.Reply stats = again.get(STATS);
            if (stats.status() == 200) {
                JsonNode body = JSON.readTree(stats.body());
                live = body.path("contacts").asLong();
                if (live < contacts) {
                    if (body.path("partial").asBoolean(false)) {
                        flaggedPartial++;
                    } else {
                        unflaggedPartial++;
                    }
                }
                if (live >= contacts && recoveredSeconds >= 0) {
                    break;
                }
            }
            Thread.sleep(250);
        }
        double completeSeconds = (System.nanoTime() - start) / 1e9;
        if (live < contacts) {
            throw new IllegalStateException(phase + ": " + live + " of " + contacts
                    + " contacts live 20 minutes after the restart");
        }
        Benchmarks.log("%s: restarted with %,d contacts: ready after %.1f s, every contact live after %.1f s, "
                        + "/health/ready no longer \"recovering\" after %.1f s; /stats answers missing contacts: "
                        + "%d said partial, %d did not", phase, contacts, readySeconds, completeSeconds,
                recoveredSeconds, flaggedPartial, unflaggedPartial);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("readySeconds", readySeconds);
        details.put("recoveredSeconds", recoveredSeconds);
        details.put("statsAnswersMissingContactsFlaggedPartial", flaggedPartial);
        details.put("statsAnswersMissingContactsNotFlagged", unflaggedPartial);
        details.put("seedingEventsPerSecond", seedingEventsPerSecond);
        results.add(new Results.Figure("restart." + contacts, "restart", "h2",
                String.format("restart of one node with %,d contacts: from the start to every contact live in the "
                        + "call list (/stats)", contacts), completeSeconds, "s",
                Optional.empty(), Optional.of(Results.Target.atMost("≤ 60 s", 60)), 0, details));
        return again;
    }

    /**
     * @param id    what the figure's id and histogram take after the scale ("" for the plain figure)
     * @param label what its label takes after the scale
     */
    private static void memory(ServerUnderTest server, int contacts, ServerUnderTest.HeapReading empty,
                               OptionalDouble live, Results results, BenchSettings settings, String id, String label)
            throws IOException {
        server.fullGc();
        ServerUnderTest.HeapReading now = server.heapUsed();
        // What the bytes are: the profile of this figure (BENCHMARKS.md, "What limits it").
        Path histogram = settings.dir().resolve("memory-" + contacts + id + "-histogram.txt");
        Files.writeString(histogram, server.classHistogram());
        double perContact = (double) (now.bytes() - empty.bytes()) / contacts;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("heapBytes", now.bytes());
        details.put("heapBytesWithoutContacts", empty.bytes());
        details.put("contacts", contacts);
        details.put("contactsLiveMetric", live.isPresent() ? live.getAsDouble() : null);
        details.put("eventsPerContact", EventMix.HISTORY_EVENTS);
        details.put("source", now.source());
        details.put("classHistogram", histogram.getFileName().toString());
        results.add(new Results.Figure("memory." + contacts + id, "memory", "h2",
                String.format("live heap per contact after GC, %,d contacts%s", contacts, label), perContact, "bytes",
                Optional.empty(), Optional.of(Results.Target.atMost("≤ 4 KiB", 4096)), 0, details));
    }

    private static void rescoring(ServerUnderTest server, int contacts, int firstVariant, Results results)
            throws IOException, InterruptedException {
        List<Double> times = new ArrayList<>();
        List<Double> serverTimes = new ArrayList<>();
        JsonNode done = null;
        for (int i = 0; i < RESCORINGS; i++) {
            long start = System.nanoTime();
            long version = putModel(server, firstVariant + i);
            done = awaitRescored(server, version);
            times.add((System.nanoTime() - start) / 1e9);
            serverSeconds(done).ifPresent(serverTimes::add);
            Benchmarks.log("model-h2: rescoring %,d contacts, model version %d: %.2f s", contacts, version,
                    times.get(i));
            if (done.path("contacts").asLong() != contacts) {
                results.check(String.format("rescoring at %,d contacts: the server reports %,d contacts", contacts,
                        done.path("contacts").asLong()));
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rescorings", times);
        details.put("serverRescorings", serverTimes);
        details.put("contactsReported", done.path("contacts").asLong());
        details.put("rescoredReported", done.path("rescored").asLong());
        details.put("lastStartedAt", done.path("startedAt").asText());
        details.put("lastCompletedAt", done.path("completedAt").asText());
        Optional<Results.Target> target = contacts == 1_000_000
                ? Optional.of(Results.Target.atMost("≤ 10 s at 1M", 10)) : Optional.empty();
        results.add(new Results.Figure("rescoring." + contacts, "rescoring", "h2",
                String.format("rescoring %,d live contacts, PUT /model to done (median of %d)", contacts, RESCORINGS),
                median(times), "s", Optional.empty(), target, 0, details));
        if (!serverTimes.isEmpty()) {
            results.add(new Results.Figure("rescoring." + contacts + ".server", "rescoring", "h2",
                    String.format("rescoring %,d live contacts, server's startedAt to completedAt (median)", contacts),
                    median(serverTimes), "s", Optional.empty(), Optional.empty(), 0, details));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static Optional<Double> serverSeconds(JsonNode status) {
        try {
            Instant started = Instant.parse(status.path("startedAt").asText());
            Instant completed = Instant.parse(status.path("completedAt").asText());
            return Optional.of(Duration.between(started, completed).toNanos() / 1e9);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static long putModel(ServerUnderTest server, int variant) throws IOException {
        HttpConnection.Reply reply = server.put(EventMix.MODEL_PATH, EventMix.model(variant));
        if (reply.status() != 200) {
            throw new IllegalStateException("PUT /model answered " + reply.status() + ": " + reply.body());
        }
        return JSON.readTree(reply.body()).path("version").asLong();
    }

    /** Polls {@code GET /model/rescoring} every 50 ms until version {@code version} is done. */
    static JsonNode awaitRescored(ServerUnderTest server, long version) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RESCORING_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            HttpConnection.Reply reply = server.get(EventMix.MODEL_PATH + "/rescoring");
            if (reply.status() == 200) {
                JsonNode status = JSON.readTree(reply.body());
                if (status.path("version").asLong() == version && status.path("done").asBoolean()) {
                    return status;
                }
            }
            Thread.sleep(RESCORING_POLL.toMillis());
        }
        throw new IllegalStateException("rescoring of model version " + version + " not done within " + RESCORING_LIMIT);
    }
}

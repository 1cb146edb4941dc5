package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.contact.WriteAdmission;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission of writes (issue 13): a node takes a request whole or refuses it at once with 503
 * {@code overloaded} and Retry-After, having applied nothing of it, so that a client that sends
 * it again gets every event counted once. The node here admits one request's worth of events at
 * a time, so that clients sending at once are refused without needing a real flood.
 */
class IngestionAdmissionEndToEndTest {

    private static final int EVENTS_PER_REQUEST = 100;
    private static final Config ONE_REQUEST_AT_A_TIME = ConfigFactory.parseMap(Map.of(
            "leadflame.http.max-events-per-request", EVENTS_PER_REQUEST,
            "leadflame.ingestion.max-in-flight-events", EVENTS_PER_REQUEST));
    private static final String TENANT = "imports";
    private static final String MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "visit", "name": "Visits", "points": 1, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}}]}
            """;

    @TempDir
    static Path dataDir;
    static LeadflameNode node;

    @BeforeAll
    static void startNode() {
        node = LeadflameNode.start(dataDir, ONE_REQUEST_AT_A_TIME);
        node.publish(TENANT, MODEL);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** Request {@code r}: one visit to each of 100 new contacts {@code r-0..r-99}, every event with an id. */
    private static String request(int r, Instant at) {
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
            ObjectNode e = activity(r + "-" + i, "page_visited", at);
            e.put("eventId", "v-" + r);
            ndjson.append(e).append('\n');
        }
        return ndjson.toString();
    }

    @Test
    void concurrentImportsAreTakenWholeOrRefusedAtOnceAndEveryEventCountsOnce() throws Exception {
        int requests = 12;
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        AtomicLong refusals = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(requests);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int r = 0; r < requests; r++) {
                String body = request(r, at);
                sent.add(clients.submit(() -> {
                    while (true) {
                        HttpReply reply = node.postNdjson(TENANT, body);
                        if (reply.status() == 202) {
                            JsonNode counts = E2e.parse(reply.body());
                            accepted.addAndGet(counts.get("accepted").asLong());
                            duplicates.addAndGet(counts.get("duplicates").asLong());
                            return null;
                        }
                        JsonNode error = assertError(reply, 503, "overloaded");
                        assertFalse(reply.header("Retry-After").isEmpty(), "a refusal says when to retry");
                        assertTrue(error.get("message").asText().contains("nothing of this request was applied"),
                                error.toString());
                        refusals.incrementAndGet();
                        Thread.sleep(50);
                    }
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        assertTrue(refusals.get() > 0, "12 clients at once on a node that admits one request: some were refused");
        // A refused request applied nothing: its resend found no event of it already recorded.
        assertEquals(requests * (long) EVENTS_PER_REQUEST, accepted.get());
        assertEquals(0, duplicates.get());
        for (int r = 0; r < requests; r += 7) {
            assertEquals(1, node.contact(TENANT, r + "-" + (r % EVENTS_PER_REQUEST)).get("score").asLong());
        }
        var metrics = node.metrics();
        assertEquals(refusals.get(), (long) metrics.value("leadflame_ingestion_requests_refused_total"));
        assertEquals(0, (long) metrics.value("leadflame_ingestion_events_in_flight"), "every admitted write ended");
    }

    @Test
    void anIdleNodeTakesARequestAsLargeAsTheApiAllowsAndOnlyThat() {
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        HttpReply whole = node.postNdjson(TENANT, request(1000, at));
        assertEquals(202, whole.status(), whole.body());
        String tooMany = request(1001, at) + activity("x", "page_visited", at) + "\n";
        assertError(node.postNdjson(TENANT, tooMany), 413, "too_large");
    }

    @Test
    void admissionTakesARequestWholeOrNotAtAllAndAnIdleNodeTakesAnySize() {
        WriteAdmission admission = new WriteAdmission(100);
        WriteAdmission.Ticket first = admission.tryAdmit(80).orElseThrow();
        assertTrue(admission.tryAdmit(41).isEmpty(), "80 + 41 is past 100: refused whole");
        assertEquals(80, admission.inFlight(), "a refusal takes nothing");
        first.keep(60);
        assertEquals(60, admission.inFlight(), "parsed: the request holds 60 valid events");
        WriteAdmission.Ticket second = admission.tryAdmit(40).orElseThrow();
        first.release();
        first.release();
        second.release();
        assertEquals(0, admission.inFlight(), "a second release gives back nothing more");
        WriteAdmission.Ticket large = admission.tryAdmit(500).orElseThrow(() -> new AssertionError("idle: any size"));
        assertTrue(admission.tryAdmit(1).isEmpty());
        large.release();
        assertEquals(0, admission.inFlight());
    }

    @Test
    void aRequestIsAdmittedForTheMostEventsItsBodyCanHold() {
        assertEquals(10_000, WriteAdmission.mostEvents(OptionalLong.empty(), 10_000), "chunked: as many as allowed");
        assertEquals(10_000, WriteAdmission.mostEvents(OptionalLong.of(8L << 20), 10_000));
        assertEquals(1, WriteAdmission.mostEvents(OptionalLong.of(0L), 10_000));
        String smallest = "{\"contactId\":\"c\",\"type\":\"t\"}";
        assertEquals(1, WriteAdmission.mostEvents(OptionalLong.of((long) smallest.length()), 10_000), smallest);
        String three = smallest + "\n" + smallest + "\n" + smallest;
        assertEquals(3, WriteAdmission.mostEvents(OptionalLong.of((long) three.length()), 10_000), three);
        assertEquals(3, WriteAdmission.mostEvents(OptionalLong.of((long) ("[" + three.replace('\n', ',') + "]").length()),
                10_000), "an array of three");
    }
}

package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.fieldsUpdated;
import static io.leadflame.e2e.E2e.text;
import static io.leadflame.e2e.LeadflameNode.api;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input meant to hurt, each case as it was found to hurt (issue 18) or as it already holds: every
 * one is a clear 4xx in the API's error shape (or a closed connection), saves nothing that was
 * refused, leaves no stack trace in an answer, and leaves the node healthy and every other tenant
 * as it was, across a restart too. The node runs with a small connection and stream budget, so
 * that exhausting it takes tens of connections rather than a thousand.
 */
class HostileInputEndToEndTest {

    private static final int MAX_CONNECTIONS = 64;
    private static final int MAX_STREAMS = 16;
    private static final int MAX_STREAMS_PER_TENANT = 8;
    private static final Config SMALL_BUDGETS = ConfigFactory.parseMap(Map.of(
            "leadflame.http.max-connections", MAX_CONNECTIONS,
            "leadflame.http.sse.max-streams", MAX_STREAMS,
            "leadflame.http.sse.max-streams-per-tenant", MAX_STREAMS_PER_TENANT,
            // A closed stream's place is free once writing to it fails: after two heartbeats.
            "leadflame.http.sse.heartbeat", "500ms"));

    private static final String VISITS_MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "visit", "name": "Visited", "points": 3,
               "criterion": {"type": "activity", "activity": "page_visited"}}]}
            """;
    /** A tenant none of the cases touches: it must be exactly as it was after each of them. */
    private static final String BYSTANDER = "bystander";

    @TempDir
    static Path dataDir;
    static LeadflameNode node;
    private static JsonNode bystanderContact;
    private static JsonNode bystanderModel;

    @BeforeAll
    static void startNode() {
        node = LeadflameNode.start(dataDir, SMALL_BUDGETS);
        node.publish(BYSTANDER, VISITS_MODEL);
        node.record(BYSTANDER, activity("known", "page_visited", now()));
        bystanderContact = node.contact(BYSTANDER, "known");
        bystanderModel = node.model(BYSTANDER);
        assertEquals(3, bystanderContact.get("score").asLong());
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** After every case: the node is ready and the bystander tenant unchanged. */
    @AfterEach
    void theNodeAndOtherTenantsAreUnaffected() {
        assertEquals(200, node.get("/health/alive").status());
        assertEquals(200, node.get("/health/ready").status(), node.get("/health/ready").body());
        assertEquals(bystanderModel, node.model(BYSTANDER));
        assertEquals(bystanderContact, node.contact(BYSTANDER, "known"));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static void restart() {
        node.close();
        node = LeadflameNode.start(dataDir, SMALL_BUDGETS);
    }

    // ---- 1. numbers a model cannot hold; a stored model that cannot be read

    @Test
    void numbersBeyondWhatAModelHoldsAre400WithThePathAndSaveNothing() {
        String tenant = "poison-model";
        for (String number : List.of("1e400", "-1e400", "1e-400")) {
            String model = """
                    {"rules": [{"id": "r", "name": "r", "points": 1, "criterion": {"type": "activity",
                      "activity": "a", "where": [{"field": "n", "op": "gte", "value": %s},
                                                 {"field": "m", "op": "in", "values": [1, %s]}]}}]}
                    """.formatted(number, number);
            JsonNode error = assertError(node.putModel(tenant, model, null), 400, "invalid");
            List<String> paths = new ArrayList<>();
            error.get("details").forEach(d -> paths.add(d.get("path").asText()));
            assertEquals(List.of("rules[0].criterion.where[0].value", "rules[0].criterion.where[1].values[1]"),
                    paths, error.toString());
        }
        // Nothing saved: the tenant still has the default model, and its rescoring is no job.
        assertEquals(0, node.model(tenant).get("version").asLong());
        assertEquals(0, node.get(api(tenant) + "/model/rescoring").json().get("version").asLong());
        // A model within range is taken.
        String fine = """
                {"rules": [{"id": "r", "name": "r", "points": 1, "criterion": {"type": "activity",
                  "activity": "a", "where": [{"field": "n", "op": "gte", "value": 1.7e308}]}}]}
                """;
        assertEquals(1, node.publish(tenant, fine));
    }

    @Test
    void aStoredModelThatCannotBeReadIsIsolatedToItsTenantAcrossARestart() {
        String broken = "broken-model";
        String other = "other-model";
        node.publish(broken, VISITS_MODEL);
        node.record(broken, activity("c-1", "page_visited", now()));
        node.publish(other, VISITS_MODEL);
        node.record(other, activity("c-1", "page_visited", now()));

        // What an earlier release stored and this one cannot read: the issue's own poison model.
        node.storeModelUnvalidated(broken, """
                {"rules":[{"id":"r","name":"r","points":1,"criterion":{"type":"activity","activity":"a",
                  "where":[{"field":"n","op":"gte","value":1e400}]}}]}""");
        JsonNode error = assertError(node.get(api(broken) + "/model"), 500, "internal");
        assertTrue(error.get("message").asText().contains("publish a valid model"), error.toString());
        assertReadyListing(broken);
        // Its contact is not rescored (it still shows the version it had); every other tenant's
        // models still apply, and so does its webhook API, which says what is wrong.
        assertEquals(1, node.contact(broken, "c-1").get("modelVersion").asLong());
        assertError(node.send("PUT", api(broken) + "/webhooks/w", "application/json",
                "{\"url\": \"https://crm.example.com/in\", \"secret\": \"k\", \"trigger\": {\"minFlames\": 4}}"),
                500, "internal");
        node.publish(other, VISITS_MODEL.replace("\"points\": 3", "\"points\": 4"));
        assertEquals(4, node.contact(other, "c-1").get("score").asLong());

        restart();
        assertReadyListing(broken);
        assertError(node.get(api(broken) + "/model"), 500, "internal");
        long version = node.publish(other, VISITS_MODEL.replace("\"points\": 3", "\"points\": 5"));
        assertEquals(3, version);
        assertEquals(5, node.contact(other, "c-1").get("score").asLong());

        // A valid model replaces the unreadable one: the tenant is whole again.
        assertEquals(3, node.publish(broken, VISITS_MODEL.replace("\"points\": 3", "\"points\": 2")));
        assertEquals(2, node.contact(broken, "c-1").get("score").asLong());
        assertEquals(3, node.model(broken).get("version").asLong());
        assertFalse(node.get("/health/ready").json().has("details"), node.get("/health/ready").body());
    }

    private static void assertReadyListing(String tenant) {
        HttpReply ready = node.get("/health/ready");
        assertEquals(200, ready.status(), ready.body());
        JsonNode details = ready.json().get("details");
        assertNotNull(details, ready.body());
        assertEquals(1, details.size(), ready.body());
        assertEquals("tenants/" + tenant + "/model", details.get(0).get("path").asText());
        assertTrue(details.get(0).get("message").asText().contains("rules[0].criterion.where[0].value is a number "
                + "too large"), ready.body());
    }

    // ---- 2. numbers an event cannot hold

    @Test
    void numbersBeyondADoubleInEventsAreRejectedPerEventAndTheContactTakesMore() {
        String tenant = "poison-event";
        Instant at = now();
        HttpReply alone = node.postJson(tenant, fieldsUpdated("c-1", at, "n", 1).put("eventId", "x"));
        assertEquals(202, alone.status(), alone.body());
        ObjectNode huge = fieldsUpdated("c-1", at, "n", 0);
        ((ObjectNode) huge.get("fields")).put("n", new java.math.BigDecimal("1e400"));
        ObjectNode tiny = activity("c-1", "page_visited", at);
        tiny.putObject("attributes").put("m", new java.math.BigDecimal("-1e-400"));
        HttpReply refused = node.postJson(tenant, E2e.array(huge, tiny));
        JsonNode body = assertError(refused, 400, "invalid");
        assertTrue(body.get("rejected").get(0).get("error").asText().startsWith("fields.n is a number too large"),
                body.toString());
        assertTrue(body.get("rejected").get(1).get("error").asText().startsWith("attributes.m is a number too close to 0"),
                body.toString());
        // The contact takes the next update of the same field at the same instant.
        HttpReply next = node.postJson(tenant, fieldsUpdated("c-1", at, "n", 2.5).put("eventId", "y"));
        assertEquals(202, next.status(), next.body());
        assertEquals(2.5, node.contact(tenant, "c-1").get("fields").get("n").asDouble());
    }

    // ---- 3. live streams cannot take every connection

    @Test
    void liveStreamsHaveABudgetAndHealthChecksAndReadsStillAnswer() throws Exception {
        // Requests refused by content negotiation take no place (the tenant's full share opens below).
        for (int i = 0; i < MAX_STREAMS_PER_TENANT + 2; i++) {
            HttpReply refused = node.send(java.net.http.HttpRequest.newBuilder(
                    node.uri(api("streams-a") + "/score-changes")).header("Accept", "application/json").GET());
            assertError(refused, 406, "not_acceptable");
        }
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_STREAMS_PER_TENANT; i++) {
                open.add(openStream("streams-a", 200));
            }
            assertRefusedAndClosed("streams-a", 429);
            for (int i = 0; i < MAX_STREAMS - MAX_STREAMS_PER_TENANT; i++) {
                open.add(openStream("streams-b-" + i, 200));
            }
            // The node is full: many more tries than connections are each refused and closed.
            for (int i = 0; i < 2 * MAX_CONNECTIONS; i++) {
                assertRefusedAndClosed("streams-c", 503);
            }
            // With every stream the node allows open, health checks and reads still answer.
            assertEquals(200, node.get("/health/alive").status());
            assertEquals(200, node.get("/health/ready").status());
            assertEquals(bystanderContact, node.contact(BYSTANDER, "known"));
            assertTrue(node.metrics().value("leadflame_score_changes_streams") >= MAX_STREAMS);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        // Closed streams give their places back.
        eventually(Duration.ofSeconds(20), () -> {
            Socket again = openStream("streams-a", 200);
            again.close();
        });
    }

    /** Opens {@code GET /score-changes} on a connection of its own and asserts the answer's status. */
    private static Socket openStream(String tenant, int expected) throws IOException {
        Socket socket = new Socket("127.0.0.1", node.port());
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET " + api(tenant) + "/score-changes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        Map<String, String> headers = new HashMap<>();
        int status = RawHttp.readHead(socket.getInputStream(), headers);
        if (status != expected) {
            socket.close();
        }
        assertEquals(expected, status, headers.toString());
        if (expected == 200) {
            assertEquals("text/event-stream", headers.get("content-type"));
        }
        return socket;
    }

    private static void assertRefusedAndClosed(String tenant, int status) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + api(tenant) + "/score-changes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            HttpReply refused = RawHttp.readAnswer(in);
            assertError(refused, status, "overloaded");
            assertFalse(refused.header("Retry-After").isEmpty(), "Retry-After");
            // The refused client holds no connection: the server closes it.
            try {
                assertEquals(-1, in.read(), "the connection is closed after a refusal");
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection stayed open after a refusal", e);
            }
        }
    }

    // ---- 4. reads of what does not exist

    @Test
    void readsOfTenantsAndContactsThatDoNotExistWriteNothing() {
        long before = node.journalRows();
        for (int i = 0; i < 30; i++) {
            String tenant = "nobody-" + i;
            assertEquals(0, node.model(tenant).get("version").asLong());
            assertEquals(0, node.get(api(tenant) + "/model/rescoring").json().get("version").asLong());
            assertError(node.getContact(tenant, "c-" + i), 404, "not_found");
            assertError(node.getContact(BYSTANDER, "nobody-" + i), 404, "not_found");
            assertError(node.getScore(BYSTANDER, "nobody-" + i, null), 404, "not_found");
        }
        assertEquals(before, node.journalRows(), "reads must not write to the journal");
        // What does exist still answers.
        assertEquals(1, node.model(BYSTANDER).get("version").asLong());
        assertTrue(node.get(api(BYSTANDER) + "/model/rescoring").json().get("done").asBoolean());
    }

    // ---- 5. one heavy contact

    @Test
    void aContactWithThousandsOfActivitiesUnderAThousandRulesAnswersEveryConcurrentRead() throws Exception {
        String tenant = "heavy";
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            rules.append(i == 0 ? "" : ",").append("""
                    {"id": "r%d", "name": "r%d", "points": 1, "count": "each", "criterion": {"type": "activity",
                     "activity": "visit", "where": [{"field": "n", "op": "gte", "value": %d}]}}""".formatted(i, i, i % 50));
        }
        node.publish(tenant, "{\"idealScore\": 100, \"rules\": [" + rules + "]}");
        Instant start = now().minus(Duration.ofDays(1));
        for (int batch = 0; batch < 2; batch++) {
            List<ObjectNode> events = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                events.add(activity("big", "visit", start.plusSeconds(batch * 10_000L + i), "n", i % 100)
                        .put("eventId", "e-" + batch + "-" + i));
            }
            HttpReply r = node.postNdjson(tenant, E2e.ndjson(events));
            assertEquals(202, r.status(), r.body());
        }
        long expected = node.contact(tenant, "big").get("score").asLong();
        assertTrue(expected > 0);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpReply>> reads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                reads.add(clients.submit(() -> node.getContact(tenant, "big")));
            }
            for (Future<HttpReply> read : reads) {
                HttpReply r = read.get();
                assertEquals(200, r.status(), r.body());
                assertEquals(expected, r.json().get("score").asLong());
            }
        } finally {
            clients.shutdownNow();
        }
    }

    // ---- 6. framing, protocol and encoding

    @Test
    void malformedFramingAndProtocolErrorsAnswerInTheErrorShape() {
        int port = node.port();
        String events = api("framing") + "/events";
        // A chunk size that is no hex number.
        assertError(RawHttp.sendExactly(port, "POST " + events + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n"),
                400, "invalid");
        // A URI beyond the limit (414), headers beyond it (431).
        assertError(RawHttp.sendExactly(port, "GET " + api("framing") + "/contacts/" + "a".repeat(3000)
                + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "too_large");
        assertError(RawHttp.sendExactly(port, "GET /health/alive HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_000)
                + "\r\n\r\n"), 431, "too_large");
        // A bad escape, a missing Host, a request line that is no HTTP.
        assertError(RawHttp.sendExactly(port, "GET " + api("framing") + "/contacts/a%zz HTTP/1.1\r\nHost: x\r\n\r\n"),
                400, "invalid");
        assertError(RawHttp.sendExactly(port, "GET /health/alive HTTP/1.1\r\n\r\n"), 400, "invalid");
        // Smuggling: a length and a chunked body at once is refused, never read as two requests.
        String smuggled = "POST " + events + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health/alive HTTP/1.1\r\nHost: x\r\n\r\n";
        String answers = RawHttp.sendAndReadAll(port, smuggled, 2000);
        assertTrue(answers.isEmpty() || answers.startsWith("HTTP/1.1 400"), answers);
        assertEquals(answers.isEmpty() ? 0 : 1, answers.split("\r\nHTTP/1\\.1 |^HTTP/1\\.1 ", -1).length - 1,
                "one answer at most, never one to the smuggled request: " + answers);
        // Ids that try to leave their place: ../ and NUL.
        assertError(node.getContact("framing", "..%2F..%2Fmodel"), 400, "invalid");
        assertError(node.getContact("framing", "a%00b"), 400, "invalid");
        assertError(node.get("/api/v1/tenants/..%2Fbystander/model"), 400, "invalid");
        // Deep nesting, a number too long, content after the value: Jackson's Java names never show.
        for (String body : List.of("[".repeat(2000) + "]".repeat(2000),
                "{\"contactId\": \"c\", \"type\": \"a\", \"attributes\": {\"n\": " + "1".repeat(1200) + "}}",
                "{\"contactId\": \"c\", \"type\": \"a\"} {\"a\": 1}")) {
            JsonNode error = assertError(node.postJson("framing", body), 400, "invalid");
            String message = error.get("message").asText();
            assertFalse(message.contains("`") || message.contains("Feature") || message.contains("Constraints"),
                    message);
        }
        assertError(node.getContact("framing", "c"), 404, "not_found");
    }

    @Test
    void invalidUtf8IsRejectedPerLineOrAsAWholeBody() {
        String tenant = "utf8";
        byte[] bad = {'"', 'a', (byte) 0xFF, (byte) 0xFE, '"'};
        byte[] surrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        String good = text(activity("c-1", "page_visited", now(), "s", "café"));
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        ndjson.writeBytes(("{\"contactId\": \"c-2\", \"type\": \"page_visited\", \"attributes\": {\"s\": ")
                .getBytes(StandardCharsets.UTF_8));
        ndjson.writeBytes(bad);
        ndjson.writeBytes("}}\n".getBytes(StandardCharsets.UTF_8));
        ndjson.writeBytes((good + "\n").getBytes(StandardCharsets.UTF_8));
        HttpReply r = post(tenant, "application/x-ndjson", ndjson.toByteArray());
        assertEquals(202, r.status(), r.body());
        assertEquals(1, r.json().get("accepted").asInt());
        assertEquals("not valid UTF-8", r.json().get("rejected").get(0).get("error").asText());
        assertEquals(200, node.getContact(tenant, "c-1").status());
        assertError(node.getContact(tenant, "c-2"), 404, "not_found");

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        json.writeBytes("{\"contactId\": \"c-3\", \"type\": \"page_visited\", \"attributes\": {\"s\": "
                .getBytes(StandardCharsets.UTF_8));
        json.writeBytes(surrogate);
        json.writeBytes("}}".getBytes(StandardCharsets.UTF_8));
        assertError(post(tenant, "application/json", json.toByteArray()), 400, "invalid");
        assertError(node.getContact(tenant, "c-3"), 404, "not_found");
    }

    private static HttpReply post(String tenant, String contentType, byte[] body) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST " + api(tenant) + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(body);
        return RawHttp.sendExactly(node.port(), request.toByteArray());
    }

    // ---- 6. what the API shows

    @Test
    void aWebhookUrlsCredentialsAreNeverShown() {
        String tenant = "hook-credentials";
        // A public address (receivers must be public, and this machine may resolve no names).
        String body = "{\"url\": \"https://crm-user:s3cr3t-pass@93.184.216.34:8443/in?x=1\", "
                + "\"secret\": \"k\", \"trigger\": {\"minFlames\": 4}}";
        HttpReply put = node.send("PUT", api(tenant) + "/webhooks/w", "application/json", body);
        assertEquals(201, put.status(), put.body());
        for (HttpReply r : List.of(put, node.get(api(tenant) + "/webhooks/w"), node.get(api(tenant) + "/webhooks"))) {
            assertFalse(r.body().contains("s3cr3t") || r.body().contains("crm-user"), r.body());
            assertTrue(r.body().contains("https://***@93.184.216.34:8443/in?x=1"), r.body());
        }
        node.send("DELETE", api(tenant) + "/webhooks/w", null, null);
    }

    @Test
    void aFinishedRescoringStaysFinishedAcrossARestart() {
        String tenant = "finished-rescoring";
        for (int i = 0; i < 3; i++) {
            node.record(tenant, activity("c-" + i, "page_visited", now()));
        }
        long version = node.publish(tenant, VISITS_MODEL);
        JsonNode finished = node.awaitRescored(tenant, version);
        assertEquals(3, finished.get("contacts").asLong(), finished.toString());

        restart();
        JsonNode after = node.get(api(tenant) + "/model/rescoring").json();
        assertEquals(finished, after);
    }
}

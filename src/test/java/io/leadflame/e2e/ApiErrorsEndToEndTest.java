package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.text;
import static io.leadflame.e2e.LeadflameNode.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every error of API.md over HTTP: the status, the error shape
 * {@code {"error": CODE, "message": ...}}, and that the rejected request changed nothing.
 * (500 and 503 are covered by {@code ErrorHandlingTest}.)
 */
class ApiErrorsEndToEndTest extends OneNodeTest {

    private static final String VISITS_MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "visit", "name": "Visited", "points": 3,
               "criterion": {"type": "activity", "activity": "page_visited"}}]}
            """;

    private static String visit(String contactId) {
        return text(activity(contactId, "page_visited", now()));
    }

    /** A tenant with the visits model and one known contact "known" (score 3). */
    private static void knownContact(String tenant) {
        node.publish(tenant, VISITS_MODEL);
        node.record(tenant, E2e.parse(visit("known")));
        assertEquals(3, node.contact(tenant, "known").get("score").asLong());
    }

    private static void assertUnchanged(String tenant, JsonNode contactBefore, JsonNode modelBefore) {
        assertEquals(contactBefore, node.contact(tenant, "known"));
        assertEquals(modelBefore, node.model(tenant));
    }

    @Test
    void bodiesThatAreNotJsonAreRefusedWhole() {
        String tenant = "not-json";
        knownContact(tenant);
        JsonNode contact = node.contact(tenant, "known");
        JsonNode model = node.model(tenant);
        List<String> bodies = List.of(
                "hello",
                "",
                "42",
                "\"page_visited\"",
                visit("x-1").substring(0, 30),
                // A valid event first, then a syntax error: the array is refused as a whole.
                "[" + visit("x-1") + ", " + visit("known") + ", {\"contactId\": ]",
                "[" + visit("x-1") + "] trailing");
        for (String body : bodies) {
            assertError(node.postJson(tenant, body), 400, "invalid");
        }
        assertError(node.getContact(tenant, "x-1"), 404, "not_found");
        assertUnchanged(tenant, contact, model);
    }

    @Test
    void anInvalidModelListsEveryProblemAndChangesNothing() {
        String tenant = "invalid-model";
        knownContact(tenant);
        JsonNode contact = node.contact(tenant, "known");
        JsonNode model = node.model(tenant);
        String invalid = """
                {"enabled": "yes", "idealScore": 0,
                 "ranges": [{"name": "warm", "min": 5, "color": "orangish"}],
                 "limits": {"fit": {"min": 10, "max": 5}},
                 "rules": [
                   {"id": "fine", "name": "Fine", "points": 1,
                    "criterion": {"type": "activity", "activity": "page_visited"}},
                   {"id": "zero", "name": "Zero", "points": 0,
                    "criterion": {"type": "activity", "activity": "page_visited"}},
                   {"id": "Bad ID", "name": "Months", "points": 5, "expiresAfter": "P1M",
                    "criterion": {"type": "tag", "anyOf": ["x"]}},
                   {"id": "big", "name": "Too many points", "points": 2000,
                    "criterion": {"type": "activity", "activity": "email_opened",
                                  "where": [{"field": "n", "op": "gt", "value": "ten"}]}},
                   {"id": "field-exp", "name": "Field rule with expiry", "points": 1, "expiresAfter": "P1D",
                    "criterion": {"type": "field", "field": "title", "op": "exists"}},
                   {"id": "each-tag", "name": "Each on a tag", "points": 1, "count": "each",
                    "criterion": {"type": "tag", "anyOf": ["y"]}},
                   {"id": "fine", "name": "Same id again", "points": 1,
                    "criterion": {"type": "activity", "activity": "link_clicked"}},
                   {"id": "no-criterion", "name": "No criterion", "points": 1},
                   {"id": "inactive", "name": "Bad duration", "points": -1,
                    "criterion": {"type": "inactivity", "activity": "email_opened", "for": "P1Y"}}]}
                """;
        JsonNode error = assertError(node.putModel(tenant, invalid, null), 400, "invalid");
        Set<String> paths = new TreeSet<>();
        for (JsonNode d : error.get("details")) {
            paths.add(d.get("path").asText());
            assertFalse(d.get("message").asText().isBlank(), d.toString());
        }
        Set<String> expected = Set.of(
                "enabled", "idealScore", "ranges[0].color", "limits.fit",
                "rules[1].points", "rules[2].id", "rules[2].expiresAfter",
                "rules[3].points", "rules[3].criterion.where[0].value",
                "rules[4].expiresAfter", "rules[5].count", "rules[6].id",
                "rules[7].criterion", "rules[8].criterion.for");
        assertTrue(paths.containsAll(expected), "missing " + difference(expected, paths) + " in " + paths);
        assertFalse(paths.contains("rules[0].id") || paths.contains("rules[0].points"), paths.toString());
        assertUnchanged(tenant, contact, model);

        // A body that is not a JSON object at all is invalid too.
        assertError(node.putModel(tenant, "[1, 2]", null), 400, "invalid");
        assertError(node.putModel(tenant, "{\"rules\": [", null), 400, "invalid");
        assertUnchanged(tenant, contact, model);
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    @Test
    void anInvalidTenantOrContactIdInThePathIs400() {
        String tenant = "paths";
        knownContact(tenant);
        for (String bad : List.of("Paths", "-paths", "pa_ths", "p".repeat(64), "p%20aths")) {
            assertError(node.get(api(bad) + "/model"), 400, "invalid");
            assertError(node.get(api(bad) + "/contacts/known"), 400, "invalid");
            assertError(node.putModel(bad, VISITS_MODEL, null), 400, "invalid");
            assertError(node.send("POST", api(bad) + "/events", "application/json", visit("known")),
                    400, "invalid");
        }
        // Nothing was recorded under a look-alike tenant, and the real one is untouched.
        assertEquals(3, node.contact(tenant, "known").get("score").asLong());
        assertEquals(1, node.model(tenant).get("version").asLong());

        for (String bad : List.of("bad%20id", "x".repeat(129), "%C3%A9", "a%2Cb")) {
            assertError(node.get(api(tenant) + "/contacts/" + bad), 400, "invalid");
            assertError(node.get(api(tenant) + "/contacts/" + bad + "/score"), 400, "invalid");
        }
        // The longest and the most unusual valid contact ids are fine.
        String longest = "A".repeat(127) + "z";
        String unusual = "a.b_c:d@e+f-9";
        node.record(tenant, E2e.parse(visit(longest)), E2e.parse(visit(unusual)));
        assertEquals(3, node.contact(tenant, longest).get("score").asLong());
        assertEquals(3, node.contact(tenant, unusual).get("score").asLong());
    }

    @Test
    void unknownContactsAndPathsAre404() {
        String tenant = "not-found";
        knownContact(tenant);
        assertError(node.getContact(tenant, "never-seen"), 404, "not_found");
        assertError(node.getScore(tenant, "never-seen", null), 404, "not_found");
        // Looking does not create it.
        assertError(node.getContact(tenant, "never-seen"), 404, "not_found");
        assertError(node.getContact("fresh-tenant", "known"), 404, "not_found");
        // (The tenant's own path answers DELETE only, the operator's deletion: a GET there is 405.)
        for (String path : List.of("/api", "/ui/nothing.js", "/api/v2/tenants/" + tenant + "/model",
                api(tenant) + "/nothing", api(tenant) + "/contacts", api(tenant) + "/contacts/known/tags",
                api(tenant) + "/model/nothing", api(tenant) + "/model/versions/one")) {
            assertError(node.get(path), 404, "not_found");
        }
    }

    @Test
    void aWrongMethodIs405AndChangesNothing() {
        String tenant = "wrong-method";
        knownContact(tenant);
        JsonNode contact = node.contact(tenant, "known");
        JsonNode model = node.model(tenant);
        List<HttpRequest.Builder> wrong = List.of(
                HttpRequest.newBuilder(node.uri(api(tenant) + "/model")).DELETE(),
                HttpRequest.newBuilder(node.uri(api(tenant) + "/model")).POST(
                        HttpRequest.BodyPublishers.ofString(VISITS_MODEL)).header("Content-Type", "application/json"),
                HttpRequest.newBuilder(node.uri(api(tenant) + "/events")).GET(),
                HttpRequest.newBuilder(node.uri(api(tenant) + "/events")).PUT(
                        HttpRequest.BodyPublishers.ofString(visit("known"))).header("Content-Type", "application/json"),
                HttpRequest.newBuilder(node.uri(api(tenant) + "/contacts/known")).method("PATCH",
                        HttpRequest.BodyPublishers.ofString(visit("known"))).header("Content-Type", "application/json"),
                HttpRequest.newBuilder(node.uri(api(tenant) + "/contacts/known")).POST(
                        HttpRequest.BodyPublishers.ofString(visit("known"))).header("Content-Type", "application/json"),
                HttpRequest.newBuilder(node.uri(api(tenant) + "/model/rescoring")).PUT(
                        HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json"));
        for (HttpRequest.Builder request : wrong) {
            HttpReply r = node.send(request);
            assertError(r, 405, "method_not_allowed");
            assertFalse(r.header("Allow").isBlank(), "405 says what is allowed");
        }
        assertUnchanged(tenant, contact, model);
    }

    @Test
    void aConditionalPutOnAnotherVersionIs412() {
        String tenant = "if-match";
        // A tenant that never set a model is at version 0: "3" does not match.
        JsonNode error = assertError(node.putModel(tenant, VISITS_MODEL, "\"3\""), 412, "conflict");
        assertTrue(error.get("message").asText().contains("0"), "says the current version: " + error);
        JsonNode fresh = node.model(tenant);
        assertEquals(0, fresh.get("version").asLong());
        assertEquals(0, fresh.get("rules").size());

        HttpReply first = node.putModel(tenant, VISITS_MODEL, "\"0\"");
        assertEquals(200, first.status(), first.body());
        assertEquals(1, first.json().get("version").asLong());
        node.awaitRescored(tenant, 1);
        node.record(tenant, E2e.parse(visit("known")));
        JsonNode contact = node.contact(tenant, "known");
        JsonNode model = node.model(tenant);
        String other = VISITS_MODEL.replace("\"points\": 3", "\"points\": 7");
        assertError(node.putModel(tenant, other, "\"0\""), 412, "conflict");
        assertError(node.putModel(tenant, other, "\"2\""), 412, "conflict");
        assertUnchanged(tenant, contact, model);
    }

    @Test
    void tooManyEventsOrTooLargeABodyIs413() {
        String tenant = "too-large";
        knownContact(tenant);
        JsonNode contact = node.contact(tenant, "known");
        String one = visit("big-1");

        // 10,001 events, as a JSON array and as NDJSON: refused, none recorded.
        StringBuilder array = new StringBuilder("[");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i <= 10_000; i++) {
            array.append(i == 0 ? "" : ",").append(one);
            lines.append(one).append('\n');
        }
        array.append(']');
        assertError(node.postJson(tenant, array.toString()), 413, "too_large");
        assertError(node.postNdjson(tenant, lines.toString()), 413, "too_large");

        // A body over 8 MiB: refused, nothing recorded. Announced with Content-Length, the refusal
        // must come from the length alone (the body is never sent); streamed in chunks (one event
        // padded with whitespace), once the limit is passed (the test stops writing 1 byte past
        // 8 MiB and reads the answer).
        String events = api(tenant) + "/events";
        long overLimit = 8L * 1024 * 1024 + 1;
        assertError(RawHttp.exchange(node.port(), "POST " + events + " HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + overLimit, out -> { }), 413, "too_large");
        byte[] padded = ("[" + one + " ".repeat(8 * 1024 * 1024) + "]").getBytes(StandardCharsets.UTF_8);
        byte[] justOver = java.util.Arrays.copyOf(padded, (int) overLimit);
        assertError(RawHttp.exchange(node.port(), "POST " + events + " HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked",
                RawHttp.chunks(justOver, 64 * 1024)), 413, "too_large");
        assertError(node.getContact(tenant, "big-1"), 404, "not_found");
        assertEquals(contact, node.contact(tenant, "known"));

        // A model over 8 MiB is refused the same way, and the model stays as it was.
        JsonNode model = node.model(tenant);
        assertError(RawHttp.exchange(node.port(), "PUT " + api(tenant) + "/model HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + overLimit, out -> { }), 413, "too_large");
        assertEquals(model, node.model(tenant));
    }

    @Test
    void exactlyTheLimitOfEventsIsAccepted() {
        String tenant = "at-the-limit";
        knownContact(tenant);
        // 10,000 events over 100 contacts: the limit itself is allowed.
        List<JsonNode> events = new ArrayList<>(10_000);
        Instant t = now();
        for (int i = 0; i < 10_000; i++) {
            events.add(activity("limit-" + (i % 100), "page_visited", t.minusSeconds(i)));
        }
        HttpReply r = node.postNdjson(tenant, E2e.ndjson(events));
        assertEquals(202, r.status(), r.body());
        assertEquals(10_000, r.json().get("accepted").asInt(), r.body());
        assertEquals(3, node.contact(tenant, "limit-42").get("score").asLong());
    }

    @Test
    void otherMediaTypesAre415() {
        String tenant = "media-types";
        knownContact(tenant);
        JsonNode contact = node.contact(tenant, "known");
        JsonNode model = node.model(tenant);
        assertError(node.send("POST", api(tenant) + "/events", "text/plain", visit("m-1")),
                415, "unsupported_media_type");
        assertError(node.send("POST", api(tenant) + "/events", "application/x-www-form-urlencoded",
                "contactId=m-1&type=page_visited"), 415, "unsupported_media_type");
        assertError(node.send("POST", api(tenant) + "/events", "application/xml",
                "<event contactId=\"m-1\" type=\"page_visited\"/>"), 415, "unsupported_media_type");
        assertError(node.send("POST", api(tenant) + "/events", null, visit("m-1")),
                415, "unsupported_media_type");
        assertError(node.getContact(tenant, "m-1"), 404, "not_found");

        String changed = VISITS_MODEL.replace("\"points\": 3", "\"points\": 9");
        assertError(node.send("PUT", api(tenant) + "/model", "text/plain", changed), 415, "unsupported_media_type");
        assertError(node.send("PUT", api(tenant) + "/model", "application/x-www-form-urlencoded", "idealScore=5"),
                415, "unsupported_media_type");
        assertUnchanged(tenant, contact, model);

        // JSON with a charset parameter is still JSON.
        HttpReply withCharset = node.send("POST", api(tenant) + "/events", "application/json; charset=utf-8", visit("m-2"));
        assertEquals(202, withCharset.status(), withCharset.body());
    }
}

package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model's history (issue 16): every published version with who published it and when, each
 * readable as it was, what changed between two, and one call that publishes an earlier version
 * again — rescoring every contact under it, as any change does — all surviving a restart.
 */
class ModelHistoryEndToEndTest extends NodePerTest {

    private static final String OPERATOR_KEY = ApiKeysEndToEndTest.OPERATOR_KEY;
    private static final String TENANT = "history";
    private static final String V1 = """
            {"idealScore": 10, "rules": [
              {"id": "visit", "name": "Visits", "points": 1, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}}]}""";
    private static final String V2 = """
            {"idealScore": 20, "rules": [
              {"id": "visit", "name": "Visits", "points": 2, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}},
              {"id": "demo", "name": "Asked for a demo", "points": 5,
               "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""";
    private static final String V3 = """
            {"idealScore": 20, "rules": [
              {"id": "visit", "name": "Visits", "points": 3, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}}]}""";

    private LeadflameNode start() {
        return LeadflameNode.start(dataDir, ConfigFactory.parseMap(Map.of("leadflame.auth.operator-key", OPERATOR_KEY)));
    }

    @Test
    void everyVersionIsKeptWithItsAuthorDiffableAndOneCallRestoresIt() {
        node = start();
        String api = LeadflameNode.api(TENANT);
        HttpReply created = node.send("POST", api + "/keys", "application/json",
                "{\"name\": \"Ops team\", \"role\": \"admin\"}");
        assertEquals(201, created.status(), created.body());
        String ops = created.json().path("key").asText();
        HttpReply created2 = node.send("POST", api + "/keys", "application/json",
                "{\"name\": \"BI export\", \"role\": \"read\"}");
        String reader = created2.json().path("key").asText();

        node.publish(TENANT, V1);
        ObjectNode v1AsPublished = (ObjectNode) node.model(TENANT);
        assertEquals(200, as(ops, "PUT", api + "/model", V2, null).status());
        node.awaitRescored(TENANT, 2);
        assertEquals(200, as(ops, "PUT", api + "/model", V3, null).status());
        node.awaitRescored(TENANT, 3);
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
        node.record(TENANT, activity("c-1", "page_visited", t).put("eventId", "e1"),
                activity("c-1", "page_visited", t.plusSeconds(1)).put("eventId", "e2"),
                tagApplied("c-1", "demo", t.plusSeconds(2)).put("eventId", "e3"));
        assertEquals(6, node.contact(TENANT, "c-1").get("score").asLong(), "two visits at 3 points under v3");

        // The list: newest first, with who and when, a page at a time.
        JsonNode list = as(reader, "GET", api + "/model/versions", null, null).json();
        assertEquals(List.of(3L, 2L, 1L), versions(list), list.toString());
        assertEquals(List.of("Ops team", "Ops team", "operator"), authors(list), list.toString());
        assertTrue(list.get("versions").get(0).get("restoredFrom").isNull(), list.toString());
        assertTrue(list.get("next").isNull(), list.toString());
        JsonNode page = node.get(api + "/model/versions?limit=2").json();
        assertEquals(List.of(3L, 2L), versions(page));
        assertEquals(2, page.get("next").asLong(), page.toString());
        JsonNode rest = node.get(api + "/model/versions?limit=2&before=2").json();
        assertEquals(List.of(1L), versions(rest));
        assertTrue(rest.get("next").isNull(), rest.toString());
        assertError(node.get(api + "/model/versions?limit=0"), 400, "invalid");

        // One version, as GET /model showed it when it was current, with its author.
        JsonNode first = node.get(api + "/model/versions/1").json();
        ObjectNode withoutAuthor = first.deepCopy();
        withoutAuthor.remove(List.of("by", "restoredFrom"));
        assertEquals(v1AsPublished, withoutAuthor);
        assertEquals("operator", first.get("by").asText());
        assertError(node.get(api + "/model/versions/9"), 404, "not_found");

        // What changed, from 1 to the current version and from 2 to 3.
        JsonNode toCurrent = node.get(api + "/model/versions/1/diff").json();
        assertEquals(1, toCurrent.get("from").asLong());
        assertEquals(3, toCurrent.get("to").asLong());
        assertEquals("idealScore", toCurrent.get("settings").get(0).get("name").asText(), toCurrent.toString());
        assertEquals(10, toCurrent.get("settings").get(0).get("from").asLong());
        assertEquals(20, toCurrent.get("settings").get(0).get("to").asLong());
        assertEquals(1, toCurrent.get("settings").size(), toCurrent.toString());
        assertEquals("visit", toCurrent.at("/rules/changed/0/id").asText(), toCurrent.toString());
        assertEquals("[\"points\"]", toCurrent.at("/rules/changed/0/fields").toString());
        JsonNode twoToThree = node.get(api + "/model/versions/2/diff?to=3").json();
        assertEquals("demo", twoToThree.at("/rules/removed/0/id").asText(), twoToThree.toString());
        assertEquals(0, twoToThree.at("/rules/added").size());
        assertEquals(0, twoToThree.get("settings").size(), twoToThree.toString());
        assertError(node.get(api + "/model/versions/1/diff?to=7"), 404, "not_found");
        assertError(node.get(api + "/model/versions/1/diff?to=seven"), 400, "invalid");

        // Restoring: a stale If-Match is refused and changes nothing; a read key may not restore.
        assertError(as(ops, "POST", api + "/model/versions/1/restore", null, "\"2\""), 412, "conflict");
        assertError(as(reader, "POST", api + "/model/versions/1/restore", null, null), 403, "forbidden");
        assertError(as(ops, "POST", api + "/model/versions/42/restore", null, null), 404, "not_found");
        assertEquals(3, node.model(TENANT).get("version").asLong(), "nothing published by a refused restore");
        HttpReply restored = as(ops, "POST", api + "/model/versions/1/restore", null, "\"3\"");
        assertEquals(200, restored.status(), restored.body());
        assertEquals(4, restored.json().get("version").asLong());
        assertEquals("\"4\"", restored.header("ETag"));
        node.awaitRescored(TENANT, 4);
        assertEquals(rulesOf(v1AsPublished), rulesOf(node.model(TENANT)), "version 1's model is current again");
        assertEquals(2, node.contact(TENANT, "c-1").get("score").asLong(), "rescored under it: two visits at 1");
        JsonNode afterRestore = node.get(api + "/model/versions").json();
        assertEquals(List.of(4L, 3L, 2L, 1L), versions(afterRestore));
        assertEquals(1, afterRestore.get("versions").get(0).get("restoredFrom").asLong(), afterRestore.toString());
        assertEquals("Ops team", afterRestore.get("versions").get(0).get("by").asText());

        // All of it is the journal's: a restarted node shows the same history.
        node.close();
        node = null;
        node = start();
        assertEquals(afterRestore, node.get(api + "/model/versions").json());
        assertEquals(first, node.get(api + "/model/versions/1").json());
        assertEquals(2, node.contact(TENANT, "c-1").get("score").asLong());
    }

    @Test
    void aTenantThatNeverPublishedHasNoHistory() {
        node = start();
        JsonNode none = node.get(LeadflameNode.api("fresh") + "/model/versions").json();
        assertEquals(0, none.get("versions").size(), none.toString());
        assertError(node.get(LeadflameNode.api("fresh") + "/model/versions/1/diff"), 404, "not_found");
    }

    private HttpReply as(String key, String method, String path, String body, String ifMatch) {
        HttpRequest.Builder b = HttpRequest.newBuilder(node.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Authorization", "Bearer " + key);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        return node.send(b);
    }

    private static List<Long> versions(JsonNode list) {
        return E2e.longs(list.get("versions"), "version");
    }

    private static List<String> authors(JsonNode list) {
        return E2e.texts(list.get("versions"), "by");
    }

    private static JsonNode rulesOf(JsonNode model) {
        ObjectNode copy = model.deepCopy();
        copy.remove(List.of("version", "updatedAt"));
        return copy;
    }
}

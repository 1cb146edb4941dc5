package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keap-compatible reads (issue 16): an Infusionsoft/Keap integration pointed at
 * {@code /keap/{tenant}/crm/rest} reads a contact's lead score as Keap's REST v2 answers
 * {@code GET /v2/contacts/{id}/leadScore}: the flame count as a string and when it was last
 * updated, with the tenant API's keys and roles.
 */
class KeapReadsEndToEndTest extends NodePerTest {

    private static final String OPERATOR_KEY = ApiKeysEndToEndTest.OPERATOR_KEY;
    private static final String TENANT = "keap";
    private static final String MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "visit", "name": "Visits", "points": POINTS, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}}]}""";

    private static String leadScore(String tenant, String contactId) {
        return "/keap/" + tenant + "/crm/rest/v2/contacts/" + contactId + "/leadScore";
    }

    @Test
    void aContactsFlamesAndWhenTheyLastChangedInKeapsShape() {
        node = LeadflameNode.start(dataDir, ConfigFactory.parseMap(Map.of("leadflame.auth.operator-key", OPERATOR_KEY)));
        String api = LeadflameNode.api(TENANT);
        node.publish(TENANT, MODEL.replace("POINTS", "2"));
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
        node.record(TENANT, activity("c-1", "page_visited", t).put("eventId", "v1"),
                activity("c-1", "page_visited", t.plusSeconds(1)).put("eventId", "v2"),
                activity("c-1", "page_visited", t.plusSeconds(2)).put("eventId", "v3"));
        String reader = node.send("POST", api + "/keys", "application/json",
                "{\"name\": \"Keap integration\", \"role\": \"read\"}").json().path("key").asText();
        String ingest = node.send("POST", api + "/keys", "application/json",
                "{\"name\": \"Sync\", \"role\": \"ingest\"}").json().path("key").asText();

        // 6 points of an ideal 10: 3 flames. The model was published after the events.
        JsonNode score = as(reader, leadScore(TENANT, "c-1")).json();
        assertEquals(List.of("score", "last_updated"), fieldNames(score), score.toString());
        assertEquals("3", score.get("score").asText());
        assertEquals(node.model(TENANT).get("updatedAt").asText(), score.get("last_updated").asText());

        // Rescored under a new version: the flames and the instant follow it.
        node.publish(TENANT, MODEL.replace("POINTS", "3"));
        JsonNode rescored = as(reader, leadScore(TENANT, "c-1")).json();
        assertEquals("4", rescored.get("score").asText(), rescored.toString());
        assertEquals(node.model(TENANT).get("updatedAt").asText(), rescored.get("last_updated").asText());

        // A newer event than the model: its instant.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        node.record(TENANT, activity("c-1", "page_visited", now).put("eventId", "v4"));
        JsonNode afterEvent = as(reader, leadScore(TENANT, "c-1")).json();
        assertEquals("5", afterEvent.get("score").asText(), afterEvent.toString());
        assertEquals(now, Instant.parse(afterEvent.get("last_updated").asText()));

        assertError(as(reader, leadScore(TENANT, "nobody")), 404, "not_found");
        assertError(as(reader, leadScore(TENANT, "bad id")), 400, "invalid");
        assertError(as(ingest, leadScore(TENANT, "c-1")), 403, "forbidden");
        assertError(as("lf_0123456789abcdef_guess", leadScore(TENANT, "c-1")), 401, "unauthorized");
        assertError(as(reader, leadScore("globex", "c-1")), 403, "forbidden");
    }

    private HttpReply as(String key, String path) {
        return node.send(HttpRequest.newBuilder(node.uri(path.replace(" ", "%20"))).GET()
                .header("Authorization", "Bearer " + key));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

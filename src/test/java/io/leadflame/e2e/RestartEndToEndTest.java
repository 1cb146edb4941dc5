package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.fieldsUpdated;
import static io.leadflame.e2e.E2e.tagApplied;
import static io.leadflame.e2e.E2e.tagRemoved;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node stopped and a new one started on the same data dir shows the same scores, the same
 * models and versions, and still knows which event ids it has seen: the journal is the truth,
 * and what is derived from it (scores, timers, the model catalog) is derived again.
 */
class RestartEndToEndTest extends NodePerTest {

    private static final String MODEL = """
            {"idealScore": 40,
             "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"},
                        {"name": "warm", "min": 10, "color": "#f5a623"}],
             "limits": {"engagement": {"max": 30}},
             "rules": [
               {"id": "event", "name": "Met us", "points": 6, "expiresAfter": "P14D",
                "criterion": {"type": "tag", "anyOf": ["conf", "meetup"]}},
               {"id": "revenue", "name": "Revenue over 2.5M", "category": "fit", "points": 7,
                "criterion": {"type": "field", "field": "revenueM", "op": "gt", "value": 2.5}},
               {"id": "trial", "name": "On a trial", "category": "fit", "points": 3,
                "criterion": {"type": "field", "field": "trial", "op": "eq", "value": true}},
               {"id": "long_reads", "name": "Long reads", "points": 2, "count": "each", "maxPoints": 20,
                "expiresAfter": "P60D",
                "criterion": {"type": "activity", "activity": "page_visited",
                              "where": [{"field": "seconds", "op": "gte", "value": 90.5}]}},
               {"id": "quiet", "name": "No email opened for 30 days", "points": -4,
                "criterion": {"type": "inactivity", "activity": "email_opened", "for": "P30D"}}]}
            """;

    @Test
    void aRestartedNodeShowsTheSameScoresModelsAndDuplicates() {
        node = LeadflameNode.start(dataDir);
        String tenant = "restart";
        // Three versions, so that the version number itself must survive.
        node.publish(tenant, MODEL.replace("\"points\": 6", "\"points\": 1"));
        node.publish(tenant, MODEL.replace("\"points\": 6", "\"points\": 2"));
        long version = node.publish(tenant, MODEL);
        assertEquals(3, version);
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Duration day = Duration.ofDays(1);

        // k-1: tags (one removed), decimal/boolean/large fields, activities with decimal attributes.
        node.record(tenant,
                tagApplied("k-1", "conf", t.minus(day.multipliedBy(3))).put("eventId", "k1-e1"),
                tagApplied("k-1", "meetup", t.minus(day.multipliedBy(2))).put("eventId", "k1-e2"),
                tagRemoved("k-1", "meetup", t.minus(day)).put("eventId", "k1-e3"),
                fieldsUpdated("k-1", t.minus(day.multipliedBy(4)),
                        "revenueM", 12.75, "trial", true, "accountId", 12345678901234L, "name", "Ada")
                        .put("eventId", "k1-e4"),
                activity("k-1", "page_visited", t.minus(day.multipliedBy(5)), "seconds", 120.25)
                        .put("eventId", "k1-e5"),
                activity("k-1", "page_visited", t.minus(day.multipliedBy(5)), "seconds", 90.4)
                        .put("eventId", "k1-e6"),
                activity("k-1", "email_opened", t.minus(day.multipliedBy(40))).put("eventId", "k1-e7"));
        // k-1: event 6 (conf until t + 11d) + revenue 7 + trial 3 + long_reads 2 (90.4 < 90.5)
        // + quiet -4 (last open 40 days ago, known for 40 days) = 14.
        JsonNode k1 = node.contact(tenant, "k-1");
        assertEquals(14, k1.get("score").asLong(), k1.toString());

        // k-snap: 150 events, so that it recovers from a snapshot (every 100 events) plus the rest.
        List<JsonNode> many = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            many.add(activity("k-snap", "page_visited", t.minus(Duration.ofHours(i + 1)), "seconds", 100 + i)
                    .put("eventId", "snap-" + i));
        }
        for (int i = 0; i < many.size(); i += 50) {
            node.record(tenant, many.subList(i, i + 50).toArray(JsonNode[]::new));
        }
        // 150 long reads * 2 = 300, bounded to 20; quiet does not hold (known for under 30 days).
        assertEquals(20, node.contact(tenant, "k-snap").get("score").asLong());

        // A tenant that never set a model, with a contact.
        node.record("restart-default", activity("d-1", "page_visited", t).put("eventId", "d1-e1"));

        Map<String, JsonNode> before = new LinkedHashMap<>();
        for (String id : List.of("k-1", "k-snap")) {
            before.put(tenant + "/" + id, node.contact(tenant, id));
        }
        before.put("restart-default/d-1", node.contact("restart-default", "d-1"));
        JsonNode modelBefore = node.model(tenant);
        JsonNode defaultModelBefore = node.model("restart-default");

        node.close();
        node = null;
        node = LeadflameNode.start(dataDir);

        // Until the three stored contacts are back, the node says so; then the call list is whole.
        eventually(Duration.ofSeconds(30), () -> {
            JsonNode ready = node.get("/health/ready").json();
            if (ready.path("status").asText().equals("recovering")) {
                JsonNode recovery = ready.get("recovery");
                assertTrue(recovery.get("contactsStored").isNull() || recovery.get("contactsStored").asLong() == 3,
                        ready.toString());
            }
            assertEquals("ready", ready.path("status").asText(), ready.toString());
            assertTrue(ready.path("recovery").isMissingNode(), ready.toString());
        });
        JsonNode stats = node.get(LeadflameNode.api(tenant) + "/stats").json();
        assertEquals(2, stats.get("contacts").asLong(), stats.toString());
        assertEquals(false, stats.get("partial").asBoolean(true), stats.toString());
        JsonNode leads = node.get(LeadflameNode.api(tenant) + "/leads").json();
        assertEquals(2, leads.get("leads").size(), leads.toString());
        assertEquals(false, leads.get("partial").asBoolean(true), leads.toString());

        // The same answers, field for field (scores, breakdowns, expiries, tags, fields, times).
        before.forEach((key, answer) -> {
            String[] parts = key.split("/");
            assertEquals(answer, node.contact(parts[0], parts[1]), key + " after the restart");
        });
        assertEquals(modelBefore, node.model(tenant));
        assertEquals(3, node.model(tenant).get("version").asLong());
        assertEquals(defaultModelBefore, node.model("restart-default"));
        assertError(node.getContact("restart-default", "k-1"), 404, "not_found");
        assertError(node.getContact(tenant, "never-seen"), 404, "not_found");

        // Event ids seen before the restart are still duplicates, including one from before the snapshot.
        HttpReply resent = node.postJson(tenant, E2e.array(
                tagApplied("k-1", "conf", t.minus(day.multipliedBy(3))).put("eventId", "k1-e1"),
                many.get(0), many.get(149)));
        assertEquals(202, resent.status(), resent.body());
        assertEquals(0, resent.json().get("accepted").asInt(), resent.body());
        assertEquals(3, resent.json().get("duplicates").asInt(), resent.body());
        HttpReply resentDefault = node.postJson("restart-default",
                activity("d-1", "page_visited", t).put("eventId", "d1-e1"));
        assertEquals(1, resentDefault.json().get("duplicates").asInt(), resentDefault.body());
        before.forEach((key, answer) -> {
            String[] parts = key.split("/");
            assertEquals(answer, node.contact(parts[0], parts[1]), key + " after resending");
        });

        // The restarted node goes on: a new open ends "quiet" for k-1 (14 + 4 = 18), and a model
        // change conditional on the recovered version rescores every recovered contact.
        node.record(tenant, activity("k-1", "email_opened", t).put("eventId", "k1-e8"));
        assertEquals(18, node.contact(tenant, "k-1").get("score").asLong());
        HttpReply v4 = node.putModel(tenant, MODEL.replace("\"points\": 7", "\"points\": 9"), "\"3\"");
        assertEquals(200, v4.status(), v4.body());
        JsonNode status = node.awaitRescored(tenant, 4);
        assertEquals(2, status.get("contacts").asLong(), status.toString());
        JsonNode k1After = node.contact(tenant, "k-1");
        assertEquals(20, k1After.get("score").asLong(), k1After.toString());
        assertEquals(4, k1After.get("modelVersion").asLong());
        assertTrue(k1After.get("fields").get("revenueM").isNumber(), k1After.toString());
    }
}

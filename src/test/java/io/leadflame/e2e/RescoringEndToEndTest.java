package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.contribution;
import static io.leadflame.testing.Eventually.eventually;
import static io.leadflame.e2e.E2e.instant;
import static io.leadflame.e2e.E2e.ndjson;
import static io.leadflame.e2e.E2e.ruleIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scoring model over HTTP: the default of a fresh tenant, a rule change rescoring every
 * contact (conditionally, with If-Match), a disabled model, and tenants that never see each
 * other's contacts or models.
 */
class RescoringEndToEndTest extends OneNodeTest {

    @Test
    void aFreshTenantHasTheDefaultModelAndNoContacts() {
        String tenant = "fresh";
        JsonNode model = node.model(tenant);
        assertEquals(0, model.get("version").asLong(), model.toString());
        assertTrue(model.get("enabled").asBoolean(), model.toString());
        assertEquals(100, model.get("idealScore").asInt(), model.toString());
        assertEquals(0, model.get("rules").size(), model.toString());
        assertError(node.getContact(tenant, "c-1"), 404, "not_found");

        // Events are recorded against the default model: a known contact with score 0 (previous 0).
        node.record(tenant, activity("c-1", "page_visited", now()));
        JsonNode c = node.contact(tenant, "c-1");
        assertEquals(0, c.get("score").asLong(), c.toString());
        assertEquals(0, c.get("modelVersion").asLong(), c.toString());
        assertTrue(c.get("enabled").asBoolean());
        assertEquals(0, c.get("breakdown").size());
        // Recording events does not publish a model.
        assertEquals(0, node.model(tenant).get("version").asLong());
    }

    private static final String V1 = """
            {"idealScore": 20,
             "ranges": [{"name": "warm", "min": 5, "color": "#f5a623"}],
             "rules": [
               {"id": "visit", "name": "Visited", "points": 1,
                "criterion": {"type": "activity", "activity": "page_visited"}}]}
            """;

    private static final String V2 = """
            {"idealScore": 20,
             "ranges": [{"name": "warm", "min": 5, "color": "#f5a623"}],
             "rules": [
               {"id": "visit", "name": "Visited", "points": 3,
                "criterion": {"type": "activity", "activity": "page_visited"}},
               {"id": "pro_plan", "name": "On the pro plan", "category": "fit", "points": 10,
                "criterion": {"type": "activity", "activity": "page_visited",
                              "where": [{"field": "plan", "op": "eq", "value": "pro"}]}}]}
            """;

    @Test
    void aRuleChangeRescoresAThousandContacts() {
        String tenant = "rescore-1000";
        HttpReply v1 = node.putModel(tenant, V1, "\"0\"");
        assertEquals(200, v1.status(), v1.body());
        assertEquals(1, v1.json().get("version").asLong());
        node.awaitRescored(tenant, 1);

        // 1,000 contacts in one NDJSON request, every other one on the pro plan.
        Instant t = now();
        List<JsonNode> events = new ArrayList<>(1000);
        for (int i = 0; i < 1000; i++) {
            events.add(activity(contactId(i), "page_visited", t.minusSeconds(i),
                    "plan", i % 2 == 0 ? "pro" : "free"));
        }
        HttpReply posted = node.postNdjson(tenant, ndjson(events));
        assertEquals(202, posted.status(), posted.body());
        assertEquals(1000, posted.json().get("accepted").asInt(), posted.body());
        assertEquals(1, node.contact(tenant, contactId(0)).get("score").asLong());

        // The change, conditional on the version the marketer read.
        JsonNode read = node.model(tenant);
        assertEquals(1, read.get("version").asLong());
        HttpReply v2 = node.putModel(tenant, V2, "\"" + read.get("version").asLong() + "\"");
        assertEquals(200, v2.status(), v2.body());
        assertEquals(2, v2.json().get("version").asLong(), v2.body());
        JsonNode status = node.awaitRescored(tenant, 2);
        assertEquals(1000, status.get("contacts").asLong(), status.toString());
        assertEquals(1000, status.get("rescored").asLong(), status.toString());
        assertNotNull(instant(status, "startedAt"), status.toString());
        assertNotNull(instant(status, "completedAt"), status.toString());
        assertFalse(instant(status, "completedAt").isBefore(instant(status, "startedAt")), status.toString());

        // Pro: visit 3 + pro_plan 10 = 13 (fit 10, engagement 3; warm); free: 3 (no range).
        for (int i : new int[] {0, 1, 2, 499, 500, 998, 999}) {
            JsonNode c = node.contact(tenant, contactId(i));
            assertEquals(2, c.get("modelVersion").asLong(), c.toString());
            if (i % 2 == 0) {
                assertEquals(13, c.get("score").asLong(), c.toString());
                assertEquals(10, c.get("fit").asLong(), c.toString());
                assertEquals("warm", c.get("range").get("name").asText(), c.toString());
                assertEquals(10, contribution(c, "pro_plan").get("points").asLong());
            } else {
                assertEquals(3, c.get("score").asLong(), c.toString());
                assertTrue(c.get("range").isNull(), c.toString());
                assertFalse(ruleIds(c).contains("pro_plan"), c.toString());
            }
            assertEquals(3, contribution(c, "visit").get("points").asLong());
        }
        JsonNode model = node.model(tenant);
        assertEquals(v2.json(), model, "GET /model shows what the PUT published");

        // Someone else still holding version 1: 412, and nothing changes.
        String v3 = V2.replace("\"points\": 10", "\"points\": 50");
        JsonNode conflict = assertError(node.putModel(tenant, v3, "\"1\""), 412, "conflict");
        assertFalse(conflict.get("message").asText().isBlank());
        assertEquals(model, node.model(tenant));
        assertEquals(13, node.contact(tenant, contactId(0)).get("score").asLong());
        JsonNode after = node.get(LeadflameNode.api(tenant) + "/model/rescoring").json();
        assertEquals(2, after.get("version").asLong(), after.toString());
    }

    @Test
    void lookingUpUnknownContactsDuringAModelChangeDoesNotStallRescoring() throws Exception {
        String tenant = "lookups";
        node.publish(tenant, V1);
        node.record(tenant, activity("real", "page_visited", now(), "plan", "pro"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            long version = 1;
            for (int round = 0; round < 8; round++) {
                // A CRM polls contacts the service never saw while a marketer publishes a change.
                List<CompletableFuture<HttpReply>> lookups = new ArrayList<>();
                for (int k = 0; k < 24; k++) {
                    String ghost = "ghost-" + round + "-" + k;
                    lookups.add(CompletableFuture.supplyAsync(() -> node.getContact(tenant, ghost), pool));
                }
                HttpReply put = node.putModel(tenant, round % 2 == 0 ? V2 : V1, "\"" + version + "\"");
                assertEquals(200, put.status(), put.body());
                version = put.json().get("version").asLong();
                for (CompletableFuture<HttpReply> lookup : lookups) {
                    assertError(lookup.get(10, TimeUnit.SECONDS), 404, "not_found");
                }
                // Every rescoring finishes; a contact that was only looked up is not left behind.
                JsonNode status = node.awaitRescored(tenant, version);
                assertEquals(status.get("contacts").asLong(), status.get("rescored").asLong(), status.toString());
            }
        } finally {
            pool.shutdownNow();
        }
        // Once the lookups are over (and the looked-up entities have stopped), the tenant has exactly
        // its one contact to rescore, scored by the latest version (V1: visit 1).
        long[] version = {node.model(tenant).get("version").asLong()};
        eventually(Duration.ofSeconds(10), () -> {
            HttpReply put = node.putModel(tenant, V1, "\"" + version[0] + "\"");
            assertEquals(200, put.status(), put.body());
            version[0] = put.json().get("version").asLong();
            assertEquals(1, node.awaitRescored(tenant, version[0]).get("contacts").asLong());
        });
        JsonNode real = node.contact(tenant, "real");
        assertEquals(version[0], real.get("modelVersion").asLong());
        assertEquals(1, real.get("score").asLong(), real.toString());
    }

    private static String contactId(int i) {
        return String.format("r-%04d", i);
    }

    private static String visitsModel(boolean enabled) {
        return """
                {"enabled": %s, "idealScore": 20,
                 "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"}],
                 "rules": [
                   {"id": "visits", "name": "Visits", "points": 5, "count": "each", "expiresAfter": "P30D",
                    "criterion": {"type": "activity", "activity": "page_visited"}}]}
                """.formatted(enabled);
    }

    @Test
    void aDisabledModelScoresNothingButStillRecordsEvents() {
        String tenant = "disabled";
        node.publish(tenant, visitsModel(true));
        Instant t = now();
        node.record(tenant,
                activity("z-1", "page_visited", t.minus(Duration.ofDays(3))),
                activity("z-1", "page_visited", t.minus(Duration.ofDays(2))));
        JsonNode enabled = node.contact(tenant, "z-1");
        assertEquals(10, enabled.get("score").asLong(), enabled.toString());
        assertEquals(t.plus(Duration.ofDays(27)), instant(enabled, "nextChangeAt"));

        long disabledVersion = node.publish(tenant, visitsModel(false));
        assertFalse(node.model(tenant).get("enabled").asBoolean());
        assertDisabled(node.contact(tenant, "z-1"), disabledVersion);
        assertDisabled(node.scoreAt(tenant, "z-1", t.plus(Duration.ofDays(1))), disabledVersion);

        // Events still go in, for known and new contacts, while disabled.
        node.record(tenant,
                activity("z-1", "page_visited", t.minus(Duration.ofDays(1))),
                activity("z-2", "page_visited", t.minus(Duration.ofDays(1))));
        assertDisabled(node.contact(tenant, "z-1"), disabledVersion);
        JsonNode z2 = node.contact(tenant, "z-2");
        assertDisabled(z2, disabledVersion);
        assertEquals(t.minus(Duration.ofDays(1)), instant(z2, "firstSeen"));

        // Enabled again: rescoring uses every event, including those of the disabled time:
        // z-1 three visits * 5 = 15, z-2 one visit = 5.
        long reenabled = node.publish(tenant, visitsModel(true));
        JsonNode z1 = node.contact(tenant, "z-1");
        assertTrue(z1.get("enabled").asBoolean());
        assertEquals(reenabled, z1.get("modelVersion").asLong());
        assertEquals(15, z1.get("score").asLong(), z1.toString());
        assertEquals(3, contribution(z1, "visits").get("matches").asInt());
        assertEquals("cold", z1.get("range").get("name").asText());
        assertEquals(5, node.contact(tenant, "z-2").get("score").asLong());
    }

    /** SCORING.md: enabled false, every number 0, range null, breakdown [] and nextChangeAt null. */
    private static void assertDisabled(JsonNode s, long version) {
        assertFalse(s.get("enabled").asBoolean(), s.toString());
        for (String number : List.of("score", "flames", "percent", "fit", "engagement")) {
            assertEquals(0, s.get(number).asLong(), number + " in " + s);
        }
        // The range of min 0 would hold a score of 0: still none while disabled.
        assertTrue(s.get("range").isNull(), s.toString());
        assertTrue(s.get("breakdown").isArray() && s.get("breakdown").isEmpty(), s.toString());
        assertNull(instant(s, "nextChangeAt"), s.toString());
        assertEquals(version, s.get("modelVersion").asLong(), s.toString());
    }

    @Test
    void tenantsAreIsolated() {
        String a = "iso-a";
        String b = "iso-b";
        node.publish(a, """
                {"idealScore": 20, "rules": [
                  {"id": "visit", "name": "Visited", "points": 10,
                   "criterion": {"type": "activity", "activity": "page_visited"}}]}
                """);
        node.publish(b, """
                {"idealScore": 5, "ranges": [{"name": "any", "min": 0, "color": "#000000"}], "rules": [
                  {"id": "visit", "name": "Visited", "points": 1,
                   "criterion": {"type": "activity", "activity": "page_visited"}}]}
                """);
        Instant t = now();
        // The same contact id and the same event id in both tenants: two contacts, two events.
        for (String tenant : List.of(a, b)) {
            node.record(tenant, activity("shared", "page_visited", t).put("eventId", "visit-1"));
        }
        node.record(a, activity("only-a", "page_visited", t));

        JsonNode inA = node.contact(a, "shared");
        JsonNode inB = node.contact(b, "shared");
        assertEquals(10, inA.get("score").asLong(), inA.toString());   // flames floor(5*10/20) = 2
        assertEquals(2, inA.get("flames").asInt());
        assertEquals(1, inB.get("score").asLong(), inB.toString());    // flames floor(5*1/5) = 1
        assertEquals(1, inB.get("flames").asInt());
        assertEquals(a, inA.get("tenant").asText());
        assertEquals(b, inB.get("tenant").asText());
        assertError(node.getContact(b, "only-a"), 404, "not_found");

        // A's model changes: B's model, contacts and rescoring are untouched.
        JsonNode modelB = node.model(b);
        JsonNode rescoringB = node.get(LeadflameNode.api(b) + "/model/rescoring").json();
        long v2 = node.publish(a, """
                {"idealScore": 20, "rules": [
                  {"id": "visit", "name": "Visited", "points": 20,
                   "criterion": {"type": "activity", "activity": "page_visited"}}]}
                """);
        assertEquals(2, v2);
        assertEquals(20, node.contact(a, "shared").get("score").asLong());
        assertEquals(2, node.awaitRescored(a, 2).get("contacts").asLong(), "A has two contacts");
        assertEquals(modelB, node.model(b));
        assertEquals(inB, node.contact(b, "shared"));
        JsonNode rescoringBAfter = node.get(LeadflameNode.api(b) + "/model/rescoring").json();
        assertEquals(rescoringB, rescoringBAfter);
        assertError(node.getContact(b, "only-a"), 404, "not_found");
    }
}

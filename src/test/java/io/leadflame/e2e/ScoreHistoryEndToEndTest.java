package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A contact's score over time over real HTTP (issue 16): each change in the window, by how much,
 * through which rules, by an event or by time, and the change over the last 7 days; the same after
 * a restart.
 */
class ScoreHistoryEndToEndTest extends NodePerTest {

    private static final String TENANT = "history-of-scores";

    @Test
    void aContactsScoreOverTimeWithItsLedgerAndVelocity() {
        node = LeadflameNode.start(dataDir);
        node.publish(TENANT, """
                {"idealScore": 20, "rules": [
                  {"id": "visit", "name": "Visits", "points": 2, "count": "each", "expiresAfter": "P3D",
                   "criterion": {"type": "activity", "activity": "page_visited"}},
                  {"id": "demo", "name": "Demo", "points": 5, "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant tenDaysAgo = now.minus(Duration.ofDays(10));
        Instant twoDaysAgo = now.minus(Duration.ofDays(2));
        node.record(TENANT, activity("c-1", "page_visited", tenDaysAgo).put("eventId", "v1"),
                activity("c-1", "page_visited", twoDaysAgo).put("eventId", "v2"),
                tagApplied("c-1", "demo", twoDaysAgo.plusSeconds(60)).put("eventId", "t1"));

        JsonNode history = node.get(LeadflameNode.api(TENANT) + "/contacts/c-1/history?days=14").json();
        assertEquals(0, history.get("scoreAtStart").asLong(), history.toString());
        JsonNode changes = history.get("changes");
        assertEquals(4, changes.size(), history.toString());
        assertChange(changes.get(0), tenDaysAgo, 2, 2, "event", "visit");
        assertChange(changes.get(1), tenDaysAgo.plus(Duration.ofDays(3)), 0, -2, "time", "visit");
        assertChange(changes.get(2), twoDaysAgo, 2, 2, "event", "visit");
        assertChange(changes.get(3), twoDaysAgo.plusSeconds(60), 7, 5, "event", "demo");
        assertEquals(7, history.get("velocity7Days").asLong(), "7 points now, none 7 days ago: " + history);

        // The default window is 30 days; a window that starts later starts from the score then.
        JsonNode lastThreeDays = node.get(LeadflameNode.api(TENANT) + "/contacts/c-1/history?days=3").json();
        assertEquals(0, lastThreeDays.get("scoreAtStart").asLong());
        assertEquals(2, lastThreeDays.get("changes").size(), lastThreeDays.toString());
        assertError(node.get(LeadflameNode.api(TENANT) + "/contacts/c-1/history?days=0"), 400, "invalid");
        assertError(node.get(LeadflameNode.api(TENANT) + "/contacts/c-1/history?days=401"), 400, "invalid");
        assertError(node.get(LeadflameNode.api(TENANT) + "/contacts/nobody/history"), 404, "not_found");

        node.close();
        node = null;
        node = LeadflameNode.start(dataDir);
        JsonNode again = node.get(LeadflameNode.api(TENANT) + "/contacts/c-1/history?days=14").json();
        assertEquals(history.get("changes"), again.get("changes"));
    }

    private static void assertChange(JsonNode change, Instant at, long score, long by, String reason, String rule) {
        assertEquals(at, Instant.parse(change.get("at").asText()), change.toString());
        assertEquals(score, change.get("score").asLong(), change.toString());
        assertEquals(by, change.get("change").asLong(), change.toString());
        assertEquals(reason, change.get("reason").asText(), change.toString());
        assertEquals(rule, change.at("/rules/0/ruleId").asText(), change.toString());
    }

    @Test
    void theCallListSortedByVelocityPutsTheLeadsHeatingUpFastestFirst() {
        node = LeadflameNode.start(dataDir);
        node.publish(TENANT, """
                {"idealScore": 20, "rules": [{"id": "visit", "name": "Visits", "points": 2, "count": "each",
                  "criterion": {"type": "activity", "activity": "page_visited"}}]}""");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        java.util.List<JsonNode> events = new java.util.ArrayList<>();
        // old: 4 visits three weeks ago (8 points, none this week); fast: 3 this week; slow: 1.
        for (int i = 0; i < 4; i++) {
            events.add(activity("old", "page_visited", now.minus(Duration.ofDays(20 + i))).put("eventId", "o" + i));
        }
        for (int i = 0; i < 3; i++) {
            events.add(activity("fast", "page_visited", now.minus(Duration.ofDays(1 + i))).put("eventId", "f" + i));
        }
        events.add(activity("slow", "page_visited", now.minus(Duration.ofDays(1))).put("eventId", "s0"));
        node.record(TENANT, events.toArray(JsonNode[]::new));
        String leads = LeadflameNode.api(TENANT) + "/leads";

        // In the call list a moment after the 202 (DECISIONS.md "The call list follows a write").
        io.leadflame.testing.Eventually.eventually(Duration.ofSeconds(5), () ->
                assertEquals(java.util.List.of("old", "fast", "slow"), ids(node.get(leads).json()), "by score"));
        JsonNode heating = node.get(leads + "?sort=velocity").json();
        assertEquals(java.util.List.of("fast", "slow", "old"), ids(heating));
        assertEquals(6, heating.at("/leads/0/velocity7Days").asLong(), heating.toString());
        assertEquals(java.util.List.of("fast"), ids(node.get(leads + "?sort=velocity&minVelocity=3").json()));
        JsonNode first = node.get(leads + "?sort=velocity&limit=2").json();
        assertEquals(java.util.List.of("fast", "slow"), ids(first));
        assertEquals(java.util.List.of("old"), ids(node.get(leads + "?sort=velocity&limit=2&after="
                + first.get("next").asText()).json()));
        assertError(node.get(leads + "?minVelocity=3"), 400, "invalid");
        assertError(node.get(leads + "?sort=hotness"), 400, "invalid");
    }

    private static java.util.List<String> ids(JsonNode page) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        page.get("leads").forEach(l -> ids.add(l.get("contactId").asText()));
        return ids;
    }
}

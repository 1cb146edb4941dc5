package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.tagApplied;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Decay over real HTTP (issue 16): points that fade leave the hot list on the contact's own timer,
 * a projection says when each point goes, the preview of a decaying model is what publishing it
 * gives, and a restart scores alike.
 */
class DecayEndToEndTest extends NodePerTest {

    @Test
    void fadingPointsLeaveTheHotListOnTheContactsOwnTimerAndAProjectionKnowsEachStep() {
        node = LeadflameNode.start(dataDir);
        String tenant = "decay-timer";
        // 10 points fading over 10 s: one lost every second.
        node.publish(tenant, """
                {"idealScore": 10, "rules": [
                  {"id": "demo", "name": "Asked for a demo", "points": 10, "decay": {"type": "linear", "over": "PT10S"},
                   "criterion": {"type": "tag", "anyOf": ["demo"]}},
                  {"id": "lead", "name": "A lead", "points": 1, "criterion": {"type": "tag", "anyOf": ["lead"]}}]}""");
        Instant applied = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        node.record(tenant, tagApplied("hot-1", "demo", applied), tagApplied("hot-1", "lead", applied));
        // In the list a moment after the 202, as any write (DECISIONS.md "The call list follows a write").
        eventually(Duration.ofSeconds(3), () -> {
            JsonNode hotNow = node.get(LeadflameNode.api(tenant) + "/leads?minFlames=4").json();
            assertEquals("hot-1", hotNow.at("/leads/0/contactId").asText(), "hot once accepted: " + hotNow);
        });

        // 4 flames need 8 points: the demo's 7 from 3 s on, 6 (3 flames) from 4 s.
        JsonNode at = node.scoreAt(tenant, "hot-1", applied.plusMillis(9_500));
        assertEquals(2, at.get("score").asLong(), "1 demo point left at 9.5 s, and the lead's: " + at);
        assertEquals(applied.plusSeconds(10).toString(), at.get("nextChangeAt").asText(), at.toString());
        Instant askedWhenCooler = eventually(Duration.ofSeconds(20), () -> {
            Instant asked = Instant.now();
            JsonNode hot = node.get(LeadflameNode.api(tenant) + "/leads?minFlames=4").json();
            assertEquals(0, hot.get("leads").size(), hot.toString());
            return asked;
        });
        assertFalse(askedWhenCooler.isBefore(applied.plusSeconds(4)), "cooled at " + askedWhenCooler
                + ", before its points had faded (" + applied.plusSeconds(4) + ")");
        eventually(Duration.ofSeconds(20), () -> {
            JsonNode all = node.get(LeadflameNode.api(tenant) + "/leads").json();
            assertEquals(1, all.at("/leads/0/score").asLong(), "faded to the lead's point: " + all);
        });
    }

    @Test
    void aPreviewOfADecayingModelIsWhatPublishingGivesAndARestartScoresAlike() {
        node = LeadflameNode.start(dataDir);
        String tenant = "decay-preview";
        node.publish(tenant, """
                {"idealScore": 20, "rules": [
                  {"id": "visit", "name": "Visits", "points": 2, "count": "each",
                   "criterion": {"type": "activity", "activity": "page_visited"}}]}""");
        // Visits 0.5 to 9.5 days old: under a 30-day linear decay of 10 points a step is 3 days
        // away at least, so nothing steps between the preview and the rescoring.
        Instant now = Instant.now();
        List<JsonNode> events = new ArrayList<>();
        for (int c = 0; c < 20; c++) {
            for (int v = 0; v <= c % 4; v++) {
                Instant at = now.minus(Duration.ofHours(12 + 72L * ((c + v) % 4)));
                events.add(activity("c-" + c, "page_visited", at).put("eventId", "v-" + c + "-" + v));
            }
        }
        node.record(tenant, events.toArray(JsonNode[]::new));
        String decaying = """
                {"idealScore": 20, "rules": [
                  {"id": "visit", "name": "Visits", "points": 10, "count": "each", "maxPoints": 25,
                   "decay": {"type": "linear", "over": "P30D"},
                   "criterion": {"type": "activity", "activity": "page_visited"}}]}""";
        HttpReply preview = node.send("POST", LeadflameNode.api(tenant) + "/model/preview?movers=20",
                "application/json", decaying);
        assertEquals(200, preview.status(), preview.body());

        node.publish(tenant, decaying);
        JsonNode stats = node.get(LeadflameNode.api(tenant) + "/stats").json();
        ObjectNode expected = ((ObjectNode) preview.json().get("preview").deepCopy()).put("modelVersion", 2);
        assertEquals(expected, stats, "the preview is what publishing gave");
        preview.json().get("movers").forEach(m -> assertEquals(m.get("previewScore").asLong(),
                node.contact(tenant, m.get("contactId").asText()).get("score").asLong(), m.toString()));
        List<Long> before = new ArrayList<>();
        for (int c = 0; c < 20; c++) {
            before.add(node.contact(tenant, "c-" + c).get("score").asLong());
        }

        node.close();
        node = null;
        node = LeadflameNode.start(dataDir);
        for (int c = 0; c < 20; c++) {
            assertEquals(before.get(c), node.contact(tenant, "c-" + c).get("score").asLong(), "c-" + c);
        }
        assertEquals("linear", node.model(tenant).at("/rules/0/decay/type").asText());
    }
}

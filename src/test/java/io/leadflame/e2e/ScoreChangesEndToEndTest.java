package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.leadflame.testing.ScoreChangesListener;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live score changes as Server-Sent Events over real HTTP: changes driven by events, by
 * expiry (no request at all) and by a model change, the flames filter, a change made at once
 * after connecting, and resuming with {@code Last-Event-ID}.
 */
class ScoreChangesEndToEndTest extends OneNodeTest {

    private static final String MODEL = """
            {"idealScore": 10,
             "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"}, {"name": "hot", "min": 8, "color": "#d0021b"}],
             "rules": [
               {"id": "demo", "name": "Asked for a demo", "points": 8, "expiresAfter": "PT4S",
                "criterion": {"type": "tag", "anyOf": ["demo"]}},
               {"id": "visit", "name": "Visits", "points": 1, "count": "each",
                "criterion": {"type": "activity", "activity": "page_visited"}}]}""";

    /** Connects; the stream answers only once subscribed on every node, so nothing after this is missed. */
    private static ScoreChangesListener listen(String tenant, String query) throws Exception {
        return new ScoreChangesListener(node.uri(LeadflameNode.api(tenant) + "/score-changes" + query));
    }

    private static ScoreChangesListener listenAfter(String tenant, String lastEventId) throws Exception {
        return new ScoreChangesListener(HttpRequest.newBuilder(node.uri(LeadflameNode.api(tenant) + "/score-changes"))
                .header("Last-Event-ID", lastEventId));
    }

    @Test
    void eventsExpiryAndModelChangesAreStreamedAsTheyHappen() throws Exception {
        String tenant = "changes-all";
        node.publish(tenant, MODEL);
        try (ScoreChangesListener listener = listen(tenant, "")) {

            Instant applied = Instant.now();
            node.record(tenant, tagApplied("c-1", "demo", applied), activity("c-1", "page_visited", applied));
            JsonNode first = listener.next("c-1");
            assertEquals(9, first.get("score").asInt(), first.toString());
            assertEquals(0, first.get("previous").asInt(), "a contact never seen had score 0 (SCORING.md): " + first);
            assertEquals(4, first.get("flames").asInt());
            assertEquals("hot", first.get("range").asText());
            assertEquals("event", first.get("reason").asText());

            // No request to c-1: its demo points expire 4 s after the tag.
            JsonNode expired = listener.next("c-1");
            assertEquals("expiry", expired.get("reason").asText(), expired.toString());
            assertEquals(1, expired.get("score").asInt());
            assertEquals(9, expired.get("previous").asInt());
            assertEquals("cold", expired.get("range").asText());
            assertTrue(!Instant.parse(expired.get("at").asText()).isBefore(applied.plusSeconds(4)), expired.toString());

            node.publish(tenant, MODEL.replace("\"points\": 1,", "\"points\": 3,"));
            JsonNode remodelled = listener.next("c-1");
            assertEquals("model", remodelled.get("reason").asText(), remodelled.toString());
            assertEquals(3, remodelled.get("score").asInt());
            assertEquals(1, remodelled.get("previous").asInt());
        }
    }

    @Test
    void aFilteredListenerHearsOnlyOfContactsInItsViewIncludingOnesLeavingIt() throws Exception {
        String tenant = "changes-filtered";
        node.publish(tenant, MODEL);
        try (ScoreChangesListener all = listen(tenant, ""); ScoreChangesListener hot = listen(tenant, "?minFlames=4")) {
            Instant at = Instant.now();
            node.record(tenant, activity("cold-1", "page_visited", at));
            node.record(tenant, tagApplied("hot-1", "demo", at));
            assertEquals("hot-1", hot.next("hot-1").get("contactId").asText());
            assertNotNull(all.next("cold-1"));
            JsonNode leaving = hot.next("hot-1");
            assertEquals("expiry", leaving.get("reason").asText(), "it left the hot list: " + leaving);
            assertEquals(0, leaving.get("flames").asInt());
            assertTrue(hot.drain().stream().noneMatch(c -> c.get("contactId").asText().equals("cold-1")),
                    "never in view of minFlames=4");
        }
    }

    @Test
    void aChangeMadeAtOnceAfterConnectingToANewTenantIsHeard() throws Exception {
        // Before the stream answered only once subscribed, about one try in two missed it.
        for (int i = 0; i < 10; i++) {
            String tenant = "changes-at-once-" + i;
            node.publish(tenant, MODEL);
            try (ScoreChangesListener listener = listen(tenant, "")) {
                node.record(tenant, activity("c-1", "page_visited", Instant.now()));
                assertEquals(1, listener.next("c-1").get("score").asInt());
            }
        }
    }

    @Test
    void aClientReconnectingWithLastEventIdGetsExactlyWhatItMissed() throws Exception {
        String tenant = "changes-resume";
        node.publish(tenant, MODEL);
        String lastSeen;
        try (ScoreChangesListener listener = listen(tenant, "")) {
            node.record(tenant, activity("c-1", "page_visited", Instant.now()));
            listener.next("c-1");
            lastSeen = listener.lastId();
            assertNotNull(lastSeen, "every change has an id");
        }
        // Disconnected: two changes happen meanwhile.
        node.record(tenant, activity("c-2", "page_visited", Instant.now()));
        node.record(tenant, activity("c-3", "page_visited", Instant.now()));
        try (ScoreChangesListener resumed = listenAfter(tenant, lastSeen)) {
            assertEquals("c-2", resumed.poll(ScoreChangesListener.WAIT).get("contactId").asText());
            assertEquals("c-3", resumed.poll(ScoreChangesListener.WAIT).get("contactId").asText());
            node.record(tenant, activity("c-4", "page_visited", Instant.now()));
            assertEquals("c-4", resumed.poll(ScoreChangesListener.WAIT).get("contactId").asText(),
                    "then live, nothing twice: c-1 was seen before the disconnect");
            assertNull(resumed.otherEvent(Duration.ZERO), "no reload when nothing was lost");
        }
    }

    @Test
    void aLastEventIdThatCannotBeResumedIsToldToReloadAndThenStreamsLive() throws Exception {
        String tenant = "changes-reload";
        node.publish(tenant, MODEL);
        try (ScoreChangesListener listener = listenAfter(tenant, "feed-of-another-node-42")) {
            ScoreChangesListener.Event reload = listener.otherEvent(ScoreChangesListener.WAIT);
            assertNotNull(reload, "a reload event");
            assertEquals("reload", reload.type());
            assertTrue(reload.data().get("reason").asText().contains("reload the call list"), reload.toString());
            node.record(tenant, activity("c-1", "page_visited", Instant.now()));
            assertEquals(1, listener.next("c-1").get("score").asInt());
        }
    }

    @Test
    void badFiltersAreRefused() {
        assertError(node.get(LeadflameNode.api("changes-bad") + "/score-changes?minFlames=9"), 400, "invalid");
        assertError(node.get(LeadflameNode.api("changes-bad") + "/score-changes?range=hot"), 400, "invalid");
    }
}

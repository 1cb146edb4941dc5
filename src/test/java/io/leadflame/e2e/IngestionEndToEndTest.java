package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.array;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.contribution;
import static io.leadflame.e2e.E2e.fieldsUpdated;
import static io.leadflame.e2e.E2e.instant;
import static io.leadflame.e2e.E2e.ndjson;
import static io.leadflame.e2e.E2e.tagApplied;
import static io.leadflame.e2e.E2e.tagRemoved;
import static io.leadflame.e2e.E2e.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events in (API.md "Events"; SCORING.md "The score is a pure function"): redelivered events
 * are duplicates, arrival order does not matter, and a batch keeps its valid events when some
 * are invalid.
 */
class IngestionEndToEndTest extends OneNodeTest {

    private static ObjectNode withId(ObjectNode event, String eventId) {
        return event.put("eventId", eventId);
    }

    /** Opens counted each (+2 per open, bounded only far away): a duplicate counted would show in the score. */
    static final String OPENS_MODEL = """
            {"idealScore": 20, "rules": [
              {"id": "opens", "name": "Opened an email", "points": 2, "count": "each", "maxPoints": 1000,
               "criterion": {"type": "activity", "activity": "email_opened"}}]}
            """;

    @Test
    void redeliveredEventsAreDuplicatesPerContact() {
        String tenant = "duplicates";
        node.publish(tenant, OPENS_MODEL);
        Instant t = now();
        List<ObjectNode> batch = List.of(
                withId(activity("d-1", "email_opened", t.minusSeconds(300)), "evt-1"),
                withId(activity("d-1", "email_opened", t.minusSeconds(200)), "evt-2"),
                withId(activity("d-1", "email_opened", t.minusSeconds(100)), "evt-3"));
        HttpReply first = node.postJson(tenant, array(batch));
        assertEquals(202, first.status(), first.body());
        assertEquals(3, first.json().get("accepted").asInt());
        assertEquals(0, first.json().get("duplicates").asInt());
        JsonNode before = node.contact(tenant, "d-1");
        assertEquals(6, before.get("score").asLong(), before.toString()); // 3 opens * 2

        // The same batch again: still 202, nothing new, the contact's answer unchanged.
        HttpReply again = node.postJson(tenant, array(batch));
        assertEquals(202, again.status(), again.body());
        assertEquals(0, again.json().get("accepted").asInt(), again.body());
        assertEquals(3, again.json().get("duplicates").asInt(), again.body());
        assertEquals(0, again.json().get("rejected").size(), again.body());
        assertEquals(before, node.contact(tenant, "d-1"));

        // Half of it again with one new event, as NDJSON: 1 accepted, 2 duplicates -> 8.
        HttpReply half = node.postNdjson(tenant, ndjson(List.of(batch.get(0), batch.get(2),
                withId(activity("d-1", "email_opened", t.minusSeconds(50)), "evt-4"))));
        assertEquals(202, half.status(), half.body());
        assertEquals(1, half.json().get("accepted").asInt(), half.body());
        assertEquals(2, half.json().get("duplicates").asInt(), half.body());
        assertEquals(8, node.contact(tenant, "d-1").get("score").asLong());

        // The same id twice in one request counts once, even with a different body.
        HttpReply twice = node.postJson(tenant, array(
                withId(activity("d-1", "email_opened", t.minusSeconds(40)), "evt-5"),
                withId(activity("d-1", "email_opened", t.minusSeconds(30)), "evt-5")));
        assertEquals(202, twice.status(), twice.body());
        assertEquals(1, twice.json().get("accepted").asInt(), twice.body());
        assertEquals(1, twice.json().get("duplicates").asInt(), twice.body());
        assertEquals(10, node.contact(tenant, "d-1").get("score").asLong());

        // The same event ids on another contact are other events.
        List<ObjectNode> other = new ArrayList<>();
        for (ObjectNode e : batch) {
            other.add(e.deepCopy().put("contactId", "d-2"));
        }
        HttpReply second = node.postJson(tenant, array(other));
        assertEquals(202, second.status(), second.body());
        assertEquals(3, second.json().get("accepted").asInt(), second.body());
        assertEquals(0, second.json().get("duplicates").asInt(), second.body());
        assertEquals(6, node.contact(tenant, "d-2").get("score").asLong());
        assertEquals(10, node.contact(tenant, "d-1").get("score").asLong());

        // Events without an id are never duplicates of each other.
        ObjectNode anonymous = activity("d-3", "email_opened", t.minusSeconds(10));
        node.record(tenant, anonymous, anonymous);
        assertEquals(4, node.contact(tenant, "d-3").get("score").asLong());
    }

    /** A model where the order of tag and field changes decides the score if order were (wrongly) used. */
    private static final String ORDER_MODEL = """
            {"idealScore": 20,
             "ranges": [{"name": "warm", "min": 5, "color": "#f5a623"}],
             "rules": [
               {"id": "vip", "name": "VIP", "points": 20, "criterion": {"type": "tag", "anyOf": ["vip"]}},
               {"id": "hot", "name": "Hot", "points": 7, "criterion": {"type": "tag", "anyOf": ["hot"]}},
               {"id": "webinar", "name": "Webinar", "points": 3, "expiresAfter": "P7D",
                "criterion": {"type": "tag", "anyOf": ["webinar"]}},
               {"id": "cto", "name": "CTO", "category": "fit", "points": 5,
                "criterion": {"type": "field", "field": "title", "op": "eq", "value": "cto"}},
               {"id": "big", "name": "100+ employees", "category": "fit", "points": 4,
                "criterion": {"type": "field", "field": "employees", "op": "gte", "value": 100}},
               {"id": "france", "name": "In France", "category": "fit", "points": -2,
                "criterion": {"type": "field", "field": "country", "op": "eq", "value": "FR"}},
               {"id": "form", "name": "Web form", "points": 2, "expiresAfter": "P28D",
                "criterion": {"type": "activity", "activity": "web_form_submitted"}}]}
            """;

    private static List<ObjectNode> orderSensitiveEvents(String contactId, Instant t) {
        Duration d = Duration.ofDays(1);
        return List.of(
                // vip: applied at t-5d, removed at t-3d, applied again at t-4d (older): removed.
                tagApplied(contactId, "vip", t.minus(d.multipliedBy(5))),
                tagRemoved(contactId, "vip", t.minus(d.multipliedBy(3))),
                tagApplied(contactId, "vip", t.minus(d.multipliedBy(4))),
                // hot: applied and removed at the same instant: the removal wins.
                tagApplied(contactId, "hot", t.minus(d.multipliedBy(2))),
                tagRemoved(contactId, "hot", t.minus(d.multipliedBy(2))),
                // webinar: applied at t-6d and again at t-1d: held, appliedAt t-1d, live until t+6d.
                tagApplied(contactId, "webinar", t.minus(d.multipliedBy(6))),
                tagApplied(contactId, "webinar", t.minus(d)),
                // title: two updates at the same instant: the greater eventId (f-b) wins: CTO.
                withId(fieldsUpdated(contactId, t.minus(d.multipliedBy(2)), "title", "CEO"), "f-a"),
                withId(fieldsUpdated(contactId, t.minus(d.multipliedBy(2)), "title", "CTO"), "f-b"),
                // employees: the later update (50) wins over the greater older value.
                fieldsUpdated(contactId, t.minus(d.multipliedBy(3)), "employees", 50),
                fieldsUpdated(contactId, t.minus(d.multipliedBy(4)), "employees", 900),
                // country: set, then removed later.
                fieldsUpdated(contactId, t.minus(d), "country", "FR"),
                fieldsUpdated(contactId, t.minus(Duration.ofHours(12)), "country", null),
                // forms: one live (t-10d, until t+18d), one long expired; the first seen is t-40d.
                activity(contactId, "web_form_submitted", t.minus(d.multipliedBy(10))),
                activity(contactId, "web_form_submitted", t.minus(d.multipliedBy(40))));
    }

    @Test
    void theSameEventsInAnotherOrderGiveTheSameScore() {
        String tenant = "shuffled";
        node.publish(tenant, ORDER_MODEL);
        Instant t = now();

        // In the listed order, one array.
        node.record(tenant, orderSensitiveEvents("s-1", t).toArray(JsonNode[]::new));
        // Reversed, one event per request.
        List<ObjectNode> reversed = new ArrayList<>(orderSensitiveEvents("s-2", t));
        Collections.reverse(reversed);
        for (ObjectNode e : reversed) {
            node.record(tenant, e);
        }
        // Shuffled, in NDJSON chunks of 4.
        List<ObjectNode> shuffled = new ArrayList<>(orderSensitiveEvents("s-3", t));
        Collections.shuffle(shuffled, new Random(20261123));
        for (int i = 0; i < shuffled.size(); i += 4) {
            HttpReply r = node.postNdjson(tenant, ndjson(shuffled.subList(i, Math.min(i + 4, shuffled.size()))));
            assertEquals(202, r.status(), r.body());
            assertEquals(Math.min(4, shuffled.size() - i), r.json().get("accepted").asInt(), r.body());
        }

        // webinar 3 + cto 5 (fit) + form 2 = 10; vip, hot, big and france give nothing.
        // fit 5, engagement 5; the next change is the webinar tag running out at t - 1d + 7d.
        JsonNode s1 = node.contact(tenant, "s-1");
        assertEquals(10, s1.get("score").asLong(), s1.toString());
        assertEquals(5, s1.get("fit").asLong());
        assertEquals(5, s1.get("engagement").asLong());
        assertEquals(java.util.Set.of("webinar", "cto", "form"), new java.util.HashSet<>(E2e.ruleIds(s1)));
        assertEquals(t.plus(Duration.ofDays(6)), instant(s1, "nextChangeAt"));
        assertEquals(t.plus(Duration.ofDays(6)), instant(contribution(s1, "webinar"), "expiresAt"));
        assertEquals("CTO", s1.get("fields").get("title").asText());
        assertEquals(50, s1.get("fields").get("employees").asLong());
        assertFalse(s1.get("fields").has("country"), s1.toString());
        assertEquals(1, s1.get("tags").size(), s1.toString());
        assertEquals("webinar", s1.get("tags").get(0).get("tag").asText());
        assertEquals(t.minus(Duration.ofDays(1)), instant(s1.get("tags").get(0), "appliedAt"));
        // firstSeen is the earliest occurredAt, not the first to arrive (for s-2 it arrived first
        // but for s-3 and s-1 it did not); lastEventAt the latest.
        assertEquals(t.minus(Duration.ofDays(40)), instant(s1, "firstSeen"));
        assertEquals(t.minus(Duration.ofHours(12)), instant(s1, "lastEventAt"));

        for (String other : List.of("s-2", "s-3")) {
            JsonNode s = node.contact(tenant, other);
            ObjectNode expected = ((ObjectNode) s1.deepCopy()).put("contactId", other);
            assertEquals(expected, s, other + " differs from s-1");
        }
    }

    @Test
    void aPartialBatchKeepsItsValidEvents() {
        String tenant = "partial";
        node.publish(tenant, OPENS_MODEL);
        Instant t = now();
        JsonNode batch = array(
                activity("b-1", "email_opened", t.minusSeconds(60)),
                E2e.parse("{\"type\": \"email_opened\"}"),                              // no contactId
                activity("b-1", "email_opened", t.minusSeconds(30)),
                activity("b-2", "email_opened", t.plus(Duration.ofMinutes(10))),        // too far ahead
                activity("b-3", "Not An Activity!", t),                                 // bad type
                tagApplied("b-3", "", t),                                               // empty tag
                activity("b-3", "email_opened", t).put("colour", "red"));               // unknown property
        HttpReply r = node.postJson(tenant, batch);
        assertEquals(202, r.status(), r.body());
        JsonNode body = r.json();
        assertEquals(2, body.get("accepted").asInt(), r.body());
        assertEquals(0, body.get("duplicates").asInt(), r.body());
        assertEquals(List.of(1, 3, 4, 5, 6), indexes(body), r.body());
        body.get("rejected").forEach(rej -> assertFalse(rej.get("error").asText().isBlank(), rej.toString()));
        assertEquals(4, node.contact(tenant, "b-1").get("score").asLong());
        assertError(node.getContact(tenant, "b-2"), 404, "not_found");
        assertError(node.getContact(tenant, "b-3"), 404, "not_found");

        // NDJSON: a line that is not JSON is rejected at its index, the others are kept.
        String lines = text(activity("b-4", "email_opened", t.minusSeconds(20))) + "\n"
                + "{\"contactId\": \"b-4\", \"type\": \"email_opened\"\n"
                + "not json at all\n"
                + text(activity("b-4", "email_opened", t.minusSeconds(10))) + "\n";
        HttpReply nd = node.postNdjson(tenant, lines);
        assertEquals(202, nd.status(), nd.body());
        assertEquals(2, nd.json().get("accepted").asInt(), nd.body());
        assertEquals(List.of(1, 2), indexes(nd.json()), nd.body());
        assertEquals(4, node.contact(tenant, "b-4").get("score").asLong());
    }

    @Test
    void aBatchWithNothingValidIsRefusedWithItsCounts() {
        String tenant = "nothing-valid";
        node.publish(tenant, OPENS_MODEL);
        Instant t = now();
        HttpReply r = node.postJson(tenant, array(
                activity("n-1", "email_opened", t.plus(Duration.ofHours(1))),
                E2e.parse("{\"contactId\": \"n-1\"}")));
        JsonNode body = assertError(r, 400, "invalid");
        assertEquals(0, body.get("accepted").asInt(), r.body());
        assertEquals(0, body.get("duplicates").asInt(), r.body());
        assertEquals(List.of(0, 1), indexes(body), r.body());
        assertError(node.getContact(tenant, "n-1"), 404, "not_found");

        HttpReply nd = node.postNdjson(tenant, "oops\n{\"contactId\": \"n-1\", \"type\": 7}\n");
        JsonNode ndBody = assertError(nd, 400, "invalid");
        assertEquals(List.of(0, 1), indexes(ndBody), nd.body());
        assertEquals(0, ndBody.get("accepted").asInt());

        HttpReply empty = node.postJson(tenant, "[]");
        JsonNode emptyBody = assertError(empty, 400, "invalid");
        assertEquals(0, emptyBody.get("rejected").size(), empty.body());
        assertError(node.getContact(tenant, "n-1"), 404, "not_found");

        // A single invalid event (a JSON object) is the same: 400 with the counts.
        JsonNode single = assertError(node.postJson(tenant, activity("n-2", "email_opened", t).put("eventId", "")),
                400, "invalid");
        assertEquals(List.of(0), indexes(single));
        assertError(node.getContact(tenant, "n-2"), 404, "not_found");
    }

    @Test
    void aBatchOfOnlyDuplicatesIsStillAccepted() {
        String tenant = "only-duplicates";
        node.publish(tenant, OPENS_MODEL);
        ObjectNode e = withId(activity("o-1", "email_opened", now()), "only-1");
        node.record(tenant, e);
        // One duplicate and one invalid: the duplicate makes it a 202, the invalid one is listed.
        HttpReply r = node.postJson(tenant, array(e, E2e.parse("{\"contactId\": \"o-1\"}")));
        assertEquals(202, r.status(), r.body());
        assertEquals(0, r.json().get("accepted").asInt());
        assertEquals(1, r.json().get("duplicates").asInt());
        assertEquals(List.of(1), indexes(r.json()));
        assertEquals(2, node.contact(tenant, "o-1").get("score").asLong());
    }

    private static List<Integer> indexes(JsonNode body) {
        assertTrue(body.get("rejected").isArray(), body.toString());
        List<Integer> out = new ArrayList<>();
        body.get("rejected").forEach(r -> out.add(r.get("index").asInt()));
        return out;
    }
}

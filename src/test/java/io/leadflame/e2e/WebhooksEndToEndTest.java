package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.WebhookReceiver;
import io.leadflame.testing.WebhookReceiver.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.tagApplied;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threshold webhooks over real HTTP, delivered to a real local receiver: each crossing arrives
 * under one delivery id with a valid signature, also when the receiver was down for a while
 * and Leadflame restarted meanwhile; CRUD and validation of the subscriptions.
 */
class WebhooksEndToEndTest {

    private static final String TENANT = "hooks";
    private static final String SECRET = "s3cr3t-shared-with-the-crm";
    private static final Duration DELIVERED_WITHIN = Duration.ofSeconds(20);
    /** Short backoffs, so that an outage of a few seconds sees several attempts. */
    private static final Config FAST_RETRIES = ConfigFactory.parseMap(Map.of(
            "leadflame.webhooks.min-backoff", "100ms",
            "leadflame.webhooks.max-backoff", "1s",
            "leadflame.webhooks.request-timeout", "2s"));

    private static final String MODEL = """
            {"idealScore": 10,
             "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"}, {"name": "hot", "min": 8, "color": "#d0021b"}],
             "rules": [
               {"id": "demo", "name": "Asked for a demo", "points": 8, "criterion": {"type": "tag", "anyOf": ["demo"]}},
               {"id": "visit", "name": "Visits", "points": 1, "count": "each",
                "criterion": {"type": "activity", "activity": "page_visited"}}]}""";

    @TempDir
    Path dataDir;
    private LeadflameNode node;
    private final WebhookReceiver receiver = new WebhookReceiver();

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        receiver.close();
    }

    private HttpReply putWebhook(String id, String body) {
        return node.send("PUT", LeadflameNode.api(TENANT) + "/webhooks/" + id, "application/json", body);
    }

    private String webhook(String path, String trigger) {
        return "{\"url\": \"" + receiver.url(path) + "\", \"secret\": \"" + SECRET + "\", \"trigger\": " + trigger + "}";
    }

    private JsonNode deliveries(String id) {
        HttpReply r = node.get(LeadflameNode.api(TENANT) + "/webhooks/" + id);
        assertEquals(200, r.status(), r.body());
        return r.json().get("deliveries");
    }

    /** The deliveries received so far, by delivery id, each checked: signed, and the same body at every attempt. */
    private Map<String, Received> byDeliveryId() {
        Map<String, Received> byId = new TreeMap<>();
        for (Received r : receiver.received()) {
            assertTrue(r.signedWith(SECRET), "a valid signature on " + r.json());
            assertEquals(r.deliveryId(), r.deliveryIdHeader(), "the header names the delivery in the body");
            Received first = byId.putIfAbsent(r.deliveryId(), r);
            if (first != null) {
                assertArrayEquals(first.body(), r.body(), "a redelivery is the same body");
            }
        }
        return byId;
    }

    /** "webhookId contactId reason" of each distinct delivery. */
    private Set<String> crossings() {
        return byDeliveryId().values().stream().map(r -> r.json().get("webhookId").asText() + " "
                + r.json().get("contactId").asText() + " " + r.json().get("reason").asText())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void aWebhookFollowsTheNamedScoreItNamesAndOnlyItsCrossings() {
        node = LeadflameNode.start(dataDir, FAST_RETRIES);
        node.publish(TENANT, MODEL);
        HttpReply visits = node.send("PUT", LeadflameNode.api(TENANT) + "/scores/visits/model", "application/json", """
                {"idealScore": 10,
                 "ranges": [{"name": "quiet", "min": 0, "color": "#00f"}, {"name": "busy", "min": 3, "color": "#d02"}],
                 "rules": [{"id": "visit", "name": "Visits", "points": 1, "count": "each",
                            "criterion": {"type": "activity", "activity": "page_visited"}}]}""");
        assertEquals(200, visits.status(), visits.body());
        eventually(Duration.ofSeconds(3), () -> assertEquals(2,
                node.get(LeadflameNode.api(TENANT) + "/scores").json().get("scores").size()));

        // The trigger's range is the named score's, and the score must exist.
        E2e.assertError(putWebhook("x", webhook("/x", "{\"enterRange\": \"busy\", \"score\": \"nope\"}")),
                400, "invalid");
        E2e.assertError(putWebhook("x", webhook("/x", "{\"enterRange\": \"hot\", \"score\": \"visits\"}")),
                400, "invalid");
        E2e.assertError(putWebhook("x", webhook("/x", "{\"minFlames\": 2, \"score\": \"Not A Name\"}")),
                400, "invalid");
        assertEquals(201, putWebhook("busy", webhook("/busy",
                "{\"enterRange\": \"busy\", \"score\": \"visits\"}")).status());
        assertEquals("visits", node.get(LeadflameNode.api(TENANT) + "/webhooks/busy").json()
                .at("/trigger/score").asText());
        assertEquals(201, putWebhook("crm-hot", webhook("/hot", "{\"enterRange\": \"hot\"}")).status());

        // c-1 turns hot under the default score (no visit); c-2 visits three times: busy under
        // the named score, 3 of the default's 8 needed for hot.
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        node.record(TENANT, tagApplied("c-1", "demo", at), activity("c-2", "page_visited", at),
                activity("c-2", "page_visited", at.plusMillis(1)), activity("c-2", "page_visited", at.plusMillis(2)));
        eventually(DELIVERED_WITHIN, () -> assertEquals(Set.of("busy c-2 event", "crm-hot c-1 event"), crossings()));
        Received busy = byDeliveryId().values().stream()
                .filter(r -> r.json().get("webhookId").asText().equals("busy")).findFirst().orElseThrow();
        assertEquals("visits", busy.json().get("scoreName").asText(), busy.json().toString());
        assertEquals(3, busy.json().get("score").asLong(), busy.json().toString());
        Received hot = byDeliveryId().values().stream()
                .filter(r -> r.json().get("webhookId").asText().equals("crm-hot")).findFirst().orElseThrow();
        assertFalse(hot.json().has("scoreName"), hot.json().toString());
    }

    @Test
    void eachCrossingArrivesOncePerDeliveryIdSignedThroughAnOutageAndARestart() {
        node = LeadflameNode.start(dataDir, FAST_RETRIES);
        node.publish(TENANT, MODEL);
        assertEquals(201, putWebhook("crm-hot", webhook("/hot", "{\"enterRange\": \"hot\"}")).status());
        assertEquals(201, putWebhook("four", webhook("/four", "{\"minFlames\": 4}")).status());
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        // c-1 crosses both; its next visit keeps it hot (no crossing); c-4 stays cold.
        node.record(TENANT, tagApplied("c-1", "demo", at));
        node.record(TENANT, activity("c-4", "page_visited", at));
        eventually(DELIVERED_WITHIN, () -> assertEquals(
                Set.of("crm-hot c-1 event", "four c-1 event"), crossings()));
        node.record(TENANT, activity("c-1", "page_visited", at.plusSeconds(1)));
        Received first = byDeliveryId().values().stream()
                .filter(r -> r.json().get("webhookId").asText().equals("crm-hot")).findFirst().orElseThrow();
        assertEquals(TENANT, first.json().get("tenant").asText());
        assertEquals("hot", first.json().get("trigger").get("enterRange").asText());
        assertEquals(8, first.json().get("score").asInt());
        assertEquals(0, first.json().get("previous").asInt(), "a first score comes from 0: " + first.json());
        assertEquals("cold", first.json().get("previousRange").asText(), "the range of 0: " + first.json());
        assertEquals("hot", first.json().get("range").asText());
        assertEquals(4, first.json().get("flames").asInt());

        // The receiver goes down; c-2 and c-3 cross meanwhile, and Leadflame keeps trying.
        receiver.down();
        node.record(TENANT, tagApplied("c-2", "demo", at), tagApplied("c-3", "demo", at));
        JsonNode backingOff = eventually(DELIVERED_WITHIN, () -> {
            JsonNode d = deliveries("crm-hot");
            assertEquals(2, d.get("pending").asInt(), d.toString());
            assertTrue(d.get("consecutiveFailures").asInt() >= 2, "retried: " + d);
            return d;
        });
        assertNotNull(backingOff.get("lastError").textValue(), backingOff.toString());
        assertNotNull(backingOff.get("oldestPendingAt").textValue(), backingOff.toString());
        assertEquals(1, backingOff.get("delivered").asInt(), backingOff.toString());

        // Leadflame restarts while the receiver is still down: the pending deliveries survive.
        node.close();
        node = LeadflameNode.start(dataDir, FAST_RETRIES);
        assertEquals(2, deliveries("four").get("pending").asInt());

        receiver.up();
        eventually(DELIVERED_WITHIN, () -> {
            assertEquals(Set.of("crm-hot c-1 event", "crm-hot c-2 event", "crm-hot c-3 event",
                    "four c-1 event", "four c-2 event", "four c-3 event"), crossings());
            JsonNode d = deliveries("crm-hot");
            assertEquals(0, d.get("pending").asInt(), d.toString());
            assertEquals(3, d.get("delivered").asInt(), d.toString());
            assertEquals(0, d.get("consecutiveFailures").asInt(), d.toString());
        });

        // A model change makes c-4 hot: a crossing too, with its reason.
        node.publish(TENANT, MODEL.replace("\"points\": 1,", "\"points\": 8,"));
        eventually(DELIVERED_WITHIN, () -> assertTrue(crossings().containsAll(
                Set.of("crm-hot c-4 model", "four c-4 model")), crossings().toString()));
        assertEquals(8, byDeliveryId().size(), "one delivery id per crossing: " + crossings());
        // The outbox records the acceptance once the receiver's answer is back: just after the
        // receiver has the request.
        eventually(DELIVERED_WITHIN, () -> {
            JsonNode recent = deliveries("four").get("recent");
            assertEquals("delivered", recent.get(0).get("status").asText(), recent.toString());
            assertEquals("c-4", recent.get(0).get("contactId").asText(), "newest first: " + recent);
        });
    }

    @Test
    void webhooksAreCreatedReplacedListedAndDeletedWithTheirSecretNeverShown() {
        node = LeadflameNode.start(dataDir);
        node.publish(TENANT, MODEL);
        String path = LeadflameNode.api(TENANT) + "/webhooks";

        HttpReply created = putWebhook("crm", webhook("/a", "{\"minFlames\": 3}"));
        assertEquals(201, created.status(), created.body());
        assertEquals(3, created.json().get("trigger").get("minFlames").asInt());
        assertEquals(receiver.url("/a"), created.json().get("url").asText());
        HttpReply replaced = putWebhook("crm", webhook("/b", "{\"enterRange\": \"hot\"}"));
        assertEquals(200, replaced.status(), replaced.body());
        assertEquals("hot", replaced.json().get("trigger").get("enterRange").asText());
        assertFalse(replaced.json().get("trigger").has("minFlames"), replaced.body());
        assertEquals(201, putWebhook("other", webhook("/c", "{\"minFlames\": 5}")).status());

        HttpReply one = node.get(path + "/crm");
        assertEquals(200, one.status(), one.body());
        assertEquals(receiver.url("/b"), one.json().get("url").asText());
        assertEquals(0, one.json().get("deliveries").get("pending").asInt());
        HttpReply all = node.get(path);
        assertEquals(200, all.status(), all.body());
        assertEquals(List.of("crm", "other"), all.json().get("webhooks").findValuesAsText("id"));
        for (HttpReply r : List.of(created, replaced, one, all)) {
            assertFalse(r.body().contains(SECRET), "the secret is write-only: " + r.body());
        }

        assertEquals(204, node.send("DELETE", path + "/crm", "application/json", "").status());
        assertError(node.get(path + "/crm"), 404, "not_found");
        assertError(node.send("DELETE", path + "/crm", "application/json", ""), 404, "not_found");
        assertEquals(List.of("other"), node.get(path).json().get("webhooks").findValuesAsText("id"));
    }

    @Test
    void badSubscriptionsAreRefusedWithEveryProblemAndChangeNothing() {
        node = LeadflameNode.start(dataDir);
        node.publish(TENANT, MODEL);
        Map<String, String> bodies = Map.of(
                "url", "{\"url\": \"ftp://crm.example.com/x\", \"secret\": \"k\", \"trigger\": {\"minFlames\": 4}}",
                "secret", "{\"url\": \"https://crm.example.com/x\", \"trigger\": {\"minFlames\": 4}}",
                "trigger", "{\"url\": \"https://crm.example.com/x\", \"secret\": \"k\", \"trigger\": {\"minFlames\": 4, \"enterRange\": \"hot\"}}",
                "trigger.enterRange", "{\"url\": \"https://crm.example.com/x\", \"secret\": \"k\", \"trigger\": {\"enterRange\": \"warm\"}}",
                "trigger.minFlames", "{\"url\": \"https://crm.example.com/x\", \"secret\": \"k\", \"trigger\": {\"minFlames\": 18446744073709551619}}",
                "colour", "{\"url\": \"https://crm.example.com/x\", \"secret\": \"k\", \"colour\": 1, \"trigger\": {\"minFlames\": 4}}");
        bodies.forEach((path, body) -> {
            JsonNode error = assertError(putWebhook("w", body), 400, "invalid");
            assertEquals(List.of(path), error.get("details").findValuesAsText("path"), error.toString());
        });
        for (String url : List.of("http://crm.example.com:99999/x", "http:///x", "crm.example.com/x", "http://a b/")) {
            JsonNode error = assertError(putWebhook("w", "{\"url\": \"" + url + "\", \"secret\": \"k\", "
                    + "\"trigger\": {\"minFlames\": 6}}"), 400, "invalid");
            assertEquals(List.of("url", "trigger.minFlames"), error.get("details").findValuesAsText("path"), url);
        }
        assertError(putWebhook("w", "{\"url\": "), 400, "invalid");
        assertError(node.send("PUT", LeadflameNode.api(TENANT) + "/webhooks/w", "text/plain", "x"),
                415, "unsupported_media_type");
        assertError(putWebhook("no%20spaces", webhook("/x", "{\"minFlames\": 4}")), 400, "invalid");
        assertError(node.get(LeadflameNode.api(TENANT) + "/webhooks/w"), 404, "not_found");
        assertEquals(0, node.get(LeadflameNode.api(TENANT) + "/webhooks").json().get("webhooks").size());
    }
}

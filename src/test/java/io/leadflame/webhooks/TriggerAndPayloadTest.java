package io.leadflame.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.changes.ScoreChange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What counts as a crossing, how long a failing receiver is left alone, and what a receiver gets. */
class TriggerAndPayloadTest {

    private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123456789Z");

    private static ScoreChange change(Integer previousFlames, String previousRange, int flames, String range) {
        return new ScoreChange("acme", "c-1", flames * 20L, previousFlames == null ? 0 : previousFlames * 20L,
                flames, range, ScoreChange.Reason.EVENT, AT, previousFlames == null ? 0 : previousFlames, previousRange);
    }

    @Test
    void onlyTheWayIntoARangeOrUpToAFlameCountIsACrossing() {
        Trigger hot = Trigger.enterRange("hot");
        assertTrue(hot.firedBy(change(2, "warm", 4, "hot")));
        assertTrue(hot.firedBy(change(null, null, 4, "hot")), "a first score straight into hot");
        assertFalse(hot.firedBy(change(4, "hot", 5, "hot")), "rising inside hot");
        assertFalse(hot.firedBy(change(4, "hot", 2, "warm")), "leaving");
        assertFalse(hot.firedBy(change(1, "cold", 2, "warm")));

        Trigger four = Trigger.minFlames(4);
        assertTrue(four.firedBy(change(3, null, 4, null)));
        assertTrue(four.firedBy(change(1, null, 5, null)), "jumping over the threshold");
        assertTrue(four.firedBy(change(null, null, 4, null)));
        assertFalse(four.firedBy(change(4, null, 5, null)));
        assertFalse(four.firedBy(change(5, null, 3, null)));
        assertFalse(four.firedBy(change(1, null, 3, null)));
    }

    @Test
    void aTriggerFollowsOneScoreTheDefaultOrTheNamedOneItNames() {
        Trigger defaultFour = Trigger.minFlames(4);
        Trigger namedFour = Trigger.minFlames(4).onScore("intent");
        ScoreChange ofDefault = change(3, null, 4, null);
        ScoreChange ofIntent = ofDefault.ofScore("intent");
        assertTrue(defaultFour.firedBy(ofDefault));
        assertFalse(defaultFour.firedBy(ofIntent), "a named score's crossing is not the default score's");
        assertTrue(namedFour.firedBy(ofIntent));
        assertFalse(namedFour.firedBy(ofDefault));
        assertFalse(namedFour.firedBy(ofDefault.ofScore("other")));
        assertEquals(defaultFour, namedFour.onScore("default"), "the default score by its name is the default");
        assertEquals("{\"minFlames\":4,\"score\":\"intent\"}", WebhookPayload.trigger(namedFour).toString());
        assertEquals("{\"minFlames\":4}", WebhookPayload.trigger(defaultFour).toString());
        assertThrows(IllegalArgumentException.class, () -> new Trigger(null, 4, "Not A Name"));
    }

    @Test
    void aTriggerIsEitherARangeOrFlames() {
        assertThrows(IllegalArgumentException.class, () -> new Trigger("hot", 4));
        assertThrows(IllegalArgumentException.class, () -> new Trigger(null, 0));
        assertThrows(IllegalArgumentException.class, () -> Trigger.minFlames(6));
    }

    @Test
    void theBackoffDoublesFromTheMinimumUpToTheMaximum() {
        WebhookSettings s = new WebhookSettings(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofDays(1),
                Duration.ofSeconds(10), 4);
        assertEquals(Duration.ofSeconds(1), s.backoff(1));
        assertEquals(Duration.ofSeconds(2), s.backoff(2));
        assertEquals(Duration.ofSeconds(256), s.backoff(9));
        assertEquals(Duration.ofMinutes(5), s.backoff(10));
        assertEquals(Duration.ofMinutes(5), s.backoff(10_000));
    }

    @Test
    void theSignatureIsTheHexHmacSha256OfTheBody() {
        // RFC 4231, test case 2.
        assertEquals("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                WebhookPayload.signature("what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII), "Jefe"));
    }

    @Test
    void theBodyCarriesTheCrossingAndIsTheSameAtEveryAttempt() throws Exception {
        ScoreChange c = change(2, "warm", 4, "hot");
        Delivery delivery = Delivery.of("crm", Trigger.enterRange("hot"), c, AT);
        byte[] body = WebhookPayload.body(delivery);
        assertArrayEquals(body, WebhookPayload.body(Delivery.of("crm", Trigger.enterRange("hot"), c, AT.plusSeconds(60))),
                "the same crossing recorded again is the same delivery");
        JsonNode json = new ObjectMapper().readTree(body);
        assertEquals(delivery.id(), json.get("deliveryId").asText());
        assertEquals("crm", json.get("webhookId").asText());
        assertEquals("acme", json.get("tenant").asText());
        assertEquals("hot", json.get("trigger").get("enterRange").asText());
        assertEquals("c-1", json.get("contactId").asText());
        assertEquals(80, json.get("score").asLong());
        assertEquals(40, json.get("previous").asLong());
        assertEquals(4, json.get("flames").asInt());
        assertEquals(2, json.get("previousFlames").asInt());
        assertEquals("hot", json.get("range").asText());
        assertEquals("warm", json.get("previousRange").asText());
        assertEquals("event", json.get("reason").asText());
        assertEquals(AT, Instant.parse(json.get("at").asText()));

        assertNotEquals(delivery.id(), Delivery.of("other", Trigger.enterRange("hot"), c, AT).id(), "one id per webhook");
        ScoreChange later = new ScoreChange("acme", "c-1", 80, 40L, 4, "hot", ScoreChange.Reason.EVENT,
                AT.plusNanos(1), 2, "warm");
        assertNotEquals(delivery.id(), Delivery.of("crm", Trigger.enterRange("hot"), later, AT).id(), "and per crossing");
    }

    @Test
    void aFailedAttemptIsDescribedByItsRootCause() {
        assertEquals("java.net.ConnectException: Connection refused", WebhookLedger.describe(
                new java.util.concurrent.CompletionException(new RuntimeException("Tcp command [Connect(127.0.0.1:1)] "
                        + "failed because of java.net.ConnectException: Connection refused"))));
        assertEquals("no answer within the request timeout", WebhookLedger.describe(
                new java.util.concurrent.CompletionException(new java.util.concurrent.TimeoutException())));
        assertEquals("IllegalUriException", WebhookLedger.describe(new IllegalStateException(new IllegalUriException())));
    }

    private static final class IllegalUriException extends RuntimeException {
    }
}

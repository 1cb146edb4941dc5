package io.leadflame.scoring;

import io.leadflame.api.EventJson;
import io.leadflame.api.IncomingEvent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.leadflame.scoring.ScoringFixtures.json;
import static io.leadflame.scoring.ScoringFixtures.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading one event of the API: what a marketing platform may send, and why an event is rejected. */
class EventJsonTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-23T10:00:00Z");

    private static EventJson.Result read(String eventJson) {
        return EventJson.read(json(eventJson), RECEIVED);
    }

    private static IncomingEvent accepted(String eventJson) {
        EventJson.Result r = read(eventJson);
        assertEquals(Optional.empty(), r.error(), eventJson);
        return r.event().orElseThrow();
    }

    private static String rejected(String eventJson) {
        EventJson.Result r = read(eventJson);
        assertTrue(r.event().isEmpty(), () -> "should be rejected: " + eventJson);
        String error = r.error().orElseThrow();
        assertFalse(error.isBlank());
        return error;
    }

    /** An activity event of contact c-1 with these extra properties. */
    private static String activityWith(String extra) {
        return "{\"contactId\": \"c-1\", \"type\": \"web_form_submitted\"" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Contact ids")
    class ContactIds {

        @Test
        void acceptsOneTo128OfTheAllowedCharacters() {
            for (String id : List.of("c", "c-1", "Jane.Doe+lead@acme.example", "crm:0042_x", "a".repeat(128))) {
                assertEquals(id, accepted("{\"contactId\": \"" + id + "\", \"type\": \"email_opened\"}").contactId());
            }
        }

        @Test
        void rejectsMissingEmptyTooLongOrOtherCharacters() {
            for (String id : List.of("\"\"", "\"" + "a".repeat(129) + "\"", "\"jane doe\"", "\"c/1\"", "\"c#1\"",
                    "\"Jos\u00e9\"", "42", "null")) {
                assertTrue(rejected("{\"contactId\": " + id + ", \"type\": \"email_opened\"}").contains("contactId"), id);
            }
            assertTrue(rejected("{\"type\": \"email_opened\"}").contains("contactId"));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Types")
    class Types {

        @Test
        void anyActivityNameIsAnActivity() {
            for (String type : List.of("web_form_submitted", "video.watched", "x", "a" + "b".repeat(63), "page_visited2")) {
                IncomingEvent e = accepted("{\"contactId\": \"c-1\", \"type\": \"" + type + "\"}");
                assertEquals(type, e.event().type());
                assertEquals(EventKind.ACTIVITY, e.event().kind());
            }
        }

        @Test
        void rejectsTypesOutsideThePattern() {
            for (String type : List.of("", "WebForm", "1st_visit", "_x", "web-form", "web form", "a" + "b".repeat(64))) {
                assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"" + type + "\"}").contains("type"), type);
            }
            assertTrue(rejected("{\"contactId\": \"c-1\"}").contains("type"));
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": 3}").contains("type"));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Tag events")
    class TagEvents {

        @Test
        void aTagEventCarriesItsTag() {
            ContactEvent applied = accepted("{\"contactId\": \"c-1\", \"type\": \"tag_applied\", \"tag\": \"Webinar 2026\"}").event();
            assertEquals(EventKind.TAG_APPLIED, applied.kind());
            assertEquals(Optional.of("Webinar 2026"), applied.tag());
            ContactEvent removed = accepted("{\"contactId\": \"c-1\", \"type\": \"tag_removed\", \"tag\": \"vip\"}").event();
            assertEquals(EventKind.TAG_REMOVED, removed.kind());
        }

        @Test
        void theTagIsRequiredAndIsOneTo128Characters() {
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"tag_applied\"}").contains("tag"));
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"tag_removed\", \"tag\": \"\"}").contains("tag"));
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"tag_applied\", \"tag\": 5}").contains("tag"));
            rejected("{\"contactId\": \"c-1\", \"type\": \"tag_applied\", \"tag\": \"" + "t".repeat(129) + "\"}");
            accepted("{\"contactId\": \"c-1\", \"type\": \"tag_applied\", \"tag\": \"" + "t".repeat(128) + "\"}");
        }

        @Test
        void aTagEventTakesNoFieldsOrAttributes() {
            rejected("{\"contactId\": \"c-1\", \"type\": \"tag_applied\", \"tag\": \"vip\", \"attributes\": {\"a\": 1}}");
            rejected("{\"contactId\": \"c-1\", \"type\": \"tag_applied\", \"tag\": \"vip\", \"fields\": {\"a\": 1}}");
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("fields_updated")
    class FieldsUpdated {

        @Test
        void carriesScalarFieldsAndNullToRemoveOne() {
            ContactEvent e = accepted("""
                    {"contactId": "c-1", "type": "fields_updated",
                     "fields": {"email": "a@b.com", "employees": 120, "revenue": 1.5, "customer": false, "phone": null}}""")
                    .event();
            assertEquals(EventKind.FIELDS_UPDATED, e.kind());
            assertEquals(values("email", "a@b.com", "employees", 120L, "revenue", 1.5, "customer", false, "phone", null),
                    e.fields());
        }

        @Test
        void fieldsAreRequiredAndNotEmpty() {
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"fields_updated\"}").contains("fields"));
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"fields_updated\", \"fields\": {}}").contains("fields"));
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"fields_updated\", \"fields\": [1]}").contains("fields"));
        }

        @Test
        void fieldValuesAreScalarsOrNull() {
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"fields_updated\", \"fields\": {\"a\": {\"b\": 1}}}")
                    .contains("fields.a"));
            assertTrue(rejected("{\"contactId\": \"c-1\", \"type\": \"fields_updated\", \"fields\": {\"a\": [1]}}")
                    .contains("fields.a"));
        }

        @Test
        void fieldsUpdatedTakesNoTagOrAttributes() {
            rejected("{\"contactId\": \"c-1\", \"type\": \"fields_updated\", \"fields\": {\"a\": 1}, \"tag\": \"vip\"}");
            rejected("{\"contactId\": \"c-1\", \"type\": \"fields_updated\", \"fields\": {\"a\": 1}, \"attributes\": {}}");
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Activities and their attributes")
    class Activities {

        @Test
        void attributesAreStringsNumbersOrBooleans() {
            ContactEvent e = accepted(activityWith("\"attributes\": {\"formId\": \"demo\", \"durationSeconds\": 300.0,"
                    + " \"score\": 2.5, \"firstTime\": true}")).event();
            assertEquals(values("formId", "demo", "durationSeconds", 300L, "score", 2.5, "firstTime", true), e.attributes());
        }

        @Test
        void attributesAreOptional() {
            assertEquals(Map.of(), accepted(activityWith("")).event().attributes());
            assertEquals(Map.of(), accepted(activityWith("\"attributes\": null")).event().attributes());
        }

        @Test
        void nullNestedOrArrayAttributesAreRejected() {
            assertTrue(rejected(activityWith("\"attributes\": {\"a\": null}")).contains("attributes.a"));
            assertTrue(rejected(activityWith("\"attributes\": {\"a\": {\"b\": 1}}")).contains("attributes.a"));
            assertTrue(rejected(activityWith("\"attributes\": {\"a\": [1, 2]}")).contains("attributes.a"));
            assertTrue(rejected(activityWith("\"attributes\": [1]")).contains("attributes"));
        }

        @Test
        void anActivityTakesNoTagOrFields() {
            rejected(activityWith("\"tag\": \"vip\""));
            rejected(activityWith("\"fields\": {\"a\": 1}"));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("occurredAt and eventId")
    class OccurredAtAndEventId {

        @Test
        void occurredAtDefaultsToTheReceiveTime() {
            assertEquals(RECEIVED, accepted(activityWith("")).event().occurredAt());
            assertEquals(RECEIVED, accepted(activityWith("\"occurredAt\": null")).event().occurredAt());
        }

        @Test
        void occurredAtIsAnIsoInstantInUtcOrWithAnOffset() {
            assertEquals(Instant.parse("2026-11-20T08:30:00Z"),
                    accepted(activityWith("\"occurredAt\": \"2026-11-20T08:30:00Z\"")).event().occurredAt());
            assertEquals(Instant.parse("2026-11-20T08:30:00Z"),
                    accepted(activityWith("\"occurredAt\": \"2026-11-20T09:30:00+01:00\"")).event().occurredAt());
            assertEquals(Instant.parse("2026-11-20T08:30:00.250Z"),
                    accepted(activityWith("\"occurredAt\": \"2026-11-20T08:30:00.250Z\"")).event().occurredAt());
        }

        @Test
        void anUnreadableOccurredAtIsRejected() {
            for (String at : List.of("\"yesterday\"", "\"2026-11-20\"", "\"2026-11-20 08:30:00\"", "\"2026-13-01T00:00:00Z\"",
                    "1763627400", "true")) {
                assertTrue(rejected(activityWith("\"occurredAt\": " + at)).contains("occurredAt"), at);
            }
        }

        @Test
        void anEventExactlyFiveMinutesAheadIsAccepted() {
            Instant ahead = RECEIVED.plus(Duration.ofMinutes(5));
            assertEquals(ahead, accepted(activityWith("\"occurredAt\": \"" + ahead + "\"")).event().occurredAt());
        }

        @Test
        void anEventMoreThanFiveMinutesAheadIsRejected() {
            Instant tooFar = RECEIVED.plus(Duration.ofMinutes(5)).plusSeconds(1);
            assertTrue(rejected(activityWith("\"occurredAt\": \"" + tooFar + "\"")).contains("future"));
        }

        @Test
        void anEventLongAgoIsAccepted() {
            accepted(activityWith("\"occurredAt\": \"2019-01-01T00:00:00Z\""));
            accepted(activityWith("\"occurredAt\": \"1900-01-01T00:00:00Z\""));
        }

        @Test
        void plainUtcInstantsReadFastAreReadExactlyAsTheIsoParserReadsThem() {
            for (String text : List.of("2026-11-23T10:00:00Z", "2026-11-23T10:00:00.5Z", "2026-11-23T10:00:00.123456789Z",
                    "2024-02-29T23:59:59.000001Z", "1900-01-01T00:00:00Z", "2026-02-29T10:00:00Z",
                    "2026-13-01T10:00:00Z", "2026-11-23T24:00:00Z", "2016-12-31T23:59:60Z", "2026-11-23T10:00:00.Z",
                    "2026-11-23T10:00:00.1234567890Z", "2026-11-23T10:00Z", "2026-11-23T10:00:00+02:00",
                    "2026-11-23t10:00:00Z", "+12026-11-23T10:00:00Z", "2026-1a-23T10:00:00Z")) {
                Optional<Instant> general = isoParsers(text);
                Instant fast = EventJson.plainUtcInstant(text);
                if (fast != null) {
                    assertEquals(general, Optional.of(fast), text);
                }
                assertEquals(general, EventJson.instant(text), text);
            }
            assertEquals(Instant.parse("2026-11-23T10:00:00.123456789Z"),
                    EventJson.plainUtcInstant("2026-11-23T10:00:00.123456789Z"));
        }

        /** What the general ISO-8601 parsers of the JDK make of {@code text}: an offset date-time, else an instant. */
        private static Optional<Instant> isoParsers(String text) {
            try {
                return Optional.of(java.time.OffsetDateTime.parse(text).toInstant());
            } catch (java.time.format.DateTimeParseException e) {
                try {
                    return Optional.of(Instant.parse(text));
                } catch (java.time.format.DateTimeParseException e2) {
                    return Optional.empty();
                }
            }
        }

        @Test
        void anEventBefore1900IsRejected() {
            assertTrue(rejected(activityWith("\"occurredAt\": \"1899-12-31T23:59:59Z\"")).contains("1900"));
            assertTrue(rejected(activityWith("\"occurredAt\": \"0001-01-01T00:00:00Z\"")).contains("1900"));
        }

        @Test
        void eventIdIsOptionalAndUpTo128Characters() {
            assertEquals(Optional.empty(), accepted(activityWith("")).event().eventId());
            assertEquals(Optional.of("evt-1"), accepted(activityWith("\"eventId\": \"evt-1\"")).event().eventId());
            accepted(activityWith("\"eventId\": \"" + "e".repeat(128) + "\""));
            assertTrue(rejected(activityWith("\"eventId\": \"" + "e".repeat(129) + "\"")).contains("eventId"));
            assertTrue(rejected(activityWith("\"eventId\": 42")).contains("eventId"));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Shape")
    class Shape {

        @Test
        void anUnknownPropertyIsRejected() {
            assertTrue(rejected(activityWith("\"timestamp\": \"2026-11-20T08:30:00Z\"")).contains("timestamp"));
            assertTrue(rejected(activityWith("\"attribute\": {\"a\": 1}")).contains("attribute"));
        }

        @Test
        void anEventIsAJsonObject() {
            rejected("[]");
            rejected("\"web_form_submitted\"");
            rejected("null");
        }

        @Test
        void aReadEventScoresLikeOneBuiltInCode() {
            ScoringModel m = ScoringFixtures.modelWith(20, """
                    {"id": "dwell", "name": "Stayed 5 minutes", "points": 2,
                     "criterion": {"type": "activity", "activity": "page_visited",
                                   "where": [{"field": "durationSeconds", "op": "gte", "value": 300}]}}""");
            ContactEvent e = accepted("""
                    {"contactId": "c-1", "type": "page_visited", "eventId": "evt-9",
                     "occurredAt": "2026-11-23T09:00:00Z", "attributes": {"durationSeconds": 300.0}}""").event();
            ContactHistory h = ScoringFixtures.history(RECEIVED, e);
            assertEquals(2, Scorer.score(m, h, RECEIVED).score());
            assertTrue(h.hasSeen(e));
        }
    }
}

package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import io.leadflame.testing.TestResources;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.contribution;
import static io.leadflame.testing.Eventually.eventually;
import static io.leadflame.e2e.E2e.fieldsUpdated;
import static io.leadflame.e2e.E2e.instant;
import static io.leadflame.e2e.E2e.ruleIds;
import static io.leadflame.e2e.E2e.tagApplied;
import static io.leadflame.e2e.E2e.tagRemoved;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a score means (SCORING.md), proven over HTTP against a real node: the worked example,
 * counting, expiry (in the past, projected, and in real time), tags, fits and limits,
 * inactivity, ranges. Every test has its own tenant; expected numbers are worked out by hand
 * from the spec in the comments.
 */
class ScoringEndToEndTest extends OneNodeTest {

    /** The model of SCORING.md's worked example, with ranges so that the answer's range can be checked. */
    static final String WORKED_EXAMPLE_MODEL = TestResources.text("models/worked-example.json");

    private static Duration days(long n) {
        return Duration.ofDays(n);
    }

    /** The four page activities of the worked example, starting at {@code start}. */
    private static void browseBlogThenPricing(String tenant, String contactId, Instant start) {
        node.record(tenant,
                activity(contactId, "link_clicked", start, "url", "https://acme.test/blog/why-score-leads"),
                activity(contactId, "page_visited", start.plusSeconds(60),
                        "url", "https://acme.test/blog/why-score-leads", "durationSeconds", 300),
                activity(contactId, "link_clicked", start.plusSeconds(360), "url", "https://acme.test/pricing"),
                activity(contactId, "page_visited", start.plusSeconds(420),
                        "url", "https://acme.test/pricing", "durationSeconds", 600));
    }

    private static void assertScore(JsonNode s, long score, int flames, int percent, String range) {
        assertEquals(score, s.get("score").asLong(), s.toString());
        assertEquals(flames, s.get("flames").asInt(), s.toString());
        assertEquals(percent, s.get("percent").asInt(), s.toString());
        if (range == null) {
            assertTrue(s.get("range").isNull(), s.toString());
        } else {
            assertEquals(range, s.get("range").get("name").asText(), s.toString());
        }
    }

    private static void assertContribution(JsonNode s, String ruleId, long points, int matches, Instant expiresAt) {
        JsonNode c = contribution(s, ruleId);
        assertEquals(points, c.get("points").asLong(), c.toString());
        assertEquals(matches, c.get("matches").asInt(), c.toString());
        assertEquals(expiresAt, instant(c, "expiresAt"), c.toString());
    }

    @Test
    void workedExampleOfScoringMd() {
        String tenant = "worked-example";
        long version = node.publish(tenant, WORKED_EXAMPLE_MODEL);
        Instant t = now();

        // Blog link (article +1), 5 minutes on the blog (dwell +2), pricing link (sales_link +2),
        // 10 minutes on pricing (sales_dwell +3; it also satisfies dwell, which gives 2 once):
        // 8 points; flames floor(5*8/20) = 2; percent floor(100*8/20 + 0.5) = 40; warm (5 <= 8 < 15).
        Instant start = t.minus(days(30));
        browseBlogThenPricing(tenant, "c-1", start);
        JsonNode c = node.contact(tenant, "c-1");
        assertScore(c, 8, 2, 40, "warm");
        assertEquals("#f5a623", c.get("range").get("color").asText());
        assertEquals(0, c.get("fit").asLong());
        assertEquals(8, c.get("engagement").asLong());
        assertTrue(c.get("enabled").asBoolean());
        assertEquals(version, c.get("modelVersion").asLong());
        assertEquals("c-1", c.get("contactId").asText());
        assertEquals(tenant, c.get("tenant").asText());
        assertEquals(Set.of("article", "dwell", "sales_link", "sales_dwell"), new TreeSet<>(ruleIds(c)));
        assertContribution(c, "article", 1, 1, null);
        assertContribution(c, "dwell", 2, 2, null);      // both visits match, 2 points once
        assertContribution(c, "sales_link", 2, 1, null);
        assertContribution(c, "sales_dwell", 3, 1, null);
        assertEquals("Stayed 5 minutes on a page", contribution(c, "dwell").get("name").asText());
        assertEquals("engagement", contribution(c, "dwell").get("category").asText());
        assertNull(instant(c, "nextChangeAt"), "nothing expires");
        assertEquals(start, instant(c, "firstSeen"));
        assertEquals(start.plusSeconds(420), instant(c, "lastEventAt"));

        // Three web forms a week apart: webform +2 once (3 matches) -> 10; flames floor(50/20) = 2;
        // percent 50. The rule gives nothing once the last form is 28 days old: F3 + 28d.
        Instant f1 = t.minus(days(20));
        Instant f2 = t.minus(days(13));
        Instant f3 = t.minus(days(6));
        node.record(tenant,
                activity("c-1", "web_form_submitted", f1, "formId", "demo"),
                activity("c-1", "web_form_submitted", f2, "formId", "pricing"),
                activity("c-1", "web_form_submitted", f3, "formId", "contact"));
        Instant formsGone = f3.plus(days(28));
        c = node.contact(tenant, "c-1");
        assertScore(c, 10, 2, 50, "warm");
        assertContribution(c, "webform", 2, 3, formsGone);
        assertEquals(formsGone, instant(c, "nextChangeAt"));

        // The first form runs out at F1 + 28d: two are still live, still 2 points.
        JsonNode afterFirst = node.scoreAt(tenant, "c-1", f1.plus(days(28)));
        assertScore(afterFirst, 10, 2, 50, "warm");
        assertContribution(afterFirst, "webform", 2, 2, formsGone);
        // Live on [occurredAt, occurredAt + 28d): still 10 one second before, 8 at the instant.
        assertScore(node.scoreAt(tenant, "c-1", formsGone.minusSeconds(1)), 10, 2, 50, "warm");
        JsonNode expired = node.scoreAt(tenant, "c-1", formsGone);
        assertScore(expired, 8, 2, 40, "warm");
        assertFalse(ruleIds(expired).contains("webform"), expired.toString());
        assertNull(instant(expired, "nextChangeAt"));

        // An unsubscribe now: 10 - 10 = 0 (cold, 0 flames); once the forms expire: 8 - 10 = -2,
        // flames clamp(floor(5*-2/20), 0, 5) = 0, percent floor(-10 + 0.5) = -10, below every range.
        node.record(tenant, activity("c-1", "unsubscribed", t));
        c = node.contact(tenant, "c-1");
        assertScore(c, 0, 0, 0, "cold");
        assertContribution(c, "unsubscribed", -10, 1, null);
        assertEquals(formsGone, instant(c, "nextChangeAt"));
        JsonNode later = node.scoreAt(tenant, "c-1", formsGone);
        assertScore(later, -2, 0, -10, null);
        assertEquals(-2, later.get("engagement").asLong());

        // The same story where the last form is already 29 days old: the forms add nothing now,
        // and the unsubscribe brings the score to -2 right away.
        browseBlogThenPricing(tenant, "c-2", t.minus(days(60)));
        node.record(tenant,
                activity("c-2", "web_form_submitted", t.minus(days(43))),
                activity("c-2", "web_form_submitted", t.minus(days(36))),
                activity("c-2", "web_form_submitted", t.minus(days(29))));
        JsonNode c2 = node.contact(tenant, "c-2");
        assertScore(c2, 8, 2, 40, "warm");
        assertFalse(ruleIds(c2).contains("webform"), c2.toString());
        node.record(tenant, activity("c-2", "unsubscribed", t));
        c2 = node.contact(tenant, "c-2");
        assertScore(c2, -2, 0, -10, null);
        assertEquals(-2, c2.get("engagement").asLong());
        assertNull(instant(c2, "nextChangeAt"));
    }

    @Test
    void webFormsCountOnceAndExpireOnTimeWhenDatedInThePast() {
        String tenant = "webforms-once";
        node.publish(tenant, """
                {"idealScore": 10, "rules": [
                  {"id": "webform", "name": "Web form", "points": 2, "expiresAfter": "P28D",
                   "criterion": {"type": "activity", "activity": "web_form_submitted",
                                 "where": [{"field": "formId", "op": "in", "values": ["demo", "pricing"]}]}}]}
                """);
        Instant t = now();
        // Five forms: two older than 28 days, one of a form that does not match (newsletter), two
        // live ones: 2 points once, 2 matches; they run out with the newer one, t - 3d + 28d.
        node.record(tenant,
                activity("f-1", "web_form_submitted", t.minus(days(40)), "formId", "demo"),
                activity("f-1", "web_form_submitted", t.minus(days(28)), "formId", "pricing"),
                activity("f-1", "web_form_submitted", t.minus(days(1)), "formId", "newsletter"),
                activity("f-1", "web_form_submitted", t.minus(days(10)), "formId", "DEMO"),
                activity("f-1", "web_form_submitted", t.minus(days(3)), "formId", "pricing"));
        JsonNode f = node.contact(tenant, "f-1");
        assertEquals(2, f.get("score").asLong(), f.toString());
        assertContribution(f, "webform", 2, 2, t.minus(days(3)).plus(days(28)));
        // At t - 10d + 28d one live form remains: still 2 points, 1 match.
        JsonNode oneLeft = node.scoreAt(tenant, "f-1", t.plus(days(18)));
        assertContribution(oneLeft, "webform", 2, 1, t.plus(days(25)));

        // Only forms older than 28 days: no points at all (the expiry happened on time, in the past).
        node.record(tenant,
                activity("f-2", "web_form_submitted", t.minus(days(29)), "formId", "demo"),
                activity("f-2", "web_form_submitted", t.minus(days(28)), "formId", "demo"));
        JsonNode f2 = node.contact(tenant, "f-2");
        assertEquals(0, f2.get("score").asLong(), f2.toString());
        assertEquals(0, f2.get("breakdown").size(), f2.toString());
        assertNull(instant(f2, "nextChangeAt"));
    }

    @Test
    void pointsExpireInRealTimeWithoutANewEvent() {
        String tenant = "realtime-expiry";
        node.publish(tenant, """
                {"idealScore": 10, "rules": [
                  {"id": "demo", "name": "Asked for a demo", "points": 5, "expiresAfter": "PT30S",
                   "criterion": {"type": "activity", "activity": "demo_requested"}}]}
                """);
        // Dated 26 s ago: live for 4 more seconds, then gone without anything else being sent.
        Instant occurred = Instant.now().minusSeconds(26).truncatedTo(ChronoUnit.MILLIS);
        Instant expiry = occurred.plusSeconds(30);
        node.record(tenant, activity("rt-1", "demo_requested", occurred));
        JsonNode before = node.contact(tenant, "rt-1");
        assertEquals(5, before.get("score").asLong(), before.toString());
        assertContribution(before, "demo", 5, 1, expiry);
        assertEquals(expiry, instant(before, "nextChangeAt"));

        JsonNode after = eventually(Duration.ofSeconds(15), () -> {
            JsonNode s = node.contact(tenant, "rt-1");
            assertEquals(0, s.get("score").asLong(), s.toString());
            return s;
        });
        Instant observed = Instant.now();
        assertFalse(observed.isBefore(expiry), "the points went before their expiry " + expiry);
        assertEquals(0, after.get("breakdown").size(), after.toString());
        assertEquals(0, after.get("flames").asInt());
        assertNull(instant(after, "nextChangeAt"));
    }

    @Test
    void projectionsAtFutureInstantsAndNoScoresOfThePast() {
        String tenant = "projections";
        node.publish(tenant, """
                {"idealScore": 10, "rules": [
                  {"id": "visit", "name": "Visited", "points": 4, "expiresAfter": "P1D",
                   "criterion": {"type": "activity", "activity": "page_visited"}}]}
                """);
        Instant t = now();
        // A visit dated 2 minutes ahead (clock drift of the sender, allowed up to 5 minutes) does not
        // count yet: 0 now, 4 from t + 2min, 0 again from t + 2min + 1d.
        Instant ahead = t.plusSeconds(120);
        node.record(tenant, activity("p-1", "page_visited", ahead));
        JsonNode nowScore = node.contact(tenant, "p-1");
        assertEquals(0, nowScore.get("score").asLong(), nowScore.toString());
        assertEquals(ahead, instant(nowScore, "nextChangeAt"));
        JsonNode then = node.scoreAt(tenant, "p-1", ahead);
        assertEquals(4, then.get("score").asLong(), then.toString());
        assertContribution(then, "visit", 4, 1, ahead.plus(days(1)));
        assertEquals(ahead.plus(days(1)), instant(then, "nextChangeAt"));
        assertEquals(0, node.scoreAt(tenant, "p-1", ahead.plus(days(1))).get("score").asLong());
        // The score answer has the score fields only.
        assertFalse(then.has("tags"), then.toString());
        assertEquals("p-1", then.get("contactId").asText());

        // Without at, and with an at within the last second: now.
        assertEquals(0, node.getScore(tenant, "p-1", null).json().get("score").asLong());
        HttpReply justNow = node.getScore(tenant, "p-1", Instant.now().toString());
        assertEquals(200, justNow.status(), justNow.body());

        // Further back than 1 second: 400, and nothing else changes.
        assertError(node.getScore(tenant, "p-1", Instant.now().minusSeconds(5).toString()), 400, "invalid");
        assertError(node.getScore(tenant, "p-1", t.minus(days(1)).toString()), 400, "invalid");
        for (String malformed : List.of("tomorrow", "2030-13-01T00:00:00Z", "2030-01-01", "1700000000")) {
            assertError(node.getScore(tenant, "p-1", malformed), 400, "invalid");
        }
        assertEquals(4, node.scoreAt(tenant, "p-1", ahead).get("score").asLong());
        // A projection of a contact never seen is still a 404.
        assertError(node.getScore(tenant, "nobody", t.plus(days(1)).toString()), 404, "not_found");
    }

    @Test
    void tagRulesWithSeveralTagsGiveTheirPointsOnce() {
        String tenant = "tags";
        node.publish(tenant, """
                {"idealScore": 20, "rules": [
                  {"id": "interested", "name": "Showed interest", "points": 4,
                   "criterion": {"type": "tag", "anyOf": ["webinar", "ebook", "Demo"]}},
                  {"id": "attendee", "name": "Met us at an event", "points": 6, "expiresAfter": "P7D",
                   "criterion": {"type": "tag", "anyOf": ["conf-2025", "meetup"]}}]}
                """);
        Instant t = now();
        // webinar and ebook held: interested +4 once, 2 matches. "demo" is not "Demo" (tags are
        // case-sensitive). conf-2025 applied 10 days ago is past its 7 days; meetup 3 days ago
        // is live: attendee +6, 1 match, until t - 3d + 7d. Total 10.
        node.record(tenant,
                tagApplied("t-1", "webinar", t.minus(days(2))),
                tagApplied("t-1", "ebook", t.minus(days(1))),
                tagApplied("t-1", "demo", t.minus(days(1))),
                tagApplied("t-1", "conf-2025", t.minus(days(10))),
                tagApplied("t-1", "meetup", t.minus(days(3))));
        JsonNode c = node.contact(tenant, "t-1");
        assertEquals(10, c.get("score").asLong(), c.toString());
        assertContribution(c, "interested", 4, 2, null);
        assertContribution(c, "attendee", 6, 1, t.plus(days(4)));
        assertEquals(t.plus(days(4)), instant(c, "nextChangeAt"));
        assertEquals(Set.of("webinar", "ebook", "demo", "conf-2025", "meetup"), tags(c));

        // Applying conf-2025 again refreshes its appliedAt: 2 matches, still 6 points once, now
        // until t - 1d + 7d.
        node.record(tenant, tagApplied("t-1", "conf-2025", t.minus(days(1))));
        c = node.contact(tenant, "t-1");
        assertEquals(10, c.get("score").asLong(), c.toString());
        assertContribution(c, "attendee", 6, 2, t.plus(days(6)));
        assertEquals(t.minus(days(1)), appliedAt(c, "conf-2025"));

        // Removing webinar leaves ebook: still 4. Removing ebook at the very instant it was
        // applied: the removal wins, and "demo" does not match "Demo": interested gives nothing.
        node.record(tenant, tagRemoved("t-1", "webinar", t.minus(Duration.ofHours(12))));
        assertContribution(node.contact(tenant, "t-1"), "interested", 4, 1, null);
        node.record(tenant, tagRemoved("t-1", "ebook", t.minus(days(1))));
        c = node.contact(tenant, "t-1");
        assertEquals(6, c.get("score").asLong(), c.toString());
        assertFalse(ruleIds(c).contains("interested"), c.toString());
        assertEquals(Set.of("demo", "conf-2025", "meetup"), tags(c));

        // A removal older than the latest application does not remove the tag.
        node.record(tenant, tagRemoved("t-1", "meetup", t.minus(days(5))),
                tagApplied("t-1", "Demo", t.minus(Duration.ofHours(1))));
        c = node.contact(tenant, "t-1");
        assertEquals(10, c.get("score").asLong(), c.toString());
        assertContribution(c, "interested", 4, 1, null);
        assertContribution(c, "attendee", 6, 2, t.plus(days(6)));
    }

    private static Set<String> tags(JsonNode contact) {
        Set<String> tags = new TreeSet<>();
        contact.get("tags").forEach(tag -> tags.add(tag.get("tag").asText()));
        return tags;
    }

    private static Instant appliedAt(JsonNode contact, String tag) {
        for (JsonNode held : contact.get("tags")) {
            if (held.get("tag").asText().equals(tag)) {
                return Instant.parse(held.get("appliedAt").asText());
            }
        }
        throw new AssertionError(tag + " not held: " + contact.get("tags"));
    }

    @Test
    void countEachGivesPointsPerActivityWithinMaxPoints() {
        String tenant = "count-each";
        node.publish(tenant, """
                {"idealScore": 10, "rules": [
                  {"id": "opens", "name": "Opened an email", "points": 1, "count": "each", "maxPoints": 3,
                   "criterion": {"type": "activity", "activity": "email_opened"}},
                  {"id": "bounces", "name": "Email bounced", "points": -2, "count": "each", "maxPoints": 5,
                   "criterion": {"type": "activity", "activity": "email_bounced"}},
                  {"id": "clicks", "name": "Clicked", "points": 2, "count": "each", "expiresAfter": "P7D",
                   "criterion": {"type": "activity", "activity": "link_clicked"}}]}
                """);
        Instant t = now();
        // 5 opens: 5 * 1 bounded to 3. 3 bounces: 3 * -2 = -6 bounded to -5 (|contribution| <= 5).
        // 2 live clicks (the third is 8 days old): 2 * 2 = 4, falling to 2 when the older live one
        // (2 days old) runs out at t + 5d. Total 3 - 5 + 4 = 2.
        for (int i = 1; i <= 5; i++) {
            node.record(tenant, activity("e-1", "email_opened", t.minus(Duration.ofHours(i))));
        }
        node.record(tenant,
                activity("e-1", "email_bounced", t.minus(days(1))),
                activity("e-1", "email_bounced", t.minus(days(2))),
                activity("e-1", "email_bounced", t.minus(days(3))),
                activity("e-1", "link_clicked", t.minus(days(8))),
                activity("e-1", "link_clicked", t.minus(days(2))),
                activity("e-1", "link_clicked", t.minus(days(1))));
        JsonNode c = node.contact(tenant, "e-1");
        assertEquals(2, c.get("score").asLong(), c.toString());
        assertContribution(c, "opens", 3, 5, null);
        assertContribution(c, "bounces", -5, 3, null);
        assertContribution(c, "clicks", 4, 2, t.plus(days(6)));
        assertEquals(t.plus(days(5)), instant(c, "nextChangeAt"));
        assertEquals(0, node.scoreAt(tenant, "e-1", t.plus(days(5))).get("score").asLong());
    }

    @Test
    void fitRulesAndLimitsClampCategoriesThenTheTotal() {
        String tenant = "fit-limits";
        node.publish(tenant, """
                {"idealScore": 50,
                 "ranges": [{"name": "nurture", "min": -100, "color": "#9b9b9b"},
                            {"name": "mql", "min": 30, "color": "#7ed321"}],
                 "limits": {"fit": {"max": 10}, "engagement": {"min": -5, "max": 30}, "total": {"max": 35}},
                 "rules": [
                   {"id": "vp", "name": "VP title", "category": "fit", "points": 8,
                    "criterion": {"type": "field", "field": "title", "op": "contains", "value": "vp"}},
                   {"id": "big", "name": "500+ employees", "category": "fit", "points": 6,
                    "criterion": {"type": "field", "field": "employees", "op": "gte", "value": 500}},
                   {"id": "region", "name": "North America", "category": "fit", "points": 3,
                    "criterion": {"type": "field", "field": "country", "op": "in", "values": ["us", "ca"]}},
                   {"id": "student", "name": "Student", "category": "fit", "points": -20,
                    "criterion": {"type": "field", "field": "student", "op": "eq", "value": true}},
                   {"id": "views", "name": "Page views", "points": 4, "count": "each", "maxPoints": 100,
                    "criterion": {"type": "activity", "activity": "page_visited"}},
                   {"id": "unsub", "name": "Unsubscribed", "points": -50,
                    "criterion": {"type": "activity", "activity": "unsubscribed"}}]}
                """);
        Instant t = now();
        // fit: vp 8 + big 6 + region 3 = 17, clamped to 10. engagement: 10 views * 4 = 40, clamped
        // to 30. total 40, clamped to 35. percent floor(100*35/50 + 0.5) = 70, flames
        // floor(5*35/50) = 3, range mql (30 <= 35). Breakdown points are before limits.
        node.record(tenant, fieldsUpdated("l-1", t.minus(days(3)),
                "title", "VP Sales", "employees", 1200, "country", "US", "student", false));
        // An older update arriving later does not overwrite the newer title.
        node.record(tenant, fieldsUpdated("l-1", t.minus(days(4)), "title", "Intern"));
        for (int i = 0; i < 10; i++) {
            node.record(tenant, activity("l-1", "page_visited", t.minus(Duration.ofMinutes(10 + i))));
        }
        JsonNode c = node.contact(tenant, "l-1");
        assertEquals(10, c.get("fit").asLong(), c.toString());
        assertEquals(30, c.get("engagement").asLong(), c.toString());
        assertScore(c, 35, 3, 70, "mql");
        assertEquals("#7ed321", c.get("range").get("color").asText());
        assertContribution(c, "vp", 8, 1, null);
        assertContribution(c, "big", 6, 1, null);
        assertContribution(c, "region", 3, 1, null);
        assertContribution(c, "views", 40, 10, null);
        assertEquals("fit", contribution(c, "vp").get("category").asText());
        assertEquals("engagement", contribution(c, "views").get("category").asText());
        assertEquals("VP Sales", c.get("fields").get("title").asText());
        assertEquals(1200, c.get("fields").get("employees").asLong());
        assertFalse(c.get("fields").get("student").asBoolean());

        // A field set to null is removed: without a country, region gives nothing; fit is
        // 8 + 6 = 14, still clamped to 10: the score does not move.
        node.record(tenant, fieldsUpdated("l-1", t.minus(days(1)), "country", null));
        c = node.contact(tenant, "l-1");
        assertFalse(c.get("fields").has("country"), c.toString());
        assertFalse(ruleIds(c).contains("region"), c.toString());
        assertEquals(35, c.get("score").asLong(), c.toString());

        // Negative fit below everything, engagement clamped from below: a student (fit -20,
        // no maximum hit) who unsubscribed (engagement -50 clamped to -5): total -25;
        // flames 0, percent floor(100*-25/50 + 0.5) = -50, range nurture (-100 <= -25).
        node.record(tenant,
                fieldsUpdated("l-2", t.minus(days(2)), "student", true, "title", "Student"),
                activity("l-2", "unsubscribed", t.minus(days(1))));
        JsonNode s = node.contact(tenant, "l-2");
        assertEquals(-20, s.get("fit").asLong(), s.toString());
        assertEquals(-5, s.get("engagement").asLong(), s.toString());
        assertScore(s, -25, 0, -50, "nurture");
        assertContribution(s, "student", -20, 1, null);
        assertContribution(s, "unsub", -50, 1, null);
    }

    @Test
    void inactivityRulesHoldOnceTheContactIsKnownLongEnough() {
        String tenant = "inactivity";
        node.publish(tenant, """
                {"idealScore": 30,
                 "ranges": [{"name": "active", "min": 0, "color": "#4a90e2"}],
                 "rules": [
                   {"id": "quiet", "name": "No email opened for 30 days", "points": -3,
                    "criterion": {"type": "inactivity", "activity": "email_opened", "for": "P30D"}}]}
                """);
        Instant t = now();
        // Known for 45 days, last open 45 days ago: nothing in (t - 30d, t] and firstSeen <= t - 30d:
        // -3; flames 0, percent floor(100*-3/30 + 0.5) = -10, below the only range.
        node.record(tenant, activity("i-1", "email_opened", t.minus(days(45))));
        JsonNode quiet = node.contact(tenant, "i-1");
        assertScore(quiet, -3, 0, -10, null);
        assertContribution(quiet, "quiet", -3, 0, null);
        assertNull(instant(quiet, "nextChangeAt"));
        // An open now ends it; it holds again 30 days after that open.
        node.record(tenant, activity("i-1", "email_opened", t));
        JsonNode woke = node.contact(tenant, "i-1");
        assertScore(woke, 0, 0, 0, "active");
        assertEquals(t.plus(days(30)), instant(woke, "nextChangeAt"));

        // Last open 20 days ago: active now; inactive from t - 20d + 30d = t + 10d (the open leaves
        // the half-open window (t' - 30d, t'] exactly then).
        node.record(tenant, activity("i-2", "email_opened", t.minus(days(20))));
        JsonNode recent = node.contact(tenant, "i-2");
        assertEquals(0, recent.get("score").asLong(), recent.toString());
        assertEquals(t.plus(days(10)), instant(recent, "nextChangeAt"));
        assertEquals(0, node.scoreAt(tenant, "i-2", t.plus(days(10)).minusSeconds(1)).get("score").asLong());
        assertEquals(-3, node.scoreAt(tenant, "i-2", t.plus(days(10))).get("score").asLong());

        // Never opened, but known only for 10 days: not yet (firstSeen must be <= t - 30d); it
        // holds from firstSeen + 30d = t + 20d.
        node.record(tenant, activity("i-3", "page_visited", t.minus(days(10))));
        JsonNode young = node.contact(tenant, "i-3");
        assertEquals(0, young.get("score").asLong(), young.toString());
        assertEquals(t.plus(days(20)), instant(young, "nextChangeAt"));
        assertEquals(-3, node.scoreAt(tenant, "i-3", t.plus(days(20))).get("score").asLong());
    }

    @Test
    void rangesAndColoursFollowTheScore() {
        String tenant = "ranges";
        // Ranges given out of order: the contact's range is still the one with the greatest min <= score.
        node.publish(tenant, """
                {"idealScore": 10,
                 "ranges": [{"name": "hot", "min": 10, "color": "#d0021b"},
                            {"name": "cold", "min": 0, "color": "#4a90e2"},
                            {"name": "warm", "min": 5, "color": "#f5a623"}],
                 "rules": [
                   {"id": "visits", "name": "Visits", "points": 1, "count": "each",
                    "criterion": {"type": "activity", "activity": "page_visited"}},
                   {"id": "spam", "name": "Marked as spam", "points": -1,
                    "criterion": {"type": "activity", "activity": "marked_spam"}}]}
                """);
        Instant t = now();
        // visits -> (score, range, colour, flames floor(5*s/10), percent 10*s)
        record(tenant, "r-4", t, 4);
        record(tenant, "r-5", t, 5);
        record(tenant, "r-12", t, 12);
        node.record(tenant, activity("r-neg", "marked_spam", t.minus(days(1))));

        JsonNode r4 = node.contact(tenant, "r-4");
        assertScore(r4, 4, 2, 40, "cold");
        assertEquals("#4a90e2", r4.get("range").get("color").asText());
        JsonNode r5 = node.contact(tenant, "r-5");
        assertScore(r5, 5, 2, 50, "warm");       // exactly at min: that range
        assertEquals("#f5a623", r5.get("range").get("color").asText());
        JsonNode r12 = node.contact(tenant, "r-12");
        assertScore(r12, 12, 5, 120, "hot");     // past the ideal: 5 flames at most, percent over 100
        assertEquals("#d0021b", r12.get("range").get("color").asText());
        JsonNode neg = node.contact(tenant, "r-neg");
        assertScore(neg, -1, 0, -10, null);      // below every range: null
    }

    private static void record(String tenant, String contactId, Instant t, int visits) {
        JsonNode[] events = new JsonNode[visits];
        for (int i = 0; i < visits; i++) {
            events[i] = activity(contactId, "page_visited", t.minus(Duration.ofHours(i + 1)));
        }
        node.record(tenant, events);
    }
}

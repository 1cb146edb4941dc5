package io.leadflame.scoring;

import io.leadflame.testing.TestResources;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.leadflame.scoring.ScoringFixtures.T0;
import static io.leadflame.scoring.ScoringFixtures.activity;
import static io.leadflame.scoring.ScoringFixtures.applied;
import static io.leadflame.scoring.ScoringFixtures.contribution;
import static io.leadflame.scoring.ScoringFixtures.days;
import static io.leadflame.scoring.ScoringFixtures.fieldsUpdated;
import static io.leadflame.scoring.ScoringFixtures.history;
import static io.leadflame.scoring.ScoringFixtures.hours;
import static io.leadflame.scoring.ScoringFixtures.minutes;
import static io.leadflame.scoring.ScoringFixtures.model;
import static io.leadflame.scoring.ScoringFixtures.modelWith;
import static io.leadflame.scoring.ScoringFixtures.record;
import static io.leadflame.scoring.ScoringFixtures.removed;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The score as SCORING.md defines it: one nested class per section of the contract. */
class ScorerTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private static Score score(ScoringModel model, ContactHistory history, Instant t) {
        return Scorer.score(model, history, t);
    }

    private static Contribution only(Score score, String ruleId) {
        return contribution(score, ruleId).orElseThrow(() -> new AssertionError(
                ruleId + " should contribute, breakdown: " + score.breakdown()));
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Worked example (from the seeds)")
    class WorkedExample {

        private final ScoringModel seeds = model(TestResources.text("models/worked-example.json"));

        private final Instant firstForm = days(1);
        private final Instant secondForm = firstForm.plus(Duration.ofDays(7));
        private final Instant thirdForm = firstForm.plus(Duration.ofDays(14));
        private final Instant formsExpire = thirdForm.plus(Duration.ofDays(28));

        /** Blog click, 5 minutes on the blog, pricing click, 10 minutes on pricing. */
        private ContactHistory browsed() {
            return history(minutes(20),
                    activity("link_clicked", T0, "url", "https://acme.example/blog/why-scoring"),
                    activity("page_visited", T0, "url", "https://acme.example/blog/why-scoring",
                            "durationSeconds", 300),
                    activity("link_clicked", minutes(6), "url", "https://acme.example/pricing"),
                    activity("page_visited", minutes(6), "url", "https://acme.example/pricing",
                            "durationSeconds", 600));
        }

        private ContactHistory browsedAndSubmittedThreeForms() {
            ContactHistory h = browsed();
            h = record(h, firstForm, activity("web_form_submitted", firstForm, "formId", "demo"));
            h = record(h, secondForm, activity("web_form_submitted", secondForm, "formId", "demo"));
            return record(h, thirdForm, activity("web_form_submitted", thirdForm, "formId", "pricing"));
        }

        @Test
        void browsingBlogAndPricingGivesEightPointsTwoFlamesFortyPercent() {
            Score s = score(seeds, browsed(), minutes(20));
            assertAll(
                    () -> assertEquals(8, s.score()),
                    () -> assertEquals(8, s.engagement()),
                    () -> assertEquals(0, s.fit()),
                    () -> assertEquals(2, s.flames()),
                    () -> assertEquals(40, s.percent()),
                    () -> assertEquals(List.of("article", "dwell", "sales_link", "sales_dwell"),
                            s.breakdown().stream().map(Contribution::ruleId).toList()),
                    () -> assertEquals(Optional.empty(), s.nextChangeAt()));
        }

        @Test
        void bothVisitsSatisfyDwellWhichStillGivesItsTwoPointsOnce() {
            Contribution dwell = only(score(seeds, browsed(), minutes(20)), "dwell");
            assertEquals(2, dwell.points());
            assertEquals(2, dwell.matches());
            assertEquals(Optional.empty(), dwell.expiresAt());
        }

        @Test
        void threeWebFormsAWeekApartAddTwoPointsOnce() {
            Score s = score(seeds, browsedAndSubmittedThreeForms(), thirdForm);
            assertEquals(10, s.score());
            assertEquals(2, s.flames());
            assertEquals(50, s.percent());
            Contribution webform = only(s, "webform");
            assertEquals(2, webform.points());
            assertEquals(3, webform.matches());
            assertEquals(Optional.of(formsExpire), webform.expiresAt());
        }

        @Test
        void eachNewFormPushesTheExpiryToTwentyEightDaysAfterIt() {
            ContactHistory h = record(browsed(), firstForm, activity("web_form_submitted", firstForm));
            assertEquals(Optional.of(firstForm.plus(Duration.ofDays(28))), score(seeds, h, firstForm).nextChangeAt());
            h = record(h, secondForm, activity("web_form_submitted", secondForm));
            assertEquals(Optional.of(secondForm.plus(Duration.ofDays(28))), score(seeds, h, secondForm).nextChangeAt());
        }

        @Test
        void formPointsExpireTwentyEightDaysAfterTheLastFormWithoutAnyNewEvent() {
            ContactHistory h = browsedAndSubmittedThreeForms();
            assertEquals(Optional.of(formsExpire), score(seeds, h, thirdForm).nextChangeAt());
            assertEquals(10, score(seeds, h, formsExpire.minus(ONE_SECOND)).score());
            Score expired = score(seeds, h, formsExpire);
            assertEquals(8, expired.score());
            assertEquals(Optional.empty(), contribution(expired, "webform"));
            assertEquals(Optional.empty(), expired.nextChangeAt());
        }

        @Test
        void anUnsubscribeThenBringsTheScoreToMinusTwoAndZeroFlames() {
            Instant unsubscribedAt = formsExpire.plus(Duration.ofDays(1));
            ContactHistory h = record(browsedAndSubmittedThreeForms(), unsubscribedAt,
                    activity("unsubscribed", unsubscribedAt));
            Score s = score(seeds, h, unsubscribedAt);
            assertEquals(-2, s.score());
            assertEquals(-2, s.engagement());
            assertEquals(0, s.flames());
            assertEquals(-10, s.percent());
            assertEquals(-10, only(s, "unsubscribed").points());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Tag rules")
    class Tags {

        private final ScoringModel attended = modelWith(20, """
                {"id": "attended", "name": "Attended an event", "points": 5,
                 "criterion": {"type": "tag", "anyOf": ["webinar", "trade-show"]}}""");

        private final ScoringModel attendedLately = modelWith(20, """
                {"id": "attended", "name": "Attended an event lately", "points": 5, "expiresAfter": "P7D",
                 "criterion": {"type": "tag", "anyOf": ["webinar", "trade-show"]}}""");

        @Test
        void aRuleWithSeveralTagsGivesItsPointsOnceAndCountsTheMatchingTags() {
            Score both = score(attended, history(hours(1), applied("webinar", T0), applied("trade-show", T0)), hours(1));
            assertEquals(5, both.score());
            assertEquals(2, only(both, "attended").matches());

            Score one = score(attended, history(hours(1), applied("trade-show", T0)), hours(1));
            assertEquals(5, one.score());
            assertEquals(1, only(one, "attended").matches());
        }

        @Test
        void tagsAreCaseSensitive() {
            assertEquals(0, score(attended, history(T0, applied("Webinar", T0)), T0).score());
        }

        @Test
        void aTagOnlyCountsFromWhenItWasApplied() {
            ContactHistory h = history(T0, applied("webinar", T0));
            assertEquals(5, score(attended, h, T0).score());
        }

        @Test
        void removingTheTagTakesThePointsAway() {
            ContactHistory h = history(hours(2), applied("webinar", T0), removed("webinar", hours(1)));
            Score s = score(attended, h, hours(2));
            assertEquals(0, s.score());
            assertTrue(s.breakdown().isEmpty());
        }

        @Test
        void theLatestChangeWinsWhateverTheOrderOfArrival() {
            ContactHistory removalArrivesLast = history(hours(2), applied("webinar", hours(1)), removed("webinar", T0));
            assertEquals(5, score(attended, removalArrivesLast, hours(2)).score());
            ContactHistory applicationArrivesLast = history(hours(2), removed("webinar", hours(1)), applied("webinar", T0));
            assertEquals(0, score(attended, applicationArrivesLast, hours(2)).score());
        }

        @Test
        void aRemovalWinsOverAnApplicationAtTheSameInstant() {
            assertEquals(0, score(attended, history(T0, applied("webinar", T0), removed("webinar", T0)), T0).score());
            assertEquals(0, score(attended, history(T0, removed("webinar", T0), applied("webinar", T0)), T0).score());
        }

        @Test
        void expiryIsMeasuredFromTheLatestAppliedAtAmongTheMatchingHeldTags() {
            ContactHistory h = history(days(2), applied("webinar", T0), applied("trade-show", days(2)));
            Instant expires = days(9);

            Score both = score(attendedLately, h, days(3));
            assertEquals(2, only(both, "attended").matches());
            assertEquals(Optional.of(expires), only(both, "attended").expiresAt());
            assertEquals(Optional.of(expires), both.nextChangeAt());

            Score afterWebinarAged = score(attendedLately, h, days(8));
            assertEquals(5, afterWebinarAged.score());
            assertEquals(1, only(afterWebinarAged, "attended").matches(), "only the live tag matches");

            assertEquals(5, score(attendedLately, h, expires.minus(ONE_SECOND)).score());
            assertEquals(0, score(attendedLately, h, expires).score());
        }

        @Test
        void aRemovedTagDoesNotKeepTheRuleAlive() {
            ContactHistory h = history(days(3), applied("webinar", T0), applied("trade-show", days(2)),
                    removed("trade-show", days(3)));
            Score s = score(attendedLately, h, days(3));
            assertEquals(Optional.of(days(7)), only(s, "attended").expiresAt());
            assertEquals(0, score(attendedLately, h, days(7)).score());
        }

        @Test
        void reApplyingAHeldTagRefreshesItsAppliedAt() {
            ContactHistory h = history(days(5), applied("webinar", T0), applied("webinar", days(5)));
            assertEquals(Optional.of(days(5)), h.tagAppliedAt("webinar", days(5)));
            Score s = score(attendedLately, h, days(8));
            assertEquals(5, s.score(), "without the refresh it would have expired at day 7");
            assertEquals(Optional.of(days(12)), only(s, "attended").expiresAt());
            assertEquals(0, score(attendedLately, h, days(12)).score());
        }

        @Test
        void reApplyingRefreshesEvenWhenTheOlderApplicationArrivesLast() {
            ContactHistory h = history(days(5), applied("webinar", days(5)), applied("webinar", T0));
            assertEquals(Optional.of(days(12)), only(score(attendedLately, h, days(8)), "attended").expiresAt());
        }

        @Test
        void aRemovalDatedAFewMinutesAheadTakesEffectAtItsInstant() {
            Instant now = days(1);
            Instant removal = now.plus(Duration.ofMinutes(3));
            ContactHistory h = history(now, applied("webinar", T0), removed("webinar", removal));
            Score s = score(attended, h, now);
            assertEquals(5, s.score());
            assertEquals(Optional.of(removal), s.nextChangeAt());
            assertEquals(Optional.of(removal), only(s, "attended").expiresAt());
            assertEquals(0, score(attended, h, removal).score());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Activity predicates")
    class ActivityPredicates {

        /** Whether one page_visited with these attributes satisfies a rule with this one predicate. */
        private boolean satisfies(String predicate, Object... attributes) {
            ScoringModel m = modelWith(20, """
                    {"id": "visit", "name": "Visited", "points": 1,
                     "criterion": {"type": "activity", "activity": "page_visited", "where": [%s]}}"""
                    .formatted(predicate));
            return score(m, history(T0, activity("page_visited", T0, attributes)), T0).score() == 1;
        }

        @Test
        void eqComparesStringsIgnoringCase() {
            String isPro = "{\"field\": \"plan\", \"op\": \"eq\", \"value\": \"Pro\"}";
            assertTrue(satisfies(isPro, "plan", "PRO"));
            assertTrue(satisfies(isPro, "plan", "pro"));
            assertFalse(satisfies(isPro, "plan", "pro "));
            assertFalse(satisfies(isPro, "plan", "Basic"));
        }

        @Test
        void neqIsTheOppositeOfEq() {
            String notPro = "{\"field\": \"plan\", \"op\": \"neq\", \"value\": \"pro\"}";
            assertFalse(satisfies(notPro, "plan", "PRO"));
            assertTrue(satisfies(notPro, "plan", "Basic"));
        }

        @Test
        void inMatchesAnyOfItsValuesLikeEq() {
            String form = "{\"field\": \"formId\", \"op\": \"in\", \"values\": [\"demo\", \"Pricing\", 300, true]}";
            assertTrue(satisfies(form, "formId", "PRICING"));
            assertTrue(satisfies(form, "formId", "Demo"));
            assertTrue(satisfies(form, "formId", 300.0));
            assertTrue(satisfies(form, "formId", true));
            assertFalse(satisfies(form, "formId", "contact"));
            assertFalse(satisfies(form, "formId", false));
        }

        @Test
        void numbersCompareNumericallyWhateverTheirType() {
            String is300 = "{\"field\": \"durationSeconds\", \"op\": \"eq\", \"value\": 300}";
            assertTrue(satisfies(is300, "durationSeconds", 300));
            assertTrue(satisfies(is300, "durationSeconds", 300.0));
            assertTrue(satisfies(is300, "durationSeconds", 300L));
            assertTrue(satisfies(is300, "durationSeconds", new BigDecimal("300.00")));
            assertFalse(satisfies(is300, "durationSeconds", 300.5));
            String is300Decimal = "{\"field\": \"durationSeconds\", \"op\": \"eq\", \"value\": 300.0}";
            assertTrue(satisfies(is300Decimal, "durationSeconds", 300));
            assertTrue(satisfies("{\"field\": \"durationSeconds\", \"op\": \"gte\", \"value\": 300}",
                    "durationSeconds", 300.0));
            assertTrue(satisfies("{\"field\": \"durationSeconds\", \"op\": \"lt\", \"value\": 300.5}",
                    "durationSeconds", 300));
        }

        @Test
        void booleansCompareExactly() {
            String optedIn = "{\"field\": \"optedIn\", \"op\": \"eq\", \"value\": true}";
            assertTrue(satisfies(optedIn, "optedIn", true));
            assertFalse(satisfies(optedIn, "optedIn", false));
            assertTrue(satisfies("{\"field\": \"optedIn\", \"op\": \"eq\", \"value\": false}", "optedIn", false));
        }

        @Test
        void valuesOfDifferentTypesAreNeverEqual() {
            assertFalse(satisfies("{\"field\": \"n\", \"op\": \"eq\", \"value\": \"300\"}", "n", 300));
            assertFalse(satisfies("{\"field\": \"n\", \"op\": \"eq\", \"value\": 300}", "n", "300"));
            assertFalse(satisfies("{\"field\": \"n\", \"op\": \"eq\", \"value\": true}", "n", "true"));
            assertFalse(satisfies("{\"field\": \"n\", \"op\": \"eq\", \"value\": 1}", "n", true));
            assertFalse(satisfies("{\"field\": \"n\", \"op\": \"in\", \"values\": [\"300\"]}", "n", 300));
            assertTrue(satisfies("{\"field\": \"n\", \"op\": \"neq\", \"value\": \"300\"}", "n", 300));
        }

        @Test
        void containsStartsWithAndEndsWithIgnoreCase() {
            Object[] url = {"url", "https://Acme.example/Pricing/Team"};
            assertTrue(satisfies("{\"field\": \"url\", \"op\": \"contains\", \"value\": \"/pricing\"}", url));
            assertTrue(satisfies("{\"field\": \"url\", \"op\": \"startsWith\", \"value\": \"HTTPS://ACME\"}", url));
            assertTrue(satisfies("{\"field\": \"url\", \"op\": \"endsWith\", \"value\": \"/TEAM\"}", url));
            assertFalse(satisfies("{\"field\": \"url\", \"op\": \"startsWith\", \"value\": \"/pricing\"}", url));
            assertFalse(satisfies("{\"field\": \"url\", \"op\": \"endsWith\", \"value\": \"pricing\"}", url));
            assertFalse(satisfies("{\"field\": \"url\", \"op\": \"contains\", \"value\": \"/blog/\"}", url));
        }

        @Test
        void stringOperatorsNeverMatchNumbersOrBooleans() {
            assertFalse(satisfies("{\"field\": \"code\", \"op\": \"contains\", \"value\": \"23\"}", "code", 12345));
            assertFalse(satisfies("{\"field\": \"code\", \"op\": \"startsWith\", \"value\": \"12\"}", "code", 12345));
            assertFalse(satisfies("{\"field\": \"code\", \"op\": \"endsWith\", \"value\": \"ue\"}", "code", true));
        }

        @Test
        void orderingOperatorsCompareNumbers() {
            Object[] dwell = {"durationSeconds", 300};
            assertTrue(satisfies("{\"field\": \"durationSeconds\", \"op\": \"gt\", \"value\": 299}", dwell));
            assertFalse(satisfies("{\"field\": \"durationSeconds\", \"op\": \"gt\", \"value\": 300}", dwell));
            assertTrue(satisfies("{\"field\": \"durationSeconds\", \"op\": \"gte\", \"value\": 300}", dwell));
            assertFalse(satisfies("{\"field\": \"durationSeconds\", \"op\": \"gte\", \"value\": 300.5}", dwell));
            assertTrue(satisfies("{\"field\": \"durationSeconds\", \"op\": \"lt\", \"value\": 301}", dwell));
            assertFalse(satisfies("{\"field\": \"durationSeconds\", \"op\": \"lt\", \"value\": 300}", dwell));
            assertTrue(satisfies("{\"field\": \"durationSeconds\", \"op\": \"lte\", \"value\": 300}", dwell));
            assertFalse(satisfies("{\"field\": \"durationSeconds\", \"op\": \"lte\", \"value\": 299.9}", dwell));
            assertTrue(satisfies("{\"field\": \"durationSeconds\", \"op\": \"gt\", \"value\": -1.5}", dwell));
        }

        @Test
        void orderingOperatorsNeverMatchStringsOrBooleans() {
            assertFalse(satisfies("{\"field\": \"d\", \"op\": \"gt\", \"value\": 300}", "d", "500"));
            assertFalse(satisfies("{\"field\": \"d\", \"op\": \"lte\", \"value\": 300}", "d", "5"));
            assertFalse(satisfies("{\"field\": \"d\", \"op\": \"gte\", \"value\": 0}", "d", true));
        }

        @Test
        void existsHoldsForAnyPresentValue() {
            String hasCampaign = "{\"field\": \"campaign\", \"op\": \"exists\"}";
            assertTrue(satisfies(hasCampaign, "campaign", "spring"));
            assertTrue(satisfies(hasCampaign, "campaign", ""));
            assertTrue(satisfies(hasCampaign, "campaign", 0));
            assertTrue(satisfies(hasCampaign, "campaign", false));
            assertFalse(satisfies(hasCampaign, "other", "spring"));
        }

        @Test
        void aMissingAttributeSatisfiesOnlyNeq() {
            Object[] noPlan = {"url", "https://acme.example/"};
            assertTrue(satisfies("{\"field\": \"plan\", \"op\": \"neq\", \"value\": \"pro\"}", noPlan));
            for (String predicate : List.of(
                    "{\"field\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}",
                    "{\"field\": \"plan\", \"op\": \"in\", \"values\": [\"pro\"]}",
                    "{\"field\": \"plan\", \"op\": \"contains\", \"value\": \"p\"}",
                    "{\"field\": \"plan\", \"op\": \"startsWith\", \"value\": \"p\"}",
                    "{\"field\": \"plan\", \"op\": \"endsWith\", \"value\": \"o\"}",
                    "{\"field\": \"plan\", \"op\": \"gt\", \"value\": 0}",
                    "{\"field\": \"plan\", \"op\": \"gte\", \"value\": 0}",
                    "{\"field\": \"plan\", \"op\": \"lt\", \"value\": 0}",
                    "{\"field\": \"plan\", \"op\": \"lte\", \"value\": 0}",
                    "{\"field\": \"plan\", \"op\": \"exists\"}")) {
                assertFalse(satisfies(predicate, noPlan), predicate);
            }
        }

        @Test
        void everyPredicateOfTheRuleMustHoldOnTheSameActivity() {
            ScoringModel m = modelWith(20, """
                    {"id": "sales_dwell", "name": "Long pricing visit", "points": 3,
                     "criterion": {"type": "activity", "activity": "page_visited",
                                   "where": [{"field": "url", "op": "contains", "value": "/pricing"},
                                             {"field": "durationSeconds", "op": "gte", "value": 600}]}}""");
            ContactHistory twoHalves = history(T0,
                    activity("page_visited", T0, "url", "/pricing", "durationSeconds", 30),
                    activity("page_visited", T0, "url", "/blog/x", "durationSeconds", 900));
            assertEquals(0, score(m, twoHalves, T0).score());
            ContactHistory whole = history(T0, activity("page_visited", T0, "url", "/pricing", "durationSeconds", 900));
            assertEquals(3, score(m, whole, T0).score());
        }

        @Test
        void onlyActivitiesOfTheRulesNameCount() {
            ScoringModel m = modelWith(20, """
                    {"id": "form", "name": "Form", "points": 2,
                     "criterion": {"type": "activity", "activity": "web_form_submitted"}}""");
            ContactHistory h = history(T0, activity("web_form_started", T0), activity("email_opened", T0));
            assertEquals(0, score(m, h, T0).score());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Counting: once and each")
    class Counting {

        private ContactHistory opened(Instant... at) {
            ContactHistory h = ContactHistory.EMPTY;
            for (Instant i : at) {
                h = record(h, i, activity("email_opened", i));
            }
            return h;
        }

        @Test
        void onceIsTheDefaultAndGivesThePointsOnceHoweverManyActivitiesMatch() {
            ScoringModel m = modelWith(20, """
                    {"id": "opener", "name": "Opens emails", "points": 2,
                     "criterion": {"type": "activity", "activity": "email_opened"}}""");
            Score s = score(m, opened(T0, hours(1), hours(2)), hours(2));
            assertEquals(2, s.score());
            assertEquals(3, only(s, "opener").matches());
        }

        @Test
        void eachGivesThePointsForEveryMatchingActivity() {
            ScoringModel m = modelWith(20, """
                    {"id": "opens", "name": "Email opens", "points": 2, "count": "each",
                     "criterion": {"type": "activity", "activity": "email_opened"}}""");
            Score s = score(m, opened(T0, hours(1), hours(2)), hours(2));
            assertEquals(6, s.score());
            assertEquals(6, only(s, "opens").points());
            assertEquals(3, only(s, "opens").matches());
        }

        @Test
        void maxPointsBoundsTheContributionOfEach() {
            ScoringModel m = modelWith(20, """
                    {"id": "opens", "name": "Email opens", "points": 2, "count": "each", "maxPoints": 5,
                     "criterion": {"type": "activity", "activity": "email_opened"}}""");
            assertEquals(4, score(m, opened(T0, hours(1)), hours(1)).score());
            Score three = score(m, opened(T0, hours(1), hours(2)), hours(2));
            assertEquals(5, three.score());
            assertEquals(5, only(three, "opens").points());
            assertEquals(3, only(three, "opens").matches());
        }

        @Test
        void maxPointsBoundsTheAbsoluteValueOfNegativePoints() {
            ScoringModel m = modelWith(20, """
                    {"id": "bounces", "name": "Bounced emails", "points": -3, "count": "each", "maxPoints": 5,
                     "criterion": {"type": "activity", "activity": "email_bounced"}}""");
            ContactHistory one = history(T0, activity("email_bounced", T0));
            assertEquals(-3, score(m, one, T0).score());
            ContactHistory three = history(T0, activity("email_bounced", T0), activity("email_bounced", T0),
                    activity("email_bounced", T0));
            assertEquals(-5, score(m, three, T0).score());
        }

        @Test
        void eachCountsOnlyLiveActivitiesAndDropsAsEachExpires() {
            ScoringModel m = modelWith(20, """
                    {"id": "opens", "name": "Recent email opens", "points": 1, "count": "each", "expiresAfter": "P7D",
                     "criterion": {"type": "activity", "activity": "email_opened"}}""");
            ContactHistory h = opened(T0, days(1), days(2));
            Score atDay2 = score(m, h, days(2));
            assertEquals(3, atDay2.score());
            assertEquals(Optional.of(days(7)), atDay2.nextChangeAt());
            assertEquals(Optional.of(days(9)), only(atDay2, "opens").expiresAt(), "falls to zero when the last expires");
            Score atDay7 = score(m, h, days(7));
            assertEquals(2, atDay7.score());
            assertEquals(2, only(atDay7, "opens").matches());
            assertEquals(Optional.of(days(8)), atDay7.nextChangeAt());
        }

        @Test
        void aCappedRuleChangesOnlyWhenTheLiveCountFallsBelowTheCap() {
            ScoringModel m = modelWith(20, """
                    {"id": "opens", "name": "Recent email opens", "points": 2, "count": "each", "maxPoints": 3,
                     "expiresAfter": "P7D", "criterion": {"type": "activity", "activity": "email_opened"}}""");
            ContactHistory h = opened(T0, days(1));
            Score s = score(m, h, days(1));
            assertEquals(3, s.score());
            assertEquals(Optional.of(days(7)), s.nextChangeAt(), "at day 7 one open is left: 2 points, under the cap");
            assertEquals(3, score(m, h, days(7).minus(ONE_SECOND)).score());
            Score oneLeft = score(m, h, days(7));
            assertEquals(2, oneLeft.score());
            assertEquals(Optional.of(days(8)), oneLeft.nextChangeAt());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Expiry: live on [occurredAt, occurredAt + expiresAfter)")
    class Expiry {

        private final ScoringModel webform = modelWith(20, """
                {"id": "webform", "name": "Submitted a web form", "points": 2, "expiresAfter": "P1D",
                 "criterion": {"type": "activity", "activity": "web_form_submitted"}}""");

        private final ContactHistory submitted = history(T0, activity("web_form_submitted", T0));

        @Test
        void anActivityCountsFromItsOccurredAt() {
            assertEquals(2, score(webform, submitted, T0).score());
        }

        @Test
        void anActivityStillCountsOneSecondBeforeItExpires() {
            assertEquals(2, score(webform, submitted, days(1).minus(ONE_SECOND)).score());
        }

        @Test
        void anActivityNoLongerCountsAtOccurredAtPlusExpiresAfter() {
            assertEquals(0, score(webform, submitted, days(1)).score());
        }

        @Test
        void theBreakdownSaysWhenTheContributionExpires() {
            Score s = score(webform, submitted, hours(3));
            assertEquals(Optional.of(days(1)), only(s, "webform").expiresAt());
            assertEquals(Optional.of(days(1)), s.nextChangeAt());
        }

        @Test
        void expiriesAndProjectionsBeyondTheNanosecondRangeAreExact() {
            // 20,000 weeks (383 years) ends after 2262, where epoch nanoseconds in a long end:
            // the scorer compares in nanoseconds only where that is exact.
            ScoringModel centuries = modelWith(20, """
                    {"id": "webform", "name": "Submitted a web form", "points": 2, "expiresAfter": "P20000W",
                     "criterion": {"type": "activity", "activity": "web_form_submitted"}},
                    {"id": "vip", "name": "VIP", "points": 3, "expiresAfter": "P20000W",
                     "criterion": {"type": "tag", "anyOf": ["vip"]}},
                    {"id": "quiet", "name": "Quiet for centuries", "points": -1,
                     "criterion": {"type": "inactivity", "activity": "web_form_submitted", "for": "P20000W"}}""");
            ContactHistory h = history(T0, activity("web_form_submitted", T0), applied("vip", T0));
            Instant end = T0.plus(Duration.ofDays(7L * 20000));
            Score now = score(centuries, h, T0);
            assertEquals(5, now.score());
            assertEquals(Optional.of(end), only(now, "webform").expiresAt());
            assertEquals(Optional.of(end), now.nextChangeAt());
            assertEquals(5, score(centuries, h, end.minusNanos(1)).score(), "a projection just before the end");
            Score after = score(centuries, h, end);
            assertEquals(-1, after.score(), "expired, and quiet for the whole window");
            assertEquals(Optional.empty(), after.nextChangeAt());
        }

        @Test
        void withoutExpiresAfterAnActivityCountsForever() {
            ScoringModel forever = modelWith(20, """
                    {"id": "webform", "name": "Submitted a web form", "points": 2,
                     "criterion": {"type": "activity", "activity": "web_form_submitted"}}""");
            Score s = score(forever, submitted, days(3650));
            assertEquals(2, s.score());
            assertEquals(Optional.empty(), only(s, "webform").expiresAt());
            assertEquals(Optional.empty(), s.nextChangeAt());
        }

        @Test
        void durationsWithHoursMinutesAndSecondsExpireToTheSecond() {
            ScoringModel m = modelWith(20, """
                    {"id": "click", "name": "Clicked", "points": 1, "expiresAfter": "P1DT6H30M15S",
                     "criterion": {"type": "activity", "activity": "link_clicked"}}""");
            ContactHistory h = history(T0, activity("link_clicked", T0));
            Instant end = T0.plus(Duration.ofDays(1).plusHours(6).plusMinutes(30).plusSeconds(15));
            assertEquals(Optional.of(end), score(m, h, T0).nextChangeAt());
            assertEquals(1, score(m, h, end.minus(ONE_SECOND)).score());
            assertEquals(0, score(m, h, end).score());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Field rules")
    class Fields {

        private final ScoringModel germany = modelWith(20, """
                {"id": "germany", "name": "Based in Germany", "category": "fit", "points": 10,
                 "criterion": {"type": "field", "field": "country", "op": "eq", "value": "DE"}}""");

        private long germanyScore(ContactHistory h, Instant t) {
            return score(germany, h, t).score();
        }

        @Test
        void theUpdateWithTheLatestOccurredAtWinsWhateverTheOrderOfArrival() {
            ContactHistory h = history(hours(2), fieldsUpdated(hours(1), "country", "DE"), fieldsUpdated(T0, "country", "US"));
            assertEquals(10, germanyScore(h, hours(2)));
            ContactHistory other = history(hours(2), fieldsUpdated(hours(1), "country", "US"), fieldsUpdated(T0, "country", "DE"));
            assertEquals(0, germanyScore(other, hours(2)));
        }

        @Test
        void atEqualOccurredAtTheGreaterEventIdWins() {
            ContactEvent de = fieldsUpdated("evt-2", T0, "country", "DE");
            ContactEvent us = fieldsUpdated("evt-1", T0, "country", "US");
            assertEquals(10, germanyScore(history(T0, de, us), T0));
            assertEquals(10, germanyScore(history(T0, us, de), T0));
            ContactEvent deFirst = fieldsUpdated("evt-1", T0, "country", "DE");
            ContactEvent usSecond = fieldsUpdated("evt-2", T0, "country", "US");
            assertEquals(0, germanyScore(history(T0, deFirst, usSecond), T0));
            assertEquals(0, germanyScore(history(T0, usSecond, deFirst), T0));
        }

        @Test
        void atEqualOccurredAtAnUpdateWithAnIdBeatsOneWithout() {
            ContactEvent withId = fieldsUpdated("a", T0, "country", "DE");
            ContactEvent withoutId = fieldsUpdated(T0, "country", "US");
            assertEquals(10, germanyScore(history(T0, withId, withoutId), T0));
            assertEquals(10, germanyScore(history(T0, withoutId, withId), T0));
        }

        @Test
        void atEqualOccurredAtWithoutIdsTheGreaterJsonTextWins() {
            ContactEvent de = fieldsUpdated(T0, "country", "DE");
            ContactEvent at = fieldsUpdated(T0, "country", "AT");
            assertEquals(10, germanyScore(history(T0, de, at), T0), "\"DE\" > \"AT\"");
            assertEquals(10, germanyScore(history(T0, at, de), T0));
            ContactEvent us = fieldsUpdated(T0, "country", "US");
            assertEquals(0, germanyScore(history(T0, de, us), T0), "\"US\" > \"DE\"");
        }

        @Test
        void theJsonTextTieBreakComparesTextNotNumbers() {
            ContactEvent nine = fieldsUpdated(T0, "employees", 9);
            ContactEvent ten = fieldsUpdated(T0, "employees", 10);
            assertEquals(9L, history(T0, nine, ten).fieldAt("employees", T0), "\"9\" > \"10\" as text");
            assertEquals(9L, history(T0, ten, nine).fieldAt("employees", T0));
        }

        @Test
        void aNullValueRemovesTheField() {
            ContactHistory h = history(hours(1), fieldsUpdated(T0, "country", "DE"), fieldsUpdated(hours(1), "country", null));
            assertNull(h.fieldAt("country", hours(1)));
            assertFalse(h.fieldsAt(hours(1)).containsKey("country"));
            assertEquals(0, germanyScore(h, hours(1)));
        }

        @Test
        void anOlderNullDoesNotRemoveANewerValue() {
            ContactHistory h = history(hours(1), fieldsUpdated(hours(1), "country", "DE"), fieldsUpdated(T0, "country", null));
            assertEquals(10, germanyScore(h, hours(1)));
        }

        @Test
        void anUpdateThatDoesNotMentionAFieldKeepsIt() {
            ContactHistory h = history(hours(1), fieldsUpdated(T0, "country", "DE", "plan", "pro"),
                    fieldsUpdated(hours(1), "plan", "enterprise"));
            assertEquals(10, germanyScore(h, hours(1)));
            assertEquals("enterprise", h.fieldAt("plan", hours(1)));
        }

        @Test
        void aMissingFieldSatisfiesOnlyNeq() {
            ScoringModel notUs = modelWith(20, """
                    {"id": "abroad", "name": "Not in the US", "category": "fit", "points": 4,
                     "criterion": {"type": "field", "field": "country", "op": "neq", "value": "US"}}""");
            ContactHistory noCountry = history(T0, fieldsUpdated(T0, "plan", "pro"));
            assertEquals(4, score(notUs, noCountry, T0).score());
            assertEquals(0, germanyScore(noCountry, T0));
            ContactHistory us = history(T0, fieldsUpdated(T0, "country", "us"));
            assertEquals(0, score(notUs, us, T0).score());
        }

        @Test
        void fieldPredicatesCompareLikeActivityPredicates() {
            ScoringModel big = modelWith(20, """
                    {"id": "big", "name": "50+ employees", "category": "fit", "points": 7,
                     "criterion": {"type": "field", "field": "employees", "op": "gte", "value": 50}}""");
            assertEquals(7, score(big, history(T0, fieldsUpdated(T0, "employees", 120.0)), T0).score());
            assertEquals(0, score(big, history(T0, fieldsUpdated(T0, "employees", "120")), T0).score());
            assertEquals(10, germanyScore(history(T0, fieldsUpdated(T0, "country", "de")), T0));
        }

        @Test
        void anUpdateDatedAFewMinutesAheadChangesTheScoreAtItsInstant() {
            Instant ahead = minutes(4);
            ContactHistory h = history(T0, fieldsUpdated(T0, "country", "US"), fieldsUpdated(ahead, "country", "DE"));
            Score now = score(germany, h, T0);
            assertEquals(0, now.score());
            assertEquals(Optional.of(ahead), now.nextChangeAt());
            Score later = score(germany, h, ahead);
            assertEquals(10, later.score());
            assertEquals(1, only(later, "germany").matches());
            assertEquals(Optional.empty(), only(later, "germany").expiresAt());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Inactivity rules")
    class Inactivity {

        private final ScoringModel quiet = modelWith(20, """
                {"id": "quiet", "name": "No email opened for 30 days", "points": -5,
                 "criterion": {"type": "inactivity", "activity": "email_opened", "for": "P30D"}}""");

        @Test
        void holdsOnceTheContactHasBeenKnownForExactlyTheDuration() {
            ContactHistory h = history(T0, applied("newsletter", T0));
            assertEquals(0, score(quiet, h, days(30).minus(ONE_SECOND)).score());
            Score s = score(quiet, h, days(30));
            assertEquals(-5, s.score());
            Contribution c = only(s, "quiet");
            assertEquals(0, c.matches());
            assertEquals(Optional.empty(), c.expiresAt());
        }

        @Test
        void nextChangeAtIsWhenInactivityStartsToHold() {
            ContactHistory h = history(T0, applied("newsletter", T0));
            assertEquals(Optional.of(days(30)), score(quiet, h, days(1)).nextChangeAt());
            Instant opened = days(10);
            h = record(h, opened, activity("email_opened", opened));
            assertEquals(Optional.of(opened.plus(Duration.ofDays(30))), score(quiet, h, days(11)).nextChangeAt());
        }

        @Test
        void firstSeenIsTheEarliestOccurredAtNotTheFirstToArrive() {
            ContactHistory h = history(days(10), applied("newsletter", days(10)), applied("webinar", T0));
            assertEquals(Optional.of(T0), h.firstSeen());
            assertEquals(-5, score(quiet, h, days(30)).score());
        }

        @Test
        void anActivityExactlyForAgoNoLongerBlocks() {
            Instant opened = days(5);
            ContactHistory h = history(opened, applied("newsletter", T0), activity("email_opened", opened));
            assertEquals(-5, score(quiet, h, opened.plus(Duration.ofDays(30))).score());
        }

        @Test
        void anActivityOneSecondLessThanForAgoStillBlocks() {
            Instant opened = days(5);
            ContactHistory h = history(opened, applied("newsletter", T0), activity("email_opened", opened));
            assertEquals(0, score(quiet, h, opened.plus(Duration.ofDays(30)).minus(ONE_SECOND)).score());
        }

        @Test
        void onlyActivitiesMatchingTheWherePredicatesBlock() {
            ScoringModel noNewsletter = modelWith(20, """
                    {"id": "quiet", "name": "No newsletter opened for 30 days", "points": -5,
                     "criterion": {"type": "inactivity", "activity": "email_opened", "for": "P30D",
                                   "where": [{"field": "campaign", "op": "eq", "value": "newsletter"}]}}""");
            ContactHistory h = history(days(40), activity("email_opened", T0, "campaign", "newsletter"),
                    activity("email_opened", days(40), "campaign", "promo"));
            assertEquals(-5, score(noNewsletter, h, days(40)).score());
        }

        @Test
        void anActivityDatedAFewMinutesAheadEndsTheInactivityAtItsInstant() {
            Instant now = days(40);
            Instant ahead = now.plus(Duration.ofMinutes(2));
            ContactHistory h = history(now, applied("newsletter", T0), activity("email_opened", ahead));
            Score s = score(quiet, h, now);
            assertEquals(-5, s.score());
            assertEquals(Optional.of(ahead), s.nextChangeAt());
            assertEquals(Optional.of(ahead), only(s, "quiet").expiresAt());
            Score after = score(quiet, h, ahead);
            assertEquals(0, after.score());
            assertEquals(Optional.of(ahead.plus(Duration.ofDays(30))), after.nextChangeAt());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Totals: fit, engagement, limits, percent, flames, ranges")
    class Totals {

        private static final String GERMANY = """
                {"id": "germany", "name": "Based in Germany", "category": "fit", "points": 40,
                 "criterion": {"type": "field", "field": "country", "op": "eq", "value": "DE"}}""";
        private static final String PRO = """
                {"id": "pro", "name": "On the pro plan", "category": "fit", "points": 30,
                 "criterion": {"type": "field", "field": "plan", "op": "eq", "value": "pro"}}""";
        private static final String UNSUBSCRIBED = """
                {"id": "unsubscribed", "name": "Unsubscribed", "points": -20,
                 "criterion": {"type": "activity", "activity": "unsubscribed"}}""";
        private static final String WEBFORM = """
                {"id": "webform", "name": "Web form", "points": 3,
                 "criterion": {"type": "activity", "activity": "web_form_submitted"}}""";

        private final ContactHistory germanProThatUnsubscribed = history(T0,
                fieldsUpdated(T0, "country", "DE", "plan", "pro"), activity("unsubscribed", T0));

        private ScoringModel withLimits(String limits, String... rules) {
            return model("{\"idealScore\": 100, \"limits\": " + limits + ", \"rules\": ["
                    + String.join(",", rules) + "]}");
        }

        @Test
        void fitAndEngagementAreSummedSeparatelyAndAddUpToTheScore() {
            ScoringModel m = modelWith(100, GERMANY, WEBFORM);
            Score s = score(m, history(T0, fieldsUpdated(T0, "country", "DE"), activity("web_form_submitted", T0)), T0);
            assertEquals(40, s.fit());
            assertEquals(3, s.engagement());
            assertEquals(43, s.score());
            assertEquals(Category.FIT, only(s, "germany").category());
            assertEquals(Category.ENGAGEMENT, only(s, "webform").category());
        }

        @Test
        void negativePointsCanMakeTheScoreNegative() {
            ScoringModel m = modelWith(20, UNSUBSCRIBED);
            Score s = score(m, history(T0, activity("unsubscribed", T0)), T0);
            assertEquals(-20, s.score());
            assertEquals(-20, s.engagement());
            assertEquals(0, s.flames());
            assertEquals(-100, s.percent());
        }

        @Test
        void eachCategoryIsClampedBeforeTheTotal() {
            ScoringModel m = withLimits("{\"fit\": {\"max\": 50}}", GERMANY, PRO, UNSUBSCRIBED);
            Score s = score(m, germanProThatUnsubscribed, T0);
            assertEquals(50, s.fit(), "70 clamped to 50");
            assertEquals(-20, s.engagement());
            assertEquals(30, s.score(), "50 - 20, not 70 - 20");
        }

        @Test
        void theTotalIsClampedAfterTheCategories() {
            ScoringModel m = withLimits("{\"fit\": {\"max\": 50}, \"engagement\": {\"min\": -5}, \"total\": {\"max\": 40}}",
                    GERMANY, PRO, UNSUBSCRIBED);
            Score s = score(m, germanProThatUnsubscribed, T0);
            assertEquals(50, s.fit());
            assertEquals(-5, s.engagement());
            assertEquals(40, s.score(), "50 - 5 = 45, clamped to 40");
        }

        @Test
        void aTotalMinimumLiftsTheScore() {
            ScoringModel m = withLimits("{\"total\": {\"min\": -10}}", UNSUBSCRIBED);
            Score s = score(m, history(T0, activity("unsubscribed", T0)), T0);
            assertEquals(-20, s.engagement());
            assertEquals(-10, s.score());
        }

        @Test
        void theBreakdownShowsPointsBeforeLimits() {
            ScoringModel m = withLimits("{\"fit\": {\"max\": 50}, \"total\": {\"max\": 10}}", GERMANY, PRO, UNSUBSCRIBED);
            Score s = score(m, germanProThatUnsubscribed, T0);
            assertEquals(40, only(s, "germany").points());
            assertEquals(30, only(s, "pro").points());
            assertEquals(-20, only(s, "unsubscribed").points());
        }

        @Test
        void anExpiryHiddenByALimitDoesNotChangeTheScore() {
            ScoringModel m = withLimits("{\"total\": {\"max\": 40}}", GERMANY, """
                    {"id": "webform", "name": "Web form", "points": 3, "expiresAfter": "P1D",
                     "criterion": {"type": "activity", "activity": "web_form_submitted"}}""");
            ContactHistory h = history(T0, fieldsUpdated(T0, "country", "DE"), activity("web_form_submitted", T0));
            Score s = score(m, h, T0);
            assertEquals(40, s.score());
            assertEquals(Optional.of(days(1)), only(s, "webform").expiresAt());
            assertEquals(Optional.empty(), s.nextChangeAt(), "the score stays 40 when the web form expires");
        }

        @Test
        void percentRoundsHalfUpOfTheIdealScore() {
            assertEquals(40, Score.percentOf(8, 20));
            assertEquals(33, Score.percentOf(1, 3));
            assertEquals(67, Score.percentOf(2, 3));
            assertEquals(13, Score.percentOf(1, 8), "12.5 rounds up");
            assertEquals(1, Score.percentOf(1, 200), "0.5 rounds up");
            assertEquals(225, Score.percentOf(45, 20), "may exceed 100");
            assertEquals(0, Score.percentOf(0, 20));
        }

        @Test
        void negativePercentIsFloorOfPlusOneHalf() {
            assertEquals(-12, Score.percentOf(-1, 8), "floor(-12.5 + 0.5)");
            assertEquals(0, Score.percentOf(-1, 200), "floor(-0.5 + 0.5)");
            assertEquals(-1, Score.percentOf(-3, 200), "floor(-1.5 + 0.5)");
            assertEquals(-10, Score.percentOf(-2, 20));
            assertEquals(-33, Score.percentOf(-1, 3));
        }

        @Test
        void percentOfAScoreUsesTheModelsIdealScore() {
            ScoringModel m = modelWith(8, """
                    {"id": "click", "name": "Clicked", "points": 1,
                     "criterion": {"type": "activity", "activity": "link_clicked"}}""");
            assertEquals(13, score(m, history(T0, activity("link_clicked", T0)), T0).percent());
        }

        @Test
        void flamesAreFifthsOfTheIdealScoreClampedToZeroToFive() {
            assertEquals(0, Score.flamesOf(-5, 20));
            assertEquals(0, Score.flamesOf(0, 20));
            assertEquals(0, Score.flamesOf(3, 20));
            assertEquals(1, Score.flamesOf(4, 20));
            assertEquals(2, Score.flamesOf(10, 20));
            assertEquals(4, Score.flamesOf(19, 20));
            assertEquals(5, Score.flamesOf(20, 20));
            assertEquals(5, Score.flamesOf(45, 20));
            assertEquals(0, Score.flamesOf(-1, 3));
        }

        @Test
        void theRangeIsTheOneWithTheGreatestMinAtOrBelowTheScore() {
            ScoringModel m = model("""
                    {"idealScore": 20,
                     "ranges": [{"name": "hot", "min": 15, "color": "#d0021b"},
                                {"name": "cold", "min": 0, "color": "#4a90e2"},
                                {"name": "warm", "min": 8, "color": "#f5a623"}],
                     "rules": [{"id": "click", "name": "Clicked", "points": 1, "count": "each",
                                "criterion": {"type": "activity", "activity": "link_clicked"}},
                               {"id": "bounce", "name": "Bounced", "points": -1, "count": "each",
                                "criterion": {"type": "activity", "activity": "email_bounced"}}]}""");
            assertEquals("cold", rangeAfter(m, 0, 0));
            assertEquals("cold", rangeAfter(m, 7, 0));
            assertEquals("warm", rangeAfter(m, 8, 0));
            assertEquals("warm", rangeAfter(m, 14, 0));
            assertEquals("hot", rangeAfter(m, 15, 0));
            assertEquals("hot", rangeAfter(m, 40, 0));
            assertNull(rangeAfter(m, 0, 1), "below every range: none");
            ScoreRange warm = score(m, clicks(8, 0), T0).range().orElseThrow();
            assertEquals(new ScoreRange("warm", 8, "#f5a623"), warm);
        }

        private String rangeAfter(ScoringModel m, int clicks, int bounces) {
            return score(m, clicks(clicks, bounces), T0).range().map(ScoreRange::name).orElse(null);
        }

        private ContactHistory clicks(int clicks, int bounces) {
            ContactHistory h = history(T0, applied("lead", T0));
            for (int i = 0; i < clicks; i++) {
                h = record(h, T0, activity("link_clicked", T0));
            }
            for (int i = 0; i < bounces; i++) {
                h = record(h, T0, activity("email_bounced", T0));
            }
            return h;
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Disabled model")
    class Disabled {

        private static final String RULES = """
                "rules": [{"id": "webform", "name": "Web form", "points": 3,
                           "criterion": {"type": "activity", "activity": "web_form_submitted"}}]""";

        @Test
        void aDisabledModelGivesZerosNoRangeNoReasonsAndNoNextChange() {
            ScoringModel off = model("""
                    {"enabled": false, "idealScore": 20,
                     "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"}], %s}""".formatted(RULES));
            ContactHistory h = history(T0, activity("web_form_submitted", T0), applied("webinar", T0));
            Score s = score(off, h, T0);
            assertAll(
                    () -> assertFalse(s.enabled()),
                    () -> assertEquals(0, s.score()),
                    () -> assertEquals(0, s.fit()),
                    () -> assertEquals(0, s.engagement()),
                    () -> assertEquals(0, s.percent()),
                    () -> assertEquals(0, s.flames()),
                    () -> assertEquals(Optional.empty(), s.range()),
                    () -> assertEquals(List.of(), s.breakdown()),
                    () -> assertEquals(Optional.empty(), s.nextChangeAt()));
        }

        @Test
        void eventsRecordedWhileDisabledCountOnceEnabled() {
            ScoringModel off = model("{\"enabled\": false, \"idealScore\": 20, " + RULES + "}");
            ScoringModel on = model("{\"enabled\": true, \"idealScore\": 20, " + RULES + "}");
            ContactHistory h = history(T0, activity("web_form_submitted", T0));
            assertEquals(0, score(off, h, T0).score());
            Score s = score(on, h, T0);
            assertTrue(s.enabled());
            assertEquals(3, s.score());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Time: events after t, projections, never-seen contacts")
    class Time {

        private final ScoringModel webform = modelWith(20, """
                {"id": "webform", "name": "Web form", "points": 2,
                 "criterion": {"type": "activity", "activity": "web_form_submitted"}}""");

        @Test
        void anEventDatedAFewMinutesAheadCountsFromItsOccurredAt() {
            Instant ahead = minutes(4);
            ContactHistory h = history(T0, applied("lead", T0), activity("web_form_submitted", ahead));
            Score now = score(webform, h, T0);
            assertEquals(0, now.score(), "does not count yet");
            assertEquals(Optional.of(ahead), now.nextChangeAt());
            assertEquals(0, score(webform, h, ahead.minus(ONE_SECOND)).score());
            assertEquals(2, score(webform, h, ahead).score());
            assertEquals(Optional.empty(), score(webform, h, ahead).nextChangeAt());
        }

        @Test
        void aFutureEventThatChangesNothingIsNotANextChange() {
            Instant ahead = minutes(4);
            ContactHistory h = history(T0, activity("web_form_submitted", T0), activity("web_form_submitted", ahead));
            Score s = score(webform, h, T0);
            assertEquals(2, s.score());
            assertEquals(Optional.empty(), s.nextChangeAt());
        }

        @Test
        void aProjectionIsTheScoreThenIfNothingElseHappens() {
            ScoringModel m = modelWith(20, """
                    {"id": "webform", "name": "Web form", "points": 2, "expiresAfter": "P28D",
                     "criterion": {"type": "activity", "activity": "web_form_submitted"}}""");
            ContactHistory h = history(T0, activity("web_form_submitted", T0));
            assertEquals(2, score(m, h, days(27)).score());
            assertEquals(0, score(m, h, days(29)).score());
            assertEquals(Optional.empty(), score(m, h, days(29)).nextChangeAt());
        }

        @Test
        void aContactNeverSeenScoresZero() {
            ScoringModel m = model("""
                    {"idealScore": 20, "limits": {"total": {"min": 5}},
                     "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"}],
                     "rules": [{"id": "abroad", "name": "Not in the US", "category": "fit", "points": 4,
                                "criterion": {"type": "field", "field": "country", "op": "neq", "value": "US"}},
                               {"id": "quiet", "name": "Quiet", "points": -3,
                                "criterion": {"type": "inactivity", "activity": "email_opened", "for": "P1D"}}]}""");
            Score s = score(m, ContactHistory.EMPTY, T0);
            assertAll(
                    () -> assertTrue(s.enabled()),
                    () -> assertEquals(0, s.score()),
                    () -> assertEquals(0, s.fit()),
                    () -> assertEquals(0, s.engagement()),
                    () -> assertEquals(0, s.percent()),
                    () -> assertEquals(0, s.flames()),
                    () -> assertEquals(m.rangeOf(0), s.range()),
                    () -> assertEquals(List.of(), s.breakdown()),
                    () -> assertEquals(Optional.empty(), s.nextChangeAt()));
        }

        @Test
        void aContactWhoseOnlyEventIsStillAheadScoresZeroUntilItHappens() {
            ScoringModel m = modelWith(20, """
                    {"id": "abroad", "name": "Not in the US", "category": "fit", "points": 4,
                     "criterion": {"type": "field", "field": "country", "op": "neq", "value": "US"}}""");
            Instant ahead = minutes(3);
            ContactHistory h = history(T0, activity("page_visited", ahead));
            Score now = score(m, h, T0);
            assertEquals(0, now.score());
            assertEquals(List.of(), now.breakdown());
            assertEquals(Optional.of(ahead), now.nextChangeAt());
            assertEquals(4, score(m, h, ahead).score());
        }

        @Test
        void aContactNotSeenYetReportsTheFirstChangeEvenIfItComesAfterItsFirstEvent() {
            ScoringModel m = modelWith(20, """
                    {"id": "quiet", "name": "Quiet for 10 minutes", "points": -3,
                     "criterion": {"type": "inactivity", "activity": "email_opened", "for": "PT10M"}}""");
            Instant ahead = minutes(2);
            ContactHistory h = history(T0, activity("page_visited", ahead));
            assertEquals(Optional.of(minutes(12)), score(m, h, T0).nextChangeAt());
            assertEquals(0, score(m, h, ahead).score());
            assertEquals(-3, score(m, h, minutes(12)).score());
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Breakdown")
    class Breakdown {

        @Test
        void listsEachContributingRuleWithItsReasonsInModelOrder() {
            ScoringModel m = modelWith(20, """
                    {"id": "germany", "name": "Based in Germany", "category": "fit", "points": 10,
                     "criterion": {"type": "field", "field": "country", "op": "eq", "value": "DE"}}""", """
                    {"id": "never", "name": "Never matches", "points": 50,
                     "criterion": {"type": "activity", "activity": "demo_booked"}}""", """
                    {"id": "webform", "name": "Submitted a web form", "points": 2, "expiresAfter": "P28D",
                     "criterion": {"type": "activity", "activity": "web_form_submitted"}}""", """
                    {"id": "attended", "name": "Attended", "points": 5, "expiresAfter": "P7D",
                     "criterion": {"type": "tag", "anyOf": ["webinar"]}}""");
            ContactHistory h = history(days(1), fieldsUpdated(T0, "country", "DE"),
                    activity("web_form_submitted", T0), activity("web_form_submitted", days(1)),
                    applied("webinar", hours(5)));
            Score s = score(m, h, days(1));
            assertEquals(List.of(
                    new Contribution("germany", "Based in Germany", Category.FIT, 10, 1, Optional.empty()),
                    new Contribution("webform", "Submitted a web form", Category.ENGAGEMENT, 2, 2,
                            Optional.of(days(29))),
                    new Contribution("attended", "Attended", Category.ENGAGEMENT, 5, 1,
                            Optional.of(hours(5).plus(Duration.ofDays(7))))), s.breakdown());
            assertEquals(Optional.of(hours(5).plus(Duration.ofDays(7))), s.nextChangeAt(), "the earliest expiry");
        }

        @Test
        void aFieldRuleExpiresWhenAnUpdateAheadMakesItFalse() {
            ScoringModel m = modelWith(20, """
                    {"id": "germany", "name": "Based in Germany", "category": "fit", "points": 10,
                     "criterion": {"type": "field", "field": "country", "op": "eq", "value": "DE"}}""");
            ContactHistory h = history(T0, fieldsUpdated(T0, "country", "DE"), fieldsUpdated(minutes(2), "country", "AT"));
            assertEquals(Optional.of(minutes(2)), only(score(m, h, T0), "germany").expiresAt());
        }
    }
}

package io.leadflame.scoring;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.leadflame.scoring.ScoringFixtures.T0;
import static io.leadflame.scoring.ScoringFixtures.activity;
import static io.leadflame.scoring.ScoringFixtures.applied;
import static io.leadflame.scoring.ScoringFixtures.contribution;
import static io.leadflame.scoring.ScoringFixtures.days;
import static io.leadflame.scoring.ScoringFixtures.history;
import static io.leadflame.scoring.ScoringFixtures.hours;
import static io.leadflame.scoring.ScoringFixtures.modelWith;
import static io.leadflame.scoring.ScoringFixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decay (issue 16): a rule's points fade in whole points as what earned them ages — linearly to
 * nothing over a duration, or halving every half-life — and every instant at which a score
 * changes is still known exactly ({@code nextChangeAt}, {@code expiresAt}).
 */
class DecayTest {

    private static final Duration NANO = Duration.ofNanos(1);

    private static Decay linear(String over) {
        return new Decay(Decay.Kind.LINEAR, IsoDuration.parse(over).orElseThrow());
    }

    private static Decay halfLife(String every) {
        return new Decay(Decay.Kind.HALF_LIFE, IsoDuration.parse(every).orElseThrow());
    }

    @Nested
    class WholePoints {

        @Test
        void linearLosesOnePointEveryTenthOfItsLengthAndNothingIsLeftAtItsEnd() {
            Decay tenDays = linear("P10D");
            long day = Duration.ofDays(1).toNanos();
            assertEquals(10, tenDays.value(10, 0));
            assertEquals(10, tenDays.value(10, day - 1));
            assertEquals(9, tenDays.value(10, day));
            assertEquals(1, tenDays.value(10, 10 * day - 1));
            assertEquals(0, tenDays.value(10, 10 * day));
            assertEquals(0, tenDays.value(10, 400 * day));
            assertEquals(-7, tenDays.value(-10, 3 * day), "negative points fade toward zero alike");
        }

        @Test
        void halfLifeHalvesRoundingToTheNearestPointAndIsGoneUnderHalfAPoint() {
            Decay week = halfLife("P7D");
            long w = Duration.ofDays(7).toNanos();
            assertEquals(10, week.value(10, 0));
            assertEquals(5, week.value(10, w));
            assertEquals(3, week.value(10, 2 * w), "2.5 rounds half up");
            assertEquals(1, week.value(10, 3 * w), "1.25");
            assertEquals(1, week.value(10, 4 * w), "0.625");
            assertEquals(0, week.value(10, 5 * w), "0.3125");
            assertEquals(-5, week.value(-10, w));
        }

        @Test
        void everyStepIsTheExactNanosecondTheValueDropsTo() {
            for (Decay decay : List.of(linear("P10D"), linear("PT7S"), halfLife("P7D"), halfLife("PT1H"),
                    linear("P3650D"), halfLife("P3650D"))) {
                for (int points : new int[] {1, 3, 10, 999, -4, -1000}) {
                    for (int k = 0; k < Math.abs(points); k += Math.max(1, Math.abs(points) / 20)) {
                        long step = decay.ageAtMost(points, k);
                        assertTrue(Math.abs(decay.value(points, step)) <= k, decay + " " + points + " " + k);
                        assertTrue(Math.abs(decay.value(points, step - 1)) > k, decay + " " + points + " " + k);
                    }
                }
            }
        }

        @Test
        void aDecayLongerThanTenYearsIsRefused() {
            assertThrows(IllegalArgumentException.class, () -> linear("P3651D"));
        }
    }

    @Nested
    class Scores {

        private final ScoringModel visits = modelWith(100, """
                {"id": "visit", "name": "Visits", "points": 10, "count": "each",
                 "decay": {"type": "linear", "over": "P10D"},
                 "criterion": {"type": "activity", "activity": "page_visited"}}""");

        @Test
        void eachActivityFadesByItsOwnAgeAndTheScoreKnowsItsNextChange() {
            ContactHistory h = history(days(3), activity("page_visited", T0), activity("page_visited", days(2)));
            Score s = Scorer.score(visits, h, days(3));
            // 3 days: 7 left; 1 day: 9 left.
            assertEquals(16, s.score());
            assertEquals(2, contribution(s, "visit").orElseThrow().matches());
            assertEquals(Optional.of(days(4)), s.nextChangeAt(), "the older visit loses a point on day 4");
            assertEquals(Optional.of(days(12)), contribution(s, "visit").orElseThrow().expiresAt(),
                    "nothing left once the newer one is 10 days old");
            assertEquals(0, Scorer.score(visits, h, days(12)).score());
            assertEquals(1, Scorer.score(visits, h, days(12).minus(NANO)).score());
        }

        @Test
        void nextChangeAtIsExactUnderMaxPointsAndLimitsThatHideSteps() {
            ScoringModel capped = modelWith(100, """
                    {"id": "visit", "name": "Visits", "points": 10, "count": "each", "maxPoints": 15,
                     "decay": {"type": "halfLife", "halfLife": "P2D"},
                     "criterion": {"type": "activity", "activity": "page_visited"}}""");
            List<ContactEvent> events = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                events.add(activity("page_visited", hours(6 * i)));
            }
            ContactHistory h = history(hours(30), events.toArray(ContactEvent[]::new));
            assertEveryChangeIsWhereNextChangeAtSays(capped, h, hours(30), days(30));
        }

        @Test
        void aTagFadesFromWhenItWasAppliedAndAnExpiryStillEndsItAtOnce() {
            ScoringModel demo = modelWith(100, """
                    {"id": "demo", "name": "Asked for a demo", "points": 20, "expiresAfter": "P5D",
                     "decay": {"type": "linear", "over": "P10D"},
                     "criterion": {"type": "tag", "anyOf": ["demo"]}}""");
            ContactHistory h = history(days(1), applied("demo", T0));
            assertEquals(18, Scorer.score(demo, h, days(1)).score());
            assertEquals(Optional.of(days(1).plus(Duration.ofHours(12))), Scorer.score(demo, h, days(1)).nextChangeAt());
            assertEquals(11, Scorer.score(demo, h, days(5).minus(NANO)).score());
            assertEquals(0, Scorer.score(demo, h, days(5)).score(), "expired at 5 days, 10 points still unfaded");
            assertEveryChangeIsWhereNextChangeAtSays(demo, h, T0, days(11));
        }

        @Test
        void negativePointsFadeTowardZero() {
            ScoringModel bounce = modelWith(100, """
                    {"id": "bounce", "name": "Bounced", "points": -6, "decay": {"type": "linear", "over": "P3D"},
                     "criterion": {"type": "activity", "activity": "email_bounced"}},
                    {"id": "visit", "name": "Visits", "points": 10,
                     "criterion": {"type": "activity", "activity": "page_visited"}}""");
            ContactHistory h = history(T0, activity("page_visited", T0), activity("email_bounced", T0));
            assertEquals(4, Scorer.score(bounce, h, T0).score());
            assertEquals(5, Scorer.score(bounce, h, hours(12)).score());
            assertEquals(10, Scorer.score(bounce, h, days(3)).score());
            assertEveryChangeIsWhereNextChangeAtSays(bounce, h, T0, days(4));
        }

        @Test
        void theSameHistoryAfterACompactionScoresAlike() {
            ScoringModel capped = modelWith(100, """
                    {"id": "visit", "name": "Visits", "points": 4, "count": "each", "maxPoints": 8,
                     "decay": {"type": "linear", "over": "P4D"},
                     "criterion": {"type": "activity", "activity": "page_visited"}}""");
            ContactHistory h = history(T0);
            for (int i = 0; i < 10; i++) {
                h = record(h, hours(8 * i), activity("page_visited", hours(8 * i)));
            }
            Instant now = hours(130);
            // Keep only what the rule can still count: one activity a name beyond that, and no retention.
            ContactHistory compacted = h.forgetBeyond(capped, now, new HistoryLimits(1000, Duration.ofSeconds(1), 1));
            assertTrue(compacted.activityEnd("page_visited") < h.activityEnd("page_visited"), "something forgotten");
            for (Instant t = now; t.isBefore(days(8)); t = t.plus(Duration.ofHours(1))) {
                assertEquals(Scorer.score(capped, h, t), Scorer.score(capped, compacted, t), t.toString());
            }
        }

        /**
         * Walks from {@code from} to {@code until} along nextChangeAt: the score holds exactly until
         * each announced instant and differs at it, and no change happens in between (checked on
         * a grid of every hour and just before each announced change).
         */
        private void assertEveryChangeIsWhereNextChangeAtSays(ScoringModel model, ContactHistory h, Instant from,
                                                              Instant until) {
            Instant t = from;
            int changes = 0;
            while (t.isBefore(until)) {
                Score s = Scorer.score(model, h, t);
                Optional<Instant> next = s.nextChangeAt();
                Instant end = next.orElse(until).isBefore(until) ? next.orElse(until) : until;
                for (Instant probe = t.plus(Duration.ofHours(1)); probe.isBefore(end); probe = probe.plus(Duration.ofHours(1))) {
                    assertEquals(s.score(), Scorer.score(model, h, probe).score(), "changed at " + probe + " before " + next);
                }
                assertEquals(s.score(), Scorer.score(model, h, end.minus(NANO)).score(), "just before " + end);
                if (next.isEmpty() || !next.get().isBefore(until)) {
                    return;
                }
                assertTrue(Scorer.score(model, h, next.get()).score() != s.score(), "no change at " + next.get());
                t = next.get();
                changes++;
                assertTrue(changes < 10_000, "runaway");
            }
        }
    }

    @Nested
    class InTheModel {

        @Test
        void aDecayReadsAndWritesBackAsWritten() {
            String rules = """
                    {"rules": [
                      {"id": "visit", "name": "Visits", "points": 3, "count": "each",
                       "decay": {"type": "halfLife", "halfLife": "P1W"},
                       "criterion": {"type": "activity", "activity": "page_visited"}},
                      {"id": "demo", "name": "Demo", "points": 9, "decay": {"type": "linear", "over": "P30D"},
                       "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""";
            ScoringModel m = ScoringFixtures.model(rules);
            assertEquals(Optional.of(halfLife("P1W")), m.rules().get(0).decay());
            assertEquals(Optional.of(linear("P30D")), m.rules().get(1).decay());
            assertEquals(ScoringFixtures.json("{\"type\": \"halfLife\", \"halfLife\": \"P1W\"}"),
                    io.leadflame.api.ModelJson.write(m).at("/rules/0/decay"));
            assertEquals(m, io.leadflame.api.ModelJson.read(io.leadflame.api.ModelJson.write(m)).value().orElseThrow());
        }

        @Test
        void aDecayThatCannotApplyIsRefusedWithWhereAndWhy() {
            assertEquals(List.of("rules[0].decay: applies to tag and activity rules only"), problems("""
                    {"id": "r", "name": "R", "points": 2, "decay": {"type": "linear", "over": "P1D"},
                     "criterion": {"type": "field", "field": "plan", "op": "eq", "value": "pro"}}"""));
            assertEquals(List.of("rules[0].decay.type: must be linear or halfLife"), problems("""
                    {"id": "r", "name": "R", "points": 2, "decay": {"type": "exponential", "over": "P1D"},
                     "criterion": {"type": "tag", "anyOf": ["x"]}}"""));
            assertEquals(List.of("rules[0].decay.halfLife: is required",
                    "rules[0].decay.over: unknown property; expected type, halfLife"), sorted(problems("""
                    {"id": "r", "name": "R", "points": 2, "decay": {"type": "halfLife", "over": "P1D"},
                     "criterion": {"type": "tag", "anyOf": ["x"]}}""")));
            assertEquals(List.of("rules[0].decay.over: must be at most 3650 days (P3650D)"), problems("""
                    {"id": "r", "name": "R", "points": 2, "decay": {"type": "linear", "over": "P600W"},
                     "criterion": {"type": "tag", "anyOf": ["x"]}}"""));
        }

        private List<String> problems(String rule) {
            return io.leadflame.api.ModelJson.read(ScoringFixtures.json("{\"rules\": [" + rule + "]}")).problems()
                    .stream().map(p -> p.path() + ": " + p.message()).toList();
        }

        private List<String> sorted(List<String> list) {
            return list.stream().sorted().toList();
        }
    }
}

package io.leadflame.scoring;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.leadflame.scoring.ScoringFixtures.activity;
import static io.leadflame.scoring.ScoringFixtures.applied;
import static io.leadflame.scoring.ScoringFixtures.days;
import static io.leadflame.scoring.ScoringFixtures.history;
import static io.leadflame.scoring.ScoringFixtures.hours;
import static io.leadflame.scoring.ScoringFixtures.modelWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A contact's score over time: each change, by how much, through which rules, by an event or by time. */
class ScoreHistoryTest {

    private final ScoringModel model = modelWith(20, """
            {"id": "visit", "name": "Visits", "points": 2, "count": "each", "expiresAfter": "P3D",
             "criterion": {"type": "activity", "activity": "page_visited"}},
            {"id": "demo", "name": "Demo", "points": 5, "decay": {"type": "linear", "over": "P5D"},
             "criterion": {"type": "tag", "anyOf": ["demo"]}}""");

    private final ContactHistory contact = history(days(3), activity("page_visited", days(1)),
            activity("page_visited", days(2)), applied("demo", days(3)));

    private static String describe(ScoreHistory.Change c) {
        return c.at() + " " + c.score() + " (" + (c.change() > 0 ? "+" : "") + c.change() + ", "
                + (c.byEvent() ? "event" : "time") + ") " + c.rules().stream()
                .map(r -> r.ruleId() + (r.change() > 0 ? "+" : "") + r.change()).toList();
    }

    @Test
    void everyChangeInTheWindowWithItsRulesAndWhetherAnEventOrTimeMadeIt() {
        ScoreHistory.Timeline t = ScoreHistory.timeline(model, contact, days(0), days(6));
        assertEquals(0, t.scoreAtStart());
        assertEquals(List.of(
                days(1) + " 2 (+2, event) [visit+2]",
                days(2) + " 4 (+2, event) [visit+2]",
                days(3) + " 9 (+5, event) [demo+5]",
                days(4) + " 6 (-3, time) [visit-2, demo-1]",
                days(5) + " 3 (-3, time) [visit-2, demo-1]",
                days(6) + " 2 (-1, time) [demo-1]"), t.changes().stream().map(ScoreHistoryTest::describe).toList());
        assertEquals(2, t.velocity());
        assertFalse(t.truncated());
    }

    @Test
    void aWindowStartsFromTheScoreThenAndVelocityIsTheChangeOverIt() {
        ScoreHistory.Timeline t = ScoreHistory.timeline(model, contact, hours(60), days(4));
        assertEquals(4, t.scoreAtStart());
        assertEquals(List.of(days(3) + " 9 (+5, event) [demo+5]", days(4) + " 6 (-3, time) [visit-2, demo-1]"),
                t.changes().stream().map(ScoreHistoryTest::describe).toList());
        assertEquals(2, t.velocity());
        assertEquals(2, ScoreHistory.velocity(model, contact, days(4), Duration.ofHours(36)));
    }
}

package io.leadflame.leads;

import io.leadflame.changes.ScoreChange;
import io.leadflame.scoring.Category;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.Contribution;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.ScoreRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What a call-list entry keeps of a contact's score. */
class LeadTest {

    private static Contribution reason(String ruleId, long points) {
        return new Contribution(ruleId, "Rule " + ruleId, Category.ENGAGEMENT, points, 1, Optional.empty());
    }

    private static Score score(List<Contribution> breakdown) {
        long total = breakdown.stream().mapToLong(Contribution::points).sum();
        return new Score(true, total, 0, total, (int) total * 5, Score.flamesOf(total, 20),
                Optional.of(new ScoreRange("warm", 0, "#f5a623")), breakdown, Optional.empty());
    }

    @Test
    void keepsTheThreeWeightiestReasonsNegativeOnesIncluded() {
        Lead lead = Lead.of("acme", "acme/c-1", score(List.of(reason("form", 2), reason("unsub", -10),
                reason("vip", 5), reason("visit", 1), reason("b", 2))), ContactHistory.EMPTY);
        assertEquals(List.of("unsub", "vip", "b"), lead.reasons().stream().map(Lead.Reason::ruleId).toList());
        assertEquals(-10, lead.reasons().get(0).points());
        assertEquals("c-1", lead.contactId());
        assertEquals("acme", lead.tenant());
        assertEquals("warm", lead.range());
    }

    @Test
    void contactsWithTheSameReasonsShareOneList() {
        Lead one = Lead.of("acme", "acme/c-1", score(List.of(reason("vip", 5), reason("form", 2))), ContactHistory.EMPTY);
        Lead two = Lead.of("acme", "acme/c-2", score(List.of(reason("form", 2), reason("vip", 5))), ContactHistory.EMPTY);
        assertSame(one.reasons(), two.reasons());
    }

    @Test
    void aContactNeverScoredChangesFromZeroInTheRangeOfZero() {
        Lead first = Lead.of("acme", "acme/c-1", score(List.of(reason("vip", 5))), ContactHistory.EMPTY);
        ScoreChange change = Lead.changeBetween(null, first, "warm", ScoreChange.Reason.EVENT, java.time.Instant.EPOCH);
        assertEquals(0, change.previous());
        assertEquals(0, change.previousFlames());
        assertEquals("warm", change.previousRange());
        assertEquals(5, change.score());

        Lead zero = Lead.of("acme", "acme/c-2", score(List.of()), ContactHistory.EMPTY);
        assertNull(Lead.changeBetween(null, zero, "warm", ScoreChange.Reason.EVENT, java.time.Instant.EPOCH),
                "a first score of 0 in the range of 0 is no change");
        assertEquals("warm", Lead.changeBetween(null, zero, null, ScoreChange.Reason.EVENT, java.time.Instant.EPOCH)
                .range(), "but entering a range from none is");
    }
}

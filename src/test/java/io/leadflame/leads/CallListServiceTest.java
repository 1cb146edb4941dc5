package io.leadflame.leads;

import io.leadflame.scoring.Limits;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.ScoringModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of the call list's query that are plain arithmetic: scan floors, buckets, cursors. */
class CallListServiceTest {

    private static ScoringModel model(int idealScore) {
        return new ScoringModel(true, idealScore, List.of(), Limits.NONE, List.of());
    }

    @Test
    void theScanFloorIsTheLowestScoreWithThatManyFlames() {
        for (int ideal : new int[] {1, 3, 7, 20, 100, 101}) {
            for (int flames = 1; flames <= 5; flames++) {
                long floor = CallListService.scanFloor(model(ideal), flames, Long.MIN_VALUE, Optional.empty());
                assertTrue(Score.flamesOf(floor, ideal) >= flames, ideal + "/" + flames);
                assertTrue(Score.flamesOf(floor - 1, ideal) < flames, ideal + "/" + flames);
            }
            assertEquals(Long.MIN_VALUE, CallListService.scanFloor(model(ideal), 0, Long.MIN_VALUE, Optional.empty()));
        }
        ScoreRange warm = new ScoreRange("warm", 8, "#f5a623");
        assertEquals(12, CallListService.scanFloor(model(20), 1, 12, Optional.of(warm)), "the highest of the bounds");
        assertEquals(8, CallListService.scanFloor(model(20), 1, 2, Optional.of(warm)));
        ScoringModel disabled = new ScoringModel(false, 20, List.of(), Limits.NONE, List.of());
        assertEquals(Long.MIN_VALUE, CallListService.scanFloor(disabled, 3, Long.MIN_VALUE, Optional.empty()),
                "a disabled model gives everyone 0 flames: the filter decides, not the floor");
    }

    @Test
    void bucketsStepByATenthOfTheIdealScore() {
        assertArrayEquals(new long[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20}, CallListService.bucketBounds(20));
        assertArrayEquals(new long[] {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, CallListService.bucketBounds(100));
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, CallListService.bucketBounds(5), "at least a point a bucket");
        assertArrayEquals(new long[] {0, 2, 4, 6, 8, 10, 12, 14, 15}, CallListService.bucketBounds(15));
    }

    @Test
    void aCursorComesBackAsItWasGivenAndAnythingElseIsNoCursor() {
        LeadIndex.Cursor cursor = new LeadIndex.Cursor(-42, "a:b@c.com");
        assertEquals(Optional.of(cursor), LeadIndex.Cursor.decode(cursor.encode()));
        for (String bad : new String[] {"", "%%%", "bm90IGEgY3Vyc29y", "MTI6", "eDpjLTE"}) {
            assertEquals(Optional.empty(), LeadIndex.Cursor.decode(bad), bad);
        }
    }
}

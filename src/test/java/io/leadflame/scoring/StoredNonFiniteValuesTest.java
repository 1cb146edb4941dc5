package io.leadflame.scoring;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Input never holds an infinite number any more (it is refused when read), but a journal written
 * before that check may: a contact holding one must still take events, compare and score.
 */
class StoredNonFiniteValuesTest {

    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void aContactHoldingInfinityTakesAnotherUpdateOfThatFieldAtTheSameInstant() {
        ContactEvent infinite = ContactEvent.fieldsUpdated(null, AT, Map.of("n", Double.POSITIVE_INFINITY));
        ContactEvent finite = ContactEvent.fieldsUpdated(null, AT, Map.of("n", 2.5));
        // Two updates at one instant without ids are ordered by their JSON text: this threw before.
        ContactHistory oneWay = ContactHistory.EMPTY.record(infinite, AT, HistoryLimits.DEFAULT)
                .record(finite, AT, HistoryLimits.DEFAULT);
        ContactHistory otherWay = ContactHistory.EMPTY.record(finite, AT, HistoryLimits.DEFAULT)
                .record(infinite, AT, HistoryLimits.DEFAULT);
        assertEquals(oneWay.fieldAt("n", AT), otherWay.fieldAt("n", AT));
        ScoringModel model = ScoringFixtures.model("""
                {"rules": [{"id": "big", "name": "Big", "points": 5,
                  "criterion": {"type": "field", "field": "n", "op": "gte", "value": 1e300}}]}
                """);
        assertEquals(Scorer.score(model, oneWay, AT), Scorer.score(model, otherWay, AT));
    }

    @Test
    void infinityComparesAndPrintsWithoutThrowing() {
        assertEquals(1, Values.compareNumbers(Double.POSITIVE_INFINITY, new BigDecimal("1e300")));
        assertEquals(-1, Values.compareNumbers(new BigDecimal("1e300"), Double.POSITIVE_INFINITY));
        assertEquals("Infinity", Values.jsonText(Double.POSITIVE_INFINITY));
        assertEquals("NaN", Values.jsonText(Double.NaN));
    }
}

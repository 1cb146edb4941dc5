package io.leadflame.scoring;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A contact's score at one instant, with its reasons: the totals after limits, the percentage
 * of the ideal score, the flames (0..5), the range, the contributing rules, and the next
 * instant at which the score changes by itself.
 */
public record Score(boolean enabled, long score, long fit, long engagement, int percent, int flames,
                    Optional<ScoreRange> range, List<Contribution> breakdown, Optional<Instant> nextChangeAt) {

    /** The score of every contact while the model is disabled: all zero, no reasons. */
    public static final Score DISABLED = new Score(false, 0, 0, 0, 0, 0, Optional.empty(), List.of(), Optional.empty());

    public Score {
        breakdown = List.copyOf(breakdown);
    }

    /** {@code floor(100 * score / idealScore + 0.5)}, computed exactly in integers. */
    public static int percentOf(long score, int idealScore) {
        return (int) Math.floorDiv(200 * score + idealScore, 2L * idealScore);
    }

    /** {@code clamp(floor(5 * score / idealScore), 0, 5)}: the ideal score is 5 flames. */
    public static int flamesOf(long score, int idealScore) {
        return (int) Math.max(0, Math.min(5, Math.floorDiv(5 * score, (long) idealScore)));
    }
}

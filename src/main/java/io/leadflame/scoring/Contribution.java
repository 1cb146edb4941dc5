package io.leadflame.scoring;

import java.time.Instant;
import java.util.Optional;

/**
 * One reason in a score's breakdown: a rule that contributes now, the points it gives (before
 * limits), how many activities or tags matched, and when its contribution falls to zero.
 */
public record Contribution(String ruleId, String name, Category category, long points, int matches,
                           Optional<Instant> expiresAt) {
}

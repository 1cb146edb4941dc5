package io.leadflame.scoring;

import java.util.Optional;

/**
 * One scoring rule: when its criterion holds, it gives {@code points} (negative points take
 * points away), once or for each matching activity, possibly for a limited time.
 */
public record Rule(
        String id,
        String name,
        Category category,
        int points,
        CountMode count,
        Optional<Integer> maxPoints,
        Optional<IsoDuration> expiresAfter,
        Criterion criterion) {
}

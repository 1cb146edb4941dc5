package io.leadflame.scoring;

import java.util.Optional;

/**
 * One scoring rule: when its criterion holds, it gives {@code points} (negative points take
 * points away), once or for each matching activity, possibly for a limited time, possibly fading
 * as what earned them ages ({@link Decay}; tag and activity rules).
 */
public record Rule(
        String id,
        String name,
        Category category,
        int points,
        CountMode count,
        Optional<Integer> maxPoints,
        Optional<IsoDuration> expiresAfter,
        Optional<Decay> decay,
        Criterion criterion) {

    /** What an activity or tag that took effect {@code ageNanos} ago gives under this rule (decay aside: its points). */
    public long pointsAtAge(long ageNanos) {
        return decay.isEmpty() ? points : decay.get().value(points, ageNanos);
    }
}

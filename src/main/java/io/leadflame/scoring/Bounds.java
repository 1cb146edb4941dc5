package io.leadflame.scoring;

import java.util.Optional;

/** An optional lower and upper bound on a number of points. */
public record Bounds(Optional<Long> min, Optional<Long> max) {

    public static final Bounds NONE = new Bounds(Optional.empty(), Optional.empty());

    public long clamp(long points) {
        long result = points;
        if (max.isPresent() && result > max.get()) {
            result = max.get();
        }
        if (min.isPresent() && result < min.get()) {
            result = min.get();
        }
        return result;
    }

    public boolean isEmpty() {
        return min.isEmpty() && max.isEmpty();
    }
}

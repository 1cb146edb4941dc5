package io.leadflame.scoring;

import java.time.Instant;

/**
 * Instants as epoch nanoseconds in a {@code long}: a history keeps millions of them, and a
 * {@code long} costs 8 bytes where an {@link Instant} object costs 24 plus its reference. The
 * range, 1677-09-21 to 2262-04-11, holds every event the API accepts (see {@code EventJson});
 * instants outside it (a projection far ahead, say) saturate, which orders them the same way
 * against every stored instant.
 */
public final class Instants {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The earliest instant that fits. */
    public static final Instant MIN = ofNanos(Long.MIN_VALUE + 1);
    /** The latest instant that fits. */
    public static final Instant MAX = ofNanos(Long.MAX_VALUE);

    private Instants() {
    }

    public static long nanos(Instant t) {
        if (t.isBefore(MIN)) {
            return Long.MIN_VALUE + 1;
        }
        if (t.isAfter(MAX)) {
            return Long.MAX_VALUE;
        }
        return t.getEpochSecond() * NANOS_PER_SECOND + t.getNano();
    }

    public static Instant ofNanos(long nanos) {
        return Instant.ofEpochSecond(epochSecond(nanos), nano(nanos));
    }

    /** The epoch second of {@link #ofNanos}{@code (nanos)}, without making the {@code Instant}. */
    static long epochSecond(long nanos) {
        return Math.floorDiv(nanos, NANOS_PER_SECOND);
    }

    /** The nanosecond of that second. */
    static int nano(long nanos) {
        return (int) Math.floorMod(nanos, NANOS_PER_SECOND);
    }

    /** From {@code atNanos} to {@code tNanos} (epoch nanoseconds), saturated at a long's range. */
    static long between(long atNanos, long tNanos) {
        long age = tNanos - atNanos;
        return ((tNanos ^ atNanos) & (tNanos ^ age)) < 0 ? (tNanos < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : age;
    }
}

package io.leadflame.auth;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each key's token bucket, on a clock the test moves. */
class KeyRateLimitsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final KeyRateLimits limits = new KeyRateLimits(2, 3, now::get);

    private void advanceMillis(long millis) {
        now.addAndGet(millis * 1_000_000L);
    }

    @Test
    void aBurstGoesAtOnceThenTheRateRefillsIt() {
        for (int i = 0; i < 3; i++) {
            assertEquals(OptionalLong.empty(), limits.acquire("k"), "request " + i + " of the burst");
        }
        assertEquals(OptionalLong.of(1), limits.acquire("k"), "half a second to the next token, rounded up");
        advanceMillis(499);
        assertEquals(OptionalLong.of(1), limits.acquire("k"));
        advanceMillis(1);
        assertEquals(OptionalLong.empty(), limits.acquire("k"), "one token after half a second at 2 a second");
        assertEquals(OptionalLong.of(1), limits.acquire("k"));
        advanceMillis(60_000);
        for (int i = 0; i < 3; i++) {
            assertEquals(OptionalLong.empty(), limits.acquire("k"), "a long pause refills only up to the burst");
        }
        assertEquals(OptionalLong.of(1), limits.acquire("k"));
    }

    @Test
    void keysHaveTheirOwnAllowance() {
        for (int i = 0; i < 3; i++) {
            limits.acquire("busy");
        }
        assertEquals(OptionalLong.of(1), limits.acquire("busy"));
        assertEquals(OptionalLong.empty(), limits.acquire("calm"));
    }

    @Test
    void aSlowRateWaitsWholeSeconds() {
        KeyRateLimits slow = new KeyRateLimits(0.1, 1, now::get);
        assertEquals(OptionalLong.empty(), slow.acquire("k"));
        assertEquals(OptionalLong.of(10), slow.acquire("k"));
        assertThrows(IllegalArgumentException.class, () -> new KeyRateLimits(0, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new KeyRateLimits(1, 0, now::get));
    }
}

package io.leadflame.auth;

import com.typesafe.config.Config;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests per second each key may send to this node: a token bucket per key, refilled at
 * {@code perSecond} up to {@code burst}. A key past it is told how many seconds to wait (the
 * {@code 429}'s {@code Retry-After}), so one runaway integration cannot take a node from every
 * other tenant. Counted per node: a cluster of n nodes behind a balancer allows about n times it.
 * One bucket per key ever seen here: bounded by the keys that exist (100 active per tenant).
 */
public final class KeyRateLimits {

    private final double perSecond;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updatedAt;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.updatedAt = at;
        }
    }

    public KeyRateLimits(double perSecond, int burst, LongSupplier nanoTime) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("a rate limit needs a positive rate and a burst of at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** {@code leadflame.auth.rate-limit}. */
    public static KeyRateLimits from(Config config) {
        return new KeyRateLimits(config.getDouble("leadflame.auth.rate-limit.requests-per-second"),
                config.getInt("leadflame.auth.rate-limit.burst"), System::nanoTime);
    }

    /** Takes one request of {@code key}'s allowance; empty if it may go, else the whole seconds to wait. */
    public OptionalLong acquire(String key) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (bucket) {
            // Calls that read the clock in one order may get here in the other: time never goes back.
            if (now > bucket.updatedAt) {
                bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updatedAt) / 1e9 * perSecond);
                bucket.updatedAt = now;
            }
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return OptionalLong.empty();
            }
            return OptionalLong.of(Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSecond)));
        }
    }
}

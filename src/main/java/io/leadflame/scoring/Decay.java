package io.leadflame.scoring;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a rule's points fade as what earned them ages, instead of (or before) expiring at once,
 * in whole points:
 * <ul>
 *   <li>{@link Kind#LINEAR} over {@code D}: one point is lost every {@code D / |points|}, none is
 *   left at {@code D} — {@code |v| = ceil(|p| * (D - age) / D)}, computed in integers;</li>
 *   <li>{@link Kind#HALF_LIFE} {@code H}: halved every {@code H}, rounded to the nearest whole
 *   point (a half up), so gone once under half a point — {@code |v| = floor(|p| * 2^(-age/H) + 1/2)}
 *   in doubles, which is monotone in the age (Math.pow is semi-monotonic).</li>
 * </ul>
 * Negative points fade toward zero alike. So a score only ever holds whole points and changes at
 * exact instants: {@link #ageAtMost} finds the nanosecond at which a value first drops to a given
 * magnitude (for half-life from a logarithm, then checked against the same computation), which
 * keeps {@code nextChangeAt} exact.
 */
public record Decay(Kind kind, IsoDuration length) {

    /** The longest decay accepted: ten years. */
    public static final Duration MAX_LENGTH = Duration.ofDays(3650);
    /**
     * The most points a decaying rule gives (a rule's own limit): with ten years, a half-life's last
     * step is then ~3.5e18 ns, within epoch nanoseconds.
     */
    public static final int MAX_POINTS = 1000;

    public enum Kind {
        LINEAR("linear"), HALF_LIFE("halfLife");

        private final String json;

        Kind(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }

        /** The property that holds the length in the API's JSON: {@code over} or {@code halfLife}. */
        public String lengthKey() {
            return this == LINEAR ? "over" : "halfLife";
        }

        public static Optional<Kind> fromJson(String name) {
            for (Kind kind : values()) {
                if (kind.json.equals(name)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    public Decay {
        if (length.length().compareTo(MAX_LENGTH) > 0) {
            throw new IllegalArgumentException("a decay lasts at most " + MAX_LENGTH.toDays() + " days");
        }
    }

    private long lengthNanos() {
        return length.length().toNanos();
    }

    /** What {@code points} give {@code ageNanos} after taking effect (0 before they do: a negative age). */
    public long value(int points, long ageNanos) {
        if (ageNanos < 0) {
            return 0;
        }
        long magnitude = magnitude(Math.abs(points), ageNanos);
        return points < 0 ? -magnitude : magnitude;
    }

    private long magnitude(int p, long age) {
        long d = lengthNanos();
        if (kind == Kind.LINEAR) {
            if (age >= d) {
                return 0;
            }
            return mulDivCeiling(p, d - age, d);
        }
        double faded = p * Math.pow(2.0, -((double) age / (double) d));
        return (long) Math.floor(faded + 0.5);
    }

    /**
     * The smallest age at which {@code points} give at most {@code k} in magnitude, for
     * {@code 0 <= k < |points|}: the instant (after the item's own) at which its value becomes
     * {@code k} or less.
     */
    public long ageAtMost(int points, int k) {
        int p = Math.abs(points);
        if (k < 0 || k >= p) {
            throw new IllegalArgumentException("k must be from 0 to |points| - 1");
        }
        if (p > MAX_POINTS) {
            // Beyond it a half-life's steps would leave the range of epoch nanoseconds.
            throw new IllegalArgumentException("a decaying rule gives at most " + MAX_POINTS + " points");
        }
        long d = lengthNanos();
        if (kind == Kind.LINEAR) {
            // ceil(p (D - e) / D) <= k  <=>  p (D - e) / D <= k  <=>  e >= D (p - k) / p
            return mulDivCeiling(p - k, d, p);
        }
        // floor(p 2^(-e/H) + 1/2) <= k  <=>  p 2^(-e/H) < k + 1/2  <=>  e > H log2(p / (k + 1/2))
        double estimate = d * (Math.log(p / (k + 0.5)) / Math.log(2.0));
        long a = Math.max(1, (long) Math.ceil(estimate));
        // The estimate is within a few nanoseconds: settle on the exact step of magnitude(), with
        // magnitude(lo) > k >= magnitude(hi) (magnitude(0) is p, above every k).
        long lo;
        long hi;
        long step = 1;
        if (magnitude(p, a) <= k) {
            hi = a;
            lo = a - step;
            while (lo > 0 && magnitude(p, lo) <= k) {
                hi = lo;
                step *= 2;
                lo = a - step;
            }
            lo = Math.max(lo, 0);
        } else {
            lo = a;
            hi = a + step;
            while (magnitude(p, hi) > k) {
                lo = hi;
                step *= 2;
                hi = a + step;
            }
        }
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (magnitude(p, mid) <= k) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** The age from which {@code points} give nothing. */
    public long ageAtZero(int points) {
        return steps(points)[0];
    }

    /** Steps already found, per decay and points: a model has few, and scoring asks them at every write. */
    private static final Map<Decay, Map<Integer, long[]>> STEPS = new ConcurrentHashMap<>();

    /**
     * Every step of {@code points} under this decay: element {@code k} is {@link #ageAtMost}
     * {@code (points, k)}, for {@code k} from 0 to {@code |points| - 1}. Shared: do not change it.
     */
    long[] steps(int points) {
        return STEPS.computeIfAbsent(this, d -> new ConcurrentHashMap<>()).computeIfAbsent(points, p -> {
            long[] steps = new long[Math.abs(p)];
            for (int k = 0; k < steps.length; k++) {
                steps[k] = ageAtMost(p, k);
            }
            return steps;
        });
    }

    /** {@code ceil(a * b / c)} for non-negative {@code a}, {@code b} and positive {@code c}, exactly. */
    private static long mulDivCeiling(long a, long b, long c) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        if (high == 0 && low >= 0 && low <= Long.MAX_VALUE - c) {
            return (low + c - 1) / c;
        }
        BigInteger[] qr = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divideAndRemainder(BigInteger.valueOf(c));
        return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
    }
}

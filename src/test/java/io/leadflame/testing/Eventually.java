package io.leadflame.testing;

import java.time.Duration;

/**
 * Bounded polling for what happens asynchronously (readiness, membership, replication,
 * rescoring, an expiry): retry an assertion until it passes or a deadline passes. Tests wait
 * with this, never with a fixed sleep.
 */
public final class Eventually {

    private static final Duration POLL_EVERY = Duration.ofMillis(50);

    private Eventually() {
    }

    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws Exception;
    }

    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    /** Runs {@code attempt} until it returns without throwing or {@code within} has passed; then rethrows the last failure. */
    public static <T> T eventually(Duration within, Attempt<T> attempt) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return attempt.run();
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() - deadline >= 0) {
                    String detail = e instanceof AssertionError ? e.getMessage() : e.toString();
                    throw new AssertionError("still failing after " + within + ": " + detail, e);
                }
            }
            try {
                Thread.sleep(POLL_EVERY.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while polling", ie);
            }
        }
    }

    public static void eventually(Duration within, Check check) {
        eventually(within, () -> {
            check.run();
            return null;
        });
    }
}

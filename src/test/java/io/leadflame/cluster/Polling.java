package io.leadflame.cluster;

import java.time.Duration;

/** Bounded polling for what happens asynchronously (membership, replication, rescoring). */
final class Polling {

    private static final Duration POLL_EVERY = Duration.ofMillis(100);

    private Polling() {
    }

    @FunctionalInterface
    interface Attempt<T> {
        T run() throws Exception;
    }

    @FunctionalInterface
    interface Check {
        void run() throws Exception;
    }

    /** Runs {@code attempt} until it passes or {@code within} has passed; then rethrows the last failure. */
    static <T> T eventually(Duration within, Attempt<T> attempt) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return attempt.run();
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("still failing after " + within + ": " + e.getMessage(), e);
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

    static void eventually(Duration within, Check check) {
        eventually(within, () -> {
            check.run();
            return null;
        });
    }
}

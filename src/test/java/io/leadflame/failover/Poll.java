package io.leadflame.failover;

import java.time.Duration;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Bounded polling: every wait in the failover tests has a deadline. */
final class Poll {

    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    private Poll() {
    }

    /** Polls {@code condition} every 200 ms until it holds; fails after {@code within} with {@code context}. */
    static void until(Duration within, String what, Condition condition, Supplier<String> context) {
        long end = System.nanoTime() + within.toNanos();
        Exception lastError = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() - end > 0) {
                fail("not within " + within + ": " + what + (lastError == null ? "" : " (last error " + lastError + ")")
                        + "\n" + context.get());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }
}

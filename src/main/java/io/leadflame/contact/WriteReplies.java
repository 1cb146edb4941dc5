package io.leadflame.contact;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Gathers the answers of one request's contacts (issue 13): one short-lived actor a request,
 * where an ask per contact cost a temporary actor, a timer and a future each — a thousand of
 * each for a 1,000-contact batch. Completes, and stops, when every contact has answered, or
 * with what had been answered by then when the write timeout has passed or it is told to
 * {@link GiveUp} (the journal went down: the contacts that failed to write will never answer).
 */
final class WriteReplies {

    /**
     * What the contacts of a request answered: all of them when {@code answered == expected};
     * {@code failed} of those answers say the journal did not take their part.
     */
    record Outcome(long accepted, long duplicates, int answered, int expected, int failed) {
        Outcome(long accepted, long duplicates, int answered, int expected) {
            this(accepted, duplicates, answered, expected, 0);
        }

        /** Every contact answered and every part is durable. */
        boolean complete() {
            return answered == expected && failed == 0;
        }
    }

    /** Ends the gathering with what has been answered: the timeout's timer, or the journal gone down. */
    enum GiveUp {
        INSTANCE
    }

    private WriteReplies() {
    }

    /** Receives {@link ContactEntity.Recorded} from {@code expected} contacts (give them {@code narrow()}ed refs). */
    static Behavior<Object> collect(int expected, Duration timeout, CompletableFuture<Outcome> outcome) {
        return Behaviors.withTimers(timers -> {
            timers.startSingleTimer(GiveUp.INSTANCE, timeout);
            return gathering(new Outcome(0, 0, 0, expected), outcome);
        });
    }

    private static Behavior<Object> gathering(Outcome sofar, CompletableFuture<Outcome> outcome) {
        return Behaviors.receive(Object.class)
                .onMessage(ContactEntity.Recorded.class, reply -> {
                    Outcome now = new Outcome(sofar.accepted() + reply.accepted(),
                            sofar.duplicates() + reply.duplicates(), sofar.answered() + 1, sofar.expected(),
                            sofar.failed() + (reply.failed() ? 1 : 0));
                    if (now.answered() == now.expected()) {
                        outcome.complete(now);
                        return Behaviors.stopped();
                    }
                    return gathering(now, outcome);
                })
                .onMessageEquals(GiveUp.INSTANCE, () -> {
                    outcome.complete(sofar);
                    return Behaviors.stopped();
                })
                .build();
    }
}

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

    /** What the contacts of a request answered: all of them when {@code answered == expected}. */
    record Outcome(long accepted, long duplicates, int answered, int expected) {
        boolean complete() {
            return answered == expected;
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
            return gathering(0, 0, 0, expected, outcome);
        });
    }

    private static Behavior<Object> gathering(long accepted, long duplicates, int answered, int expected,
                                              CompletableFuture<Outcome> outcome) {
        return Behaviors.receive(Object.class)
                .onMessage(ContactEntity.Recorded.class, reply -> {
                    Outcome now = new Outcome(accepted + reply.accepted(), duplicates + reply.duplicates(),
                            answered + 1, expected);
                    if (now.complete()) {
                        outcome.complete(now);
                        return Behaviors.stopped();
                    }
                    return gathering(now.accepted(), now.duplicates(), now.answered(), expected, outcome);
                })
                .onMessageEquals(GiveUp.INSTANCE, () -> {
                    outcome.complete(new Outcome(accepted, duplicates, answered, expected));
                    return Behaviors.stopped();
                })
                .build();
    }
}

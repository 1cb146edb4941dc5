package io.leadflame.contact;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Gathers the answers of one request's contacts (issue 13): one short-lived actor a request,
 * where an ask per contact cost a temporary actor, a timer and a future each — a thousand of
 * each for a 1,000-contact batch. Completes, and stops, when every contact has answered, or
 * with what had been answered by then when the write timeout has passed or it is told to
 * {@link GiveUp} (the journal went down: the contacts that failed to write will never answer).
 *
 * <p>A part can be lost on its way: a message to a node that has just died (sharding sends it to
 * the dead node's region until the failover moves the shard), or a command a contact had stashed
 * when it stopped on a journal failure ({@link ContactFailures}). So every {@code resendEvery}
 * the contacts that have not answered are sent their part again — only once one of those has
 * happened since the request's start: a contact that is merely slow (a busy journal) is never
 * sent more work. Once the failover has moved the shard, or sharding has started the stopped
 * contact again, the next resend reaches it. The events' ids make a resend harmless, and only a
 * contact's first answer counts.
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

    /** Sends a contact its part of the request again, answering {@code replyTo}. */
    @FunctionalInterface
    interface Resender {
        void resend(String entityId, ActorRef<ContactEntity.Recorded> replyTo);
    }

    private enum Resend {
        INSTANCE
    }

    private WriteReplies() {
    }

    /**
     * Receives {@link ContactEntity.Recorded} from the contacts {@code entityIds} (give them
     * {@code narrow()}ed refs), resending through {@code resender} once {@code mayHaveLost} says a
     * part may have been lost.
     */
    static Behavior<Object> collect(Set<String> entityIds, Duration timeout, Duration resendEvery,
                                    BooleanSupplier mayHaveLost, Resender resender, CompletableFuture<Outcome> outcome) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startSingleTimer(GiveUp.INSTANCE, GiveUp.INSTANCE, timeout);
            timers.startTimerWithFixedDelay(Resend.INSTANCE, resendEvery);
            Gathering gathering = new Gathering(entityIds, outcome);
            ActorRef<ContactEntity.Recorded> self = context.getSelf().narrow();
            return Behaviors.receive(Object.class)
                    .onMessage(ContactEntity.Recorded.class, reply -> gathering.answered(reply)
                            ? Behaviors.stopped() : Behaviors.same())
                    .onMessageEquals(Resend.INSTANCE, () -> {
                        if (gathering.mayResend() && mayHaveLost.getAsBoolean()) {
                            gathering.resendTo(id -> resender.resend(id, self));
                        }
                        return Behaviors.same();
                    })
                    .onMessageEquals(GiveUp.INSTANCE, () -> {
                        outcome.complete(gathering.sofar());
                        return Behaviors.stopped();
                    })
                    .build();
        }));
    }

    /** The counts so far; confined to the collector actor. */
    private static final class Gathering {
        private final Set<String> unanswered;
        private final int expected;
        private final CompletableFuture<Outcome> outcome;
        private long accepted;
        private long duplicates;
        private int answered;
        private int failed;
        /** Some part was sent twice: only answers that say whose they are can count from now on. */
        private boolean resent;
        /** A node of an older version answered without saying whose answer it is: no resends. */
        private boolean anonymousAnswers;

        Gathering(Set<String> entityIds, CompletableFuture<Outcome> outcome) {
            this.unanswered = new HashSet<>(entityIds);
            this.expected = entityIds.size();
            this.outcome = outcome;
        }

        /** Counts {@code reply} if it is a contact's first; true once every contact has answered. */
        boolean answered(ContactEntity.Recorded reply) {
            if (reply.entityId() == null) {
                if (resent) {
                    return false;
                }
                anonymousAnswers = true;
            } else if (!unanswered.remove(reply.entityId())) {
                return false;
            }
            accepted += reply.accepted();
            duplicates += reply.duplicates();
            failed += reply.failed() ? 1 : 0;
            answered++;
            if (answered == expected) {
                outcome.complete(sofar());
                return true;
            }
            return false;
        }

        boolean mayResend() {
            return !anonymousAnswers && !unanswered.isEmpty();
        }

        void resendTo(Consumer<String> send) {
            resent = true;
            unanswered.forEach(send);
        }

        Outcome sofar() {
            return new Outcome(accepted, duplicates, answered, expected, failed);
        }
    }
}

package io.leadflame.contact;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * How many of this node's contacts have stopped on a journal failure: a failed write or a failed
 * recovery. Pekko drops what an event-sourced actor had stashed when it stops (the commands that
 * arrived while it wrote or recovered), so a request with a part among them would wait out its
 * write timeout although the journal may already answer again. A request's collector resends
 * its unanswered parts once this count has moved since the request began ({@link WriteReplies});
 * the events' ids make that harmless. Seen in DatabaseOutageIT: contacts whose recovery had
 * waited for the pool through the outage failed just after the journal answered again.
 */
public final class ContactFailures implements Extension {

    private static final ExtensionId<ContactFailures> ID = new ExtensionId<>() {
        @Override
        public ContactFailures createExtension(ActorSystem<?> system) {
            return new ContactFailures();
        }
    };

    private final AtomicLong stopped = new AtomicLong();

    private ContactFailures() {
    }

    public static ContactFailures get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** A contact of this node stops on a failed journal write or recovery. */
    void stoppedOnJournalFailure() {
        stopped.incrementAndGet();
    }

    /**
     * Asked once a resend tick: whether a contact of this node has stopped on a journal failure
     * since the previous tick, or the one before (a resend sent as the contact is still stopping
     * is lost too: the next tick's reaches its next incarnation). Not every tick after one failure:
     * a contact that is merely slow must not be sent its part again and again.
     */
    BooleanSupplier anyStoppedSinceNow() {
        long[] seen = {stopped.get()};
        int[] ticksLeft = {0};
        return () -> {
            long now = stopped.get();
            if (now != seen[0]) {
                seen[0] = now;
                ticksLeft[0] = 1;
                return true;
            }
            return ticksLeft[0]-- > 0;
        };
    }
}

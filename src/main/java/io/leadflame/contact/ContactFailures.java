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

    /** Whether a contact of this node has stopped on a journal failure since this call. */
    BooleanSupplier anyStoppedSinceNow() {
        long before = stopped.get();
        return () -> stopped.get() != before;
    }
}

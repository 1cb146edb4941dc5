package io.leadflame.contact;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One collector a request: the contacts' answers added up (each contact's first), resent to the
 * contacts that have not answered while a node is lost, or what had come when the write timeout
 * passed. Timers run on a manual clock.
 */
class WriteRepliesTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
    private static final ManualTime time = ManualTime.get(testKit.system());
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RESEND_EVERY = Duration.ofSeconds(2);
    private static final Set<String> ABC = Set.of("a", "b", "c");

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** Records what the collector resends: the contact's entity id. */
    private final TestProbe<String> resent = testKit.createTestProbe();
    private final AtomicBoolean nodeLost = new AtomicBoolean();
    private final CompletableFuture<WriteReplies.Outcome> outcome = new CompletableFuture<>();

    private ActorRef<ContactEntity.Recorded> collector(Set<String> contacts) {
        return testKit.<Object>spawn(WriteReplies.collect(contacts, TIMEOUT, RESEND_EVERY, nodeLost::get,
                (entityId, replyTo) -> resent.ref().tell(entityId), outcome)).narrow();
    }

    @Test
    void everyContactsAnswerIsAddedUpAndTheCollectorStops() throws Exception {
        ActorRef<ContactEntity.Recorded> replies = collector(ABC);
        replies.tell(new ContactEntity.Recorded(2, 0, "a"));
        replies.tell(new ContactEntity.Recorded(1, 1, "b"));
        replies.tell(new ContactEntity.Recorded(0, 9, "b"));
        assertFalse(outcome.isDone(), "two of three answered (b twice counts once)");
        replies.tell(new ContactEntity.Recorded(0, 4, "c"));
        WriteReplies.Outcome all = outcome.get(5, TimeUnit.SECONDS);
        assertEquals(new WriteReplies.Outcome(3, 5, 3, 3), all);
        assertTrue(all.complete());
        testKit.createTestProbe().expectTerminated(replies, Duration.ofSeconds(5));
    }

    @Test
    void aContactThatNeverAnswersEndsTheRequestAtTheTimeoutWithWhatCame() throws Exception {
        ActorRef<ContactEntity.Recorded> replies = collector(Set.of("a", "b"));
        replies.tell(new ContactEntity.Recorded(7, 0, "a"));
        resent.expectNoMessage(Duration.ofMillis(100));
        time.timePasses(TIMEOUT);
        WriteReplies.Outcome partial = outcome.get(5, TimeUnit.SECONDS);
        assertEquals(new WriteReplies.Outcome(7, 0, 1, 2), partial);
        assertFalse(partial.complete());
        resent.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void aContactWhoseWriteFailedEndsTheRequestAsSoonAsAllAnsweredNotAtTheTimeout() throws Exception {
        ActorRef<ContactEntity.Recorded> replies = collector(Set.of("a", "b"));
        replies.tell(new ContactEntity.Recorded(3, 0, "a"));
        replies.tell(new ContactEntity.Recorded(0, 0, true, "b"));
        WriteReplies.Outcome answered = outcome.get(5, TimeUnit.SECONDS);
        assertEquals(new WriteReplies.Outcome(3, 0, 2, 2, 1), answered);
        assertFalse(answered.complete(), "a part the journal did not take is not durable");
    }

    @Test
    void whileANodeIsLostTheUnansweredContactsAreSentAgainAndEachAnswerCountsOnce() throws Exception {
        ActorRef<ContactEntity.Recorded> replies = collector(ABC);
        replies.tell(new ContactEntity.Recorded(1, 0, "a"));
        time.timePasses(RESEND_EVERY);
        resent.expectNoMessage(Duration.ofMillis(100));

        nodeLost.set(true);
        time.timePasses(RESEND_EVERY);
        assertEquals(Set.of("b", "c"), Set.of(resent.receiveMessage(), resent.receiveMessage()),
                "the contacts that have not answered, not the one that did");
        replies.tell(new ContactEntity.Recorded(0, 2, "b"));
        time.timePasses(RESEND_EVERY);
        assertEquals("c", resent.receiveMessage(), "again, until it answers");
        resent.expectNoMessage(Duration.ofMillis(100));

        // c answers the first sending late and then a resend: counted once.
        replies.tell(new ContactEntity.Recorded(3, 0, "c"));
        replies.tell(new ContactEntity.Recorded(0, 3, "c"));
        assertEquals(new WriteReplies.Outcome(4, 2, 3, 3), outcome.get(5, TimeUnit.SECONDS));
    }

    @Test
    void anAnswerThatDoesNotSayWhoseCountsUntilSomethingIsResentAndStopsResending() throws Exception {
        // Nodes of the version before resends answer without an entity id.
        nodeLost.set(true);
        ActorRef<ContactEntity.Recorded> replies = collector(Set.of("a", "b"));
        replies.tell(new ContactEntity.Recorded(1, 0, null));
        time.timePasses(RESEND_EVERY);
        resent.expectNoMessage(Duration.ofMillis(100));
        replies.tell(new ContactEntity.Recorded(2, 0, null));
        assertEquals(new WriteReplies.Outcome(3, 0, 2, 2), outcome.get(5, TimeUnit.SECONDS));
    }

    @Test
    void afterAResendAnAnswerThatDoesNotSayWhoseCannotCompleteTheRequest() throws Exception {
        nodeLost.set(true);
        ActorRef<ContactEntity.Recorded> replies = collector(Set.of("a", "b"));
        time.timePasses(RESEND_EVERY);
        assertEquals(Set.of("a", "b"), Set.of(resent.receiveMessage(), resent.receiveMessage()));
        // a's answers to the first sending and to the resend, both anonymous: either could be a's or b's.
        replies.tell(new ContactEntity.Recorded(1, 0, null));
        replies.tell(new ContactEntity.Recorded(0, 1, null));
        time.timePasses(TIMEOUT);
        WriteReplies.Outcome unconfirmed = outcome.get(5, TimeUnit.SECONDS);
        assertFalse(unconfirmed.complete(), "answered 503 (the client resends), never 202 for b unconfirmed: "
                + unconfirmed);
    }
}

package io.leadflame.contact;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One collector a request: the contacts' answers added up, or what had come when the write timeout passed. */
class WriteRepliesTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void everyContactsAnswerIsAddedUpAndTheCollectorStops() throws Exception {
        CompletableFuture<WriteReplies.Outcome> outcome = new CompletableFuture<>();
        ActorRef<ContactEntity.Recorded> replies = testKit.spawn(
                WriteReplies.collect(3, Duration.ofMinutes(1), outcome)).narrow();
        replies.tell(new ContactEntity.Recorded(2, 0));
        replies.tell(new ContactEntity.Recorded(1, 1));
        assertFalse(outcome.isDone(), "two of three answered");
        replies.tell(new ContactEntity.Recorded(0, 4));
        WriteReplies.Outcome all = outcome.get(5, TimeUnit.SECONDS);
        assertEquals(new WriteReplies.Outcome(3, 5, 3, 3), all);
        assertTrue(all.complete());
        testKit.createTestProbe().expectTerminated(replies, Duration.ofSeconds(5));
    }

    @Test
    void aContactThatNeverAnswersEndsTheRequestAtTheTimeoutWithWhatCame() throws Exception {
        CompletableFuture<WriteReplies.Outcome> outcome = new CompletableFuture<>();
        ActorRef<ContactEntity.Recorded> replies = testKit.spawn(
                WriteReplies.collect(2, Duration.ofMillis(200), outcome)).narrow();
        replies.tell(new ContactEntity.Recorded(7, 0));
        WriteReplies.Outcome partial = outcome.get(5, TimeUnit.SECONDS);
        assertEquals(new WriteReplies.Outcome(7, 0, 1, 2), partial);
        assertFalse(partial.complete());
    }

    @Test
    void aContactWhoseWriteFailedEndsTheRequestAsSoonAsAllAnsweredNotAtTheTimeout() throws Exception {
        CompletableFuture<WriteReplies.Outcome> outcome = new CompletableFuture<>();
        ActorRef<ContactEntity.Recorded> replies = testKit.spawn(
                WriteReplies.collect(2, Duration.ofMinutes(1), outcome)).narrow();
        replies.tell(new ContactEntity.Recorded(3, 0));
        replies.tell(ContactEntity.Recorded.FAILED);
        WriteReplies.Outcome answered = outcome.get(5, TimeUnit.SECONDS);
        assertEquals(new WriteReplies.Outcome(3, 0, 2, 2, 1), answered);
        assertFalse(answered.complete(), "a part the journal did not take is not durable");
    }
}

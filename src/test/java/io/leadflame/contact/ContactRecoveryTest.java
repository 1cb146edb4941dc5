package io.leadflame.contact;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * After a start the node awaits the contacts the journal counted: recovering until as many with
 * events are back, then complete for good. One node here (the sum over the cluster's nodes goes
 * through the receptionist either way).
 */
class ContactRecoveryTest {

    private static final Duration WITHIN = Duration.ofSeconds(10);

    private final ActorTestKit testKit = ActorTestKit.create();
    private final ContactRecovery recovery = ContactRecovery.get(testKit.system());

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    /** The journal's count of stored contacts, as the test gives it. */
    private final CompletableFuture<Long> stored = new CompletableFuture<>();

    private void listed(long contacts) {
        stored.complete(contacts);
    }

    private Behavior<ContactRecovery.Command> watch() {
        return recovery.watch(() -> stored);
    }

    @Test
    void recoveringUntilEveryListedContactIsBackThenCompleteForGood() {
        testKit.spawn(watch());
        recovery.recovered();
        assertEquals(new ContactRecovery.Progress(false, 0, Optional.empty()), recovery.progress(),
                "nothing awaited before the journal has counted");

        listed(3);
        recovery.recovered();
        eventually(WITHIN, () -> assertEquals(new ContactRecovery.Progress(false, 2, Optional.of(3L)),
                recovery.progress()));

        recovery.recovered();
        eventually(WITHIN, () -> assertEquals(new ContactRecovery.Progress(true, 3, Optional.of(3L)),
                recovery.progress()));
        recovery.stopped();
        recovery.stopped();
        assertEquals(true, recovery.progress().complete(), "a contact moving away later is not a recovery");
    }

    @Test
    void aContactErasedWhileOthersRecoverIsNoLongerAwaited() {
        testKit.spawn(watch());
        listed(2);
        recovery.recovered();
        eventually(WITHIN, () -> assertEquals(1, recovery.progress().live()));
        assertFalse(recovery.progress().complete());

        recovery.erased();
        recovery.stopped();
        recovery.recovered();
        eventually(WITHIN, () -> assertEquals(new ContactRecovery.Progress(true, 1, Optional.of(1L)),
                recovery.progress()));
    }

    @Test
    void aNodeWithNoStoredContactIsCompleteOnceCounted() {
        testKit.spawn(watch());
        listed(0);
        eventually(WITHIN, () -> assertEquals(true, recovery.progress().complete()));
    }
}

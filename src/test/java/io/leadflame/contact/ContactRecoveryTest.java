package io.leadflame.contact;

import io.leadflame.persistence.TenantBootstrap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * After a start the node awaits the contacts the journal listed: recovering until as many with
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

    /** What the start's listing of persistence ids does for {@code contacts} stored contacts. */
    private void listed(int contacts) {
        TenantBootstrap.Loader loader = recovery.loader();
        for (int i = 0; i < contacts; i++) {
            loader.loadTenant().apply("acme/c-" + i);
        }
        loader.loaded().run();
    }

    @Test
    void recoveringUntilEveryListedContactIsBackThenCompleteForGood() {
        testKit.spawn(recovery.watch());
        recovery.recovered();
        assertEquals(new ContactRecovery.Progress(false, 0, Optional.empty()), recovery.progress(),
                "nothing counted before the listing has ended");

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
        testKit.spawn(recovery.watch());
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
    void aNodeWithNoStoredContactIsCompleteOnceTheListingHasEnded() {
        testKit.spawn(recovery.watch());
        listed(0);
        eventually(WITHIN, () -> assertEquals(true, recovery.progress().complete()));
    }
}

package io.leadflame.contact;

import io.leadflame.contact.ContactShards.Decision;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which shard count a node starts its contacts with: the oldest member of a new cluster records
 * it, every node only ever uses the recorded count, so no two nodes put one contact in two shards.
 */
class ContactShardsTest {

    private static final OptionalInt AUTO = OptionalInt.empty();
    private static final OptionalInt NONE = OptionalInt.empty();

    private static Decision decide(OptionalInt recorded, boolean contactsStored, OptionalInt configured,
                                   boolean oldest) {
        return ContactShards.decide(recorded, contactsStored, configured, oldest);
    }

    @Test
    void aNewClusterUsesAHundredRecordedByItsOldestNode() {
        assertEquals(new Decision.Use(100, true), decide(NONE, false, AUTO, true));
        assertEquals(new Decision.Use(100, false), decide(OptionalInt.of(100), false, AUTO, false));
        assertEquals(new Decision.Use(40, true), decide(NONE, false, OptionalInt.of(40), true));
    }

    @Test
    void aClusterThatRanBeforeTheCountWasRecordedKeepsPekkosDefault() {
        assertEquals(new Decision.Use(1000, true), decide(NONE, true, AUTO, true), "the oldest records it");
        assertEquals(new Decision.Use(1000, false), decide(NONE, true, AUTO, false),
                "a node joining a cluster of an older release uses what that release uses");
        assertInstanceOf(Decision.Wait.class, decide(NONE, true, OptionalInt.of(100), true));
        assertInstanceOf(Decision.Wait.class, decide(NONE, true, OptionalInt.of(100), false));
    }

    @Test
    void noNodeChangesTheCountOfAClusterThatHasOne() {
        for (boolean oldest : new boolean[] {true, false}) {
            Decision.Wait waits = assertInstanceOf(Decision.Wait.class,
                    decide(OptionalInt.of(100), true, OptionalInt.of(7), oldest));
            assertTrue(waits.reason().contains("100") && waits.reason().contains("7")
                    && waits.reason().contains("LEADFLAME_CONTACT_SHARDS"), waits.reason());
        }
        assertEquals(new Decision.Use(100, false), decide(OptionalInt.of(100), true, AUTO, false));
    }

    @Test
    void aYoungerNodeOfANewClusterWaitsForTheOldestToRecordTheCount() {
        assertInstanceOf(Decision.Wait.class, decide(NONE, false, AUTO, false));
        assertInstanceOf(Decision.Wait.class, decide(NONE, false, OptionalInt.of(100), false));
    }

    @Test
    void aNodeWithTheRecordedCountChangesNothing() {
        assertEquals(new Decision.Use(7, false), decide(OptionalInt.of(7), true, AUTO, true));
        assertEquals(new Decision.Use(7, false), decide(OptionalInt.of(7), true, OptionalInt.of(7), true));
        assertEquals(new Decision.Use(7, false), decide(OptionalInt.of(7), false, OptionalInt.of(7), false));
    }
}

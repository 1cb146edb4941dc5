package io.leadflame.model;

import io.leadflame.testing.ManualClock;
import io.leadflame.testing.InMemoryPersistence;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant's model entity on the in-memory journal (serialization checked): versions, the
 * optimistic concurrency of If-Match, and that every version reaches the replicator — also
 * again after a restart, when Distributed Data would be empty.
 */
class ScoringModelEntityTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final String MODEL = "{\"enabled\":true,\"idealScore\":20,\"ranges\":[],\"limits\":{},\"rules\":[]}";
    private static final AtomicInteger IDS = new AtomicInteger();
    private static ActorTestKit testKit;

    private final ManualClock clock = new ManualClock(NOW);
    private TestProbe<ModelReplicator.Command> replicator;
    private EventSourcedBehaviorTestKit<ScoringModelEntity.Command, ScoringModelEntity.Event, ScoringModelEntity.State>
            model;
    private String tenant;

    @BeforeAll
    static void startSystem() {
        testKit = InMemoryPersistence.testKit();
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void newTenant() {
        tenant = "t" + IDS.incrementAndGet();
        replicator = testKit.createTestProbe();
        model = EventSourcedBehaviorTestKit.create(testKit.system(),
                ScoringModelEntity.create(tenant, replicator.getRef(), clock));
    }

    private ScoringModelEntity.PutResult put(Optional<Long> expected) {
        return model.<ScoringModelEntity.PutResult>runCommand(
                replyTo -> new ScoringModelEntity.Put(MODEL, expected, replyTo)).reply();
    }

    @Test
    void aTenantWithoutAModelHasTheDefaultAtVersionZero() {
        PublishedModel current = model.<PublishedModel>runCommand(ScoringModelEntity.Get::new).reply();
        assertEquals(0, current.version());
        assertEquals(100, current.parse().idealScore());
        assertTrue(current.parse().rules().isEmpty());
        replicator.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void eachPutPublishesTheNextVersionToTheReplicator() {
        var first = assertInstanceOf(ScoringModelEntity.Published.class, put(Optional.empty()));
        assertEquals(1, first.model().version());
        assertEquals(Optional.of(NOW), first.model().updatedAt());
        assertEquals(first.model(), replicator.expectMessageClass(ModelReplicator.Publish.class).model());

        clock.advance(Duration.ofMinutes(1));
        var second = assertInstanceOf(ScoringModelEntity.Published.class, put(Optional.of(1L)));
        assertEquals(2, second.model().version());
        assertEquals(2, replicator.expectMessageClass(ModelReplicator.Publish.class).model().version());
    }

    @Test
    void aStaleIfMatchChangesNothing() {
        put(Optional.empty());
        replicator.expectMessageClass(ModelReplicator.Publish.class);
        var result = model.<ScoringModelEntity.PutResult>runCommand(
                replyTo -> new ScoringModelEntity.Put(MODEL, Optional.of(0L), replyTo));
        assertEquals(new ScoringModelEntity.VersionMismatch(1), result.reply());
        assertTrue(result.events().isEmpty());
        replicator.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void aRestartRepublishesTheStoredVersion() {
        put(Optional.empty());
        put(Optional.empty());
        replicator.expectMessageClass(ModelReplicator.Publish.class);
        replicator.expectMessageClass(ModelReplicator.Publish.class);
        model.restart();
        PublishedModel republished = replicator.expectMessageClass(ModelReplicator.Publish.class).model();
        assertEquals(2, republished.version());
        assertEquals(MODEL, republished.stored());
    }
}

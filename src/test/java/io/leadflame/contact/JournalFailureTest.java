package io.leadflame.contact;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.leadflame.config.Settings;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.PublishedModel;
import io.leadflame.model.StoredModel;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.api.ModelJson;
import io.leadflame.testing.InMemoryPersistence;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal write that fails, as the contacts live in production: sharded, with remember-entities
 * on. The failed request is answered as failed at once (the HTTP edge answers 503 and the client
 * resends), the contact restarts from its journal without the failed write, and the resent
 * events are recorded exactly once.
 */
class JournalFailureTest {

    private static final Duration ASK = Duration.ofSeconds(3);
    private static final String TENANT = "failing";
    private static final String C1 = ContactEntity.entityId(TENANT, "c-1");
    private static ActorTestKit testKit;
    private static PersistenceTestKit journal;
    private static ClusterSharding sharding;

    @BeforeAll
    static void startOneNodeCluster() throws Exception {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = 0
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.cluster.sharding.remember-entities = on
                        pekko.cluster.sharding.remember-entities-store = eventsourced
                        """)
                .withFallback(InMemoryPersistence.config()));
        journal = PersistenceTestKit.create(testKit.system());
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        String model = """
                {"idealScore": 10, "rules": [
                  {"id": "visit", "name": "Visits", "points": 1, "count": "each",
                   "criterion": {"type": "activity", "activity": "page_visited"}}]}""";
        String stored = StoredModel.write(ModelJson.read(new ObjectMapper().readTree(model)).value().orElseThrow());
        ModelCatalog.get(testKit.system()).offer(new PublishedModel(TENANT, 1, stored, Optional.of(Instant.now())));
        ContactEntity.init(testKit.system(),
                new Settings(ASK, HistoryLimits.DEFAULT, 100, 16, 10_000, 8 << 20, true, 256, 64, 16, Duration.ofSeconds(15),
                Settings.Ingestion.DEFAULT), ContactShards.NEW_CLUSTER);
        sharding = ClusterSharding.get(testKit.system());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static <R> R ask(String contactId, Function<ActorRef<R>, ContactEntity.Command> command)
            throws Exception {
        EntityRef<ContactEntity.Command> contact =
                sharding.entityRefFor(ContactEntity.TYPE_KEY, ContactEntity.entityId(TENANT, contactId));
        return AskPattern.ask(contact, command::apply, ASK, testKit.system().scheduler())
                .toCompletableFuture().get(ASK.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    private static ContactEntity.Recorded record(String contactId, ContactEvent... events) throws Exception {
        return ask(contactId, replyTo -> new ContactEntity.RecordEvents(List.of(events), replyTo));
    }

    private static ContactEntity.Recorded resendUntilAnswered(String contact, ContactEvent... events)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return record(contact, events);
            } catch (ExecutionException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static ContactEvent visit(String eventId, Instant at) {
        return ContactEvent.activity(eventId, "page_visited", at, Map.of());
    }

    @Test
    void aFailedWriteIsAnsweredAsFailedAtOnceAndTheResentEventsAreRecordedOnce() throws Exception {
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        assertEquals(new ContactEntity.Recorded(1, 0, C1), record("c-1", visit("v1", t)));

        journal.failNextPersisted("Contact|" + ContactEntity.entityId(TENANT, "c-1"));
        long asked = System.nanoTime();
        assertEquals(new ContactEntity.Recorded(0, 0, true, C1),
                record("c-1", visit("v2", t.plusSeconds(1)), visit("v3", t.plusSeconds(2))),
                "a write the journal refused is answered as failed (the edge answers 503 at once), never as recorded");
        assertTrue(System.nanoTime() - asked < ASK.toNanos(), "answered before the ask timeout");

        // The client resends, as after a 503; one sent while the failed incarnation is still
        // stopping is lost with it (no answer), and the client resends again.
        assertEquals(new ContactEntity.Recorded(2, 0, C1),
                resendUntilAnswered("c-1", visit("v2", t.plusSeconds(1)), visit("v3", t.plusSeconds(2))),
                "the contact is back from its journal, without the failed write, and takes the resent events");
        ContactEntity.ContactView view = assertInstanceOf(ContactEntity.ContactView.class,
                JournalFailureTest.<ContactEntity.ContactReply>ask("c-1",
                        replyTo -> new ContactEntity.GetContact(Optional.empty(), replyTo)));
        assertEquals(3, view.score().score(), "each visit counted once: " + view.score());
        assertEquals(new ContactEntity.Recorded(0, 3, C1),
                record("c-1", visit("v1", t), visit("v2", t.plusSeconds(1)), visit("v3", t.plusSeconds(2))));
    }

    @Test
    void aWriteStashedBehindAFailedOneIsResentToTheNextIncarnationAndRecordedOnce() throws Exception {
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        String c2 = ContactEntity.entityId(TENANT, "c-2");
        assertEquals(new ContactEntity.Recorded(1, 0, c2), record("c-2", visit("w1", t)));
        EntityRef<ContactEntity.Command> contact = sharding.entityRefFor(ContactEntity.TYPE_KEY, c2);

        journal.failNextPersisted("Contact|" + c2);
        TestProbe<ContactEntity.Recorded> failedWrite = testKit.createTestProbe();
        contact.tell(new ContactEntity.RecordEvents(List.of(visit("w2", t.plusSeconds(1))), failedWrite.ref()));
        // Sent right behind it, as another request's part: stashed while the first writes, and
        // dropped by Pekko when the contact stops on the failure.
        List<ContactEvent> behind = List.of(visit("w3", t.plusSeconds(2)));
        CompletableFuture<WriteReplies.Outcome> outcome = new CompletableFuture<>();
        ActorRef<Object> collector = testKit.spawn(WriteReplies.collect(Set.of(c2), Duration.ofSeconds(20),
                Duration.ofMillis(200), ContactFailures.get(testKit.system()).anyStoppedSinceNow(),
                (entityId, replyTo) -> contact.tell(new ContactEntity.RecordEvents(behind, replyTo)), outcome));
        contact.tell(new ContactEntity.RecordEvents(behind, collector.narrow()));
        assertEquals(new ContactEntity.Recorded(0, 0, true, c2), failedWrite.receiveMessage(ASK));

        WriteReplies.Outcome recorded = outcome.get(10, TimeUnit.SECONDS);
        assertTrue(recorded.complete(), "the part stashed behind the failed write is answered, not left to the "
                + "write timeout: " + recorded);
        ContactEntity.ContactView view = assertInstanceOf(ContactEntity.ContactView.class,
                JournalFailureTest.<ContactEntity.ContactReply>ask("c-2",
                        replyTo -> new ContactEntity.GetContact(Optional.empty(), replyTo)));
        assertEquals(2, view.score().score(), "w1 and w3 once each, not the failed w2: " + view.score());
    }
}

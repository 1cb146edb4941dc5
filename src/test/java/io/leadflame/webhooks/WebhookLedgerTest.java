package io.leadflame.webhooks;

import com.typesafe.config.ConfigFactory;

import io.leadflame.changes.ScoreChange;
import io.leadflame.testing.InMemoryPersistence;
import io.leadflame.testing.WebhookReceiver;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant's outbox on its own, with the in-memory journal and snapshot store (both serialize,
 * as the JDBC ones do) and a real receiver: giving up, and recovering from a snapshot.
 */
class WebhookLedgerTest {

    private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123Z");
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static ActorTestKit testKit;
    private static ActorRef<TriggersReplicator.Command> replicator;
    private final WebhookReceiver receiver = new WebhookReceiver();

    @BeforeAll
    static void start() {
        // The receiver listens on loopback, which only an operator can allow (ReceiverAddresses).
        testKit = ActorTestKit.create(ConfigFactory.parseMap(Map.of("leadflame.webhooks.allowed-receivers", "127.0.0.1/32"))
                .withFallback(InMemoryPersistence.config()));
        // Stands in for Distributed Data (a cluster): the triggers are "written" at once.
        replicator = testKit.spawn(Behaviors.receiveMessage(publish -> {
            ((TriggersReplicator.Publish) publish).written().run();
            return Behaviors.same();
        }));
    }

    @AfterAll
    static void stop() {
        // As the node's shutdown does (WebhookOutbox.init): pools torn down under an attempt log an error.
        Http.get(testKit.system()).shutdownAllConnectionPools().toCompletableFuture().join();
        testKit.shutdownTestKit();
    }

    @AfterEach
    void receiverDown() {
        receiver.close();
    }

    private static Behavior<WebhookOutbox.Command> outbox(String tenant, Duration giveUpAfter) {
        return WebhookOutbox.create(tenant, replicator,
                new WebhookSettings(Duration.ofMillis(50), Duration.ofMillis(200), giveUpAfter, Duration.ofSeconds(2), 4),
                Clock.systemUTC());
    }

    private static ScoreChange hot(String tenant, String contactId) {
        return new ScoreChange(tenant, contactId, 9, 0, 4, "hot", ScoreChange.Reason.EVENT, AT, 0, null);
    }

    /** As a node's CrossingForwarder does: the crossing, answered once persisted. */
    private static void record(ActorRef<WebhookOutbox.Command> outbox, ScoreChange change) {
        TestProbe<Done> persisted = testKit.createTestProbe();
        outbox.tell(new WebhookOutbox.Record(List.of(change), persisted.ref()));
        persisted.expectMessage(Done.getInstance());
    }

    private static void save(ActorRef<WebhookOutbox.Command> outbox, String url) {
        TestProbe<WebhookOutbox.Saved> saved = testKit.createTestProbe();
        outbox.tell(new WebhookOutbox.Save("crm", url, "secret", Trigger.minFlames(4), saved.ref()));
        saved.expectMessageClass(WebhookOutbox.Saved.class);
    }

    private static WebhookStatus status(ActorRef<WebhookOutbox.Command> outbox) {
        TestProbe<WebhookOutbox.Found> found = testKit.createTestProbe();
        outbox.tell(new WebhookOutbox.Get("crm", found.ref()));
        return found.expectMessageClass(WebhookOutbox.Found.class).webhook();
    }

    @Test
    void everyDeliveryStillFailingAtTheGiveUpAgeIsMarkedFailedAndNoLongerPending() {
        receiver.down();
        ActorRef<WebhookOutbox.Command> outbox = testKit.spawn(outbox("gives-up", Duration.ZERO));
        save(outbox, receiver.url("/x"));
        for (int i = 1; i <= 3; i++) {
            record(outbox, hot("gives-up", "c-" + i));
        }

        // The receiver is tried once per backoff, yet the whole backlog past its age is given up.
        WebhookStatus status = eventually(WITHIN, () -> {
            WebhookStatus s = status(outbox);
            assertEquals(3, s.failed(), s.toString());
            return s;
        });
        assertEquals(0, status.pending());
        assertEquals(0, status.delivered());
        WebhookStatus.Outcome outcome = status.recent().get(0);
        assertEquals("failed", outcome.status());
        assertNotNull(outcome.error(), "why it failed");
        assertEquals(java.util.Set.of("c-1", "c-2", "c-3"), status.recent().stream()
                .map(WebhookStatus.Outcome::contactId).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void aPendingDeliveryKeepsTheTriggerItCrossedWhenTheWebhookIsReplaced() {
        receiver.down();
        ActorRef<WebhookOutbox.Command> outbox = testKit.spawn(outbox("replaced", Duration.ofDays(1)));
        save(outbox, receiver.url("/old"));
        record(outbox, hot("replaced", "c-1"));
        eventually(WITHIN, () -> assertEquals(1, status(outbox).pending()));
        TestProbe<WebhookOutbox.Saved> saved = testKit.createTestProbe();
        outbox.tell(new WebhookOutbox.Save("crm", receiver.url("/new"), "secret", Trigger.minFlames(2), saved.ref()));
        assertEquals(2, saved.expectMessageClass(WebhookOutbox.Saved.class).webhook().trigger().minFlames());
        receiver.up();

        eventually(WITHIN, () -> assertEquals(1, status(outbox).delivered()));
        WebhookReceiver.Received received = receiver.received().get(0);
        assertEquals(4, received.json().get("trigger").get("minFlames").asInt(), "the trigger it crossed");
        assertTrue(received.signedWith("secret"));
    }

    @Test
    void anOutboxRecoversItsCountsAndPendingDeliveriesFromASnapshotAndTheEventsAfterIt() {
        String tenant = "recovers";
        ActorRef<WebhookOutbox.Command> outbox = testKit.spawn(outbox(tenant, Duration.ofDays(1)));
        save(outbox, receiver.url("/x"));
        // More events than a snapshot interval: one crossing at a time, each recorded then
        // delivered (two events; crossings and acceptances arriving together share one).
        int delivered = 300;
        for (int i = 0; i < delivered; i++) {
            record(outbox, hot(tenant, "c-" + i));
            int expected = i + 1;
            eventually(WITHIN, () -> assertEquals(expected, status(outbox).delivered()));
        }
        receiver.down();
        for (int i = 0; i < 3; i++) {
            record(outbox, hot(tenant, "late-" + i));
        }
        eventually(WITHIN, () -> assertEquals(3, status(outbox).pending()));
        WebhookStatus before = status(outbox);

        testKit.stop(outbox);
        ActorRef<WebhookOutbox.Command> recovered = testKit.spawn(outbox(tenant, Duration.ofDays(1)));
        WebhookStatus after = status(recovered);
        assertEquals(delivered, after.delivered());
        assertEquals(3, after.pending());
        assertEquals(before.recent(), after.recent(), "the latest outcomes survive too");
        assertEquals(before.oldestPendingAt(), after.oldestPendingAt());
        assertEquals(WebhookLedger.RECENT, after.recent().size());
        assertNull(after.nextAttemptAt(), "a restart starts without backoff");

        receiver.up();
        eventually(WITHIN, () -> assertEquals(delivered + 3, status(recovered).delivered()));
        assertEquals(delivered + 3, receiver.received().stream().map(WebhookReceiver.Received::deliveryId)
                .distinct().count(), "each crossing under its own delivery id");
    }

    @Test
    void whatTheOutboxStoresAndSendsRoundTrips() {
        SerializationTestKit serialization = testKit.serializationTestKit();
        ScoreChange change = hot("acme", "c-1");
        Delivery delivery = Delivery.of("crm", Trigger.minFlames(4), change, AT);
        Webhook webhook = new Webhook("crm", "https://crm.example.com/hook", "k", Trigger.enterRange("hot"), AT);
        WebhookStatus.Outcome outcome = new WebhookStatus.Outcome(delivery.id(), "c-1", "delivered", 2, AT, null);
        List<Object> messages = List.of(
                new WebhookLedger.WebhookSaved(webhook),
                new WebhookLedger.WebhookDeleted("crm"),
                new WebhookLedger.CrossingsRecorded(List.of(delivery)),
                new WebhookLedger.DeliveriesSucceeded(List.of(new WebhookLedger.Succeeded("crm", delivery.id(), 2)), AT),
                new WebhookLedger.DeliveriesAbandoned("crm", List.of(new WebhookLedger.Abandoned(delivery.id(), 9)), AT,
                        "HTTP 500"),
                new WebhookLedger.Snapshot(3, List.of(webhook), List.of(delivery),
                        List.of(new WebhookLedger.TallySnapshot("crm", 5, 1, AT, List.of(outcome)))),
                new WebhookOutbox.Record(List.of(change), testKit.<Done>createTestProbe().ref()),
                new WebhookOutbox.Saved(new WebhookStatus("crm", webhook.url(), Trigger.minFlames(4), AT, 1, 2, 3, 4,
                        AT, AT, "HTTP 503", AT, List.of(outcome)), true),
                new WebhookOutbox.Found(null),
                new WebhookOutbox.Deleted(true, 3),
                new TenantTriggers(2, List.of(Trigger.minFlames(4), Trigger.enterRange("hot"))));
        messages.forEach(m -> serialization.verifySerialization(m, true));
    }
}

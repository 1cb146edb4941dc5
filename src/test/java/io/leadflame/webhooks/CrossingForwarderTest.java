package io.leadflame.webhooks;

import io.leadflame.changes.ScoreChange;
import io.leadflame.testing.OneNodeCluster;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node's crossings reach their outbox even when it does not answer at first (moving, its
 * ledger restarting after a journal failure): the forwarder sends the batch again until the
 * outbox says it is persisted, and only then the next. On a one-node cluster, with an outbox
 * that ignores its first batch.
 */
class CrossingForwarderTest {

    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = OneNodeCluster.testKit();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static ScoreChange crossing(String contactId) {
        return new ScoreChange("acme", contactId, 9, 0, 4, "hot", ScoreChange.Reason.EVENT, AT, 0, null);
    }

    @Test
    void aBatchTheOutboxDoesNotAnswerIsSentAgainAndOnlyThenTheNext() {
        TestProbe<List<String>> received = testKit.createTestProbe();
        AtomicInteger batches = new AtomicInteger();
        // The tenant's outbox: ignores the first batch (as a ledger that stopped would), persists the others.
        ClusterSharding.get(testKit.system()).init(Entity.of(WebhookOutbox.TYPE_KEY, ctx ->
                Behaviors.receiveMessage(command -> {
                    if (command instanceof WebhookOutbox.Record record) {
                        received.ref().tell(record.changes().stream().map(ScoreChange::contactId).toList());
                        if (batches.incrementAndGet() > 1) {
                            record.replyTo().tell(Done.getInstance());
                        }
                    }
                    return Behaviors.same();
                })));
        ActorRef<CrossingForwarder.Command> forwarder = testKit.spawn(CrossingForwarder.create());

        forwarder.tell(new CrossingForwarder.Forward(crossing("c-1")));
        assertEquals(List.of("c-1"), received.receiveMessage(Duration.ofSeconds(10)));
        forwarder.tell(new CrossingForwarder.Forward(crossing("c-2")));
        forwarder.tell(new CrossingForwarder.Forward(crossing("c-3")));
        received.expectNoMessage(Duration.ofMillis(500)); // one batch per tenant at a time

        // Unanswered within the ask timeout: the same crossings again, first, then the rest.
        List<String> again = received.receiveMessage(Duration.ofSeconds(20));
        assertEquals("c-1", again.get(0), "the unanswered one, before any newer");
        List<String> all = new java.util.ArrayList<>(again);
        while (all.size() < 3) {
            all.addAll(received.receiveMessage(Duration.ofSeconds(5)));
        }
        assertEquals(List.of("c-1", "c-2", "c-3"), all);

        TestProbe<Done> drained = testKit.createTestProbe();
        forwarder.tell(new CrossingForwarder.Drain(drained.ref()));
        drained.expectMessage(Duration.ofSeconds(5), Done.getInstance());
    }
}

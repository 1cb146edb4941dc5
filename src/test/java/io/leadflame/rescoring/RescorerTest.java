package io.leadflame.rescoring;

import io.leadflame.contact.ContactEntity;
import io.leadflame.leads.Lead;
import io.leadflame.leads.LeadIndex;
import io.leadflame.leads.Standing;
import io.leadflame.api.ModelJson;
import io.leadflame.model.StoredModel;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.Instants;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.PublishedModel;
import io.leadflame.model.ScoringModelEntity;
import io.leadflame.testing.OneNodeCluster;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's rescoring ends even when contacts do not answer: a contact that misses its request
 * (stopped, moved) is asked again after a deadline, and one that never answers is given up
 * after a few attempts, so that {@code GET /model/rescoring} reaches {@code done}. On a
 * one-node cluster whose contacts and model entity are stand-ins that record what they get;
 * the contacts to rescore are those of the node's call-list index and those awaiting the model.
 */
class RescorerTest {

    private static final Duration DEADLINE = Duration.ofMillis(300);
    private static ActorTestKit testKit;
    /** Rescore requests each contact got, by entity id. */
    private static final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private static TestProbe<ScoringModelEntity.RescoringReport> reports;

    @BeforeAll
    static void start() {
        testKit = OneNodeCluster.testKit();
        reports = testKit.createTestProbe();
        ClusterSharding sharding = ClusterSharding.get(testKit.system());
        sharding.init(Entity.of(ContactEntity.TYPE_KEY, ctx -> contact(ctx.getEntityId())));
        sharding.init(Entity.of(ScoringModelEntity.TYPE_KEY, ctx -> Behaviors.receiveMessage(command -> {
            if (command instanceof ScoringModelEntity.RescoringReport report) {
                reports.ref().tell(report);
            }
            return Behaviors.same();
        })));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /**
     * A contact that answers every rescoring, except "late" (its first request is lost) and
     * "mute" (never answers); like a real one, it answers a job's request under a second number
     * as {@code listedTwice}.
     */
    private static Behavior<ContactEntity.Command> contact(String entityId) {
        int[] answered = {0, 0};
        return Behaviors.receiveMessage(command -> {
            if (command instanceof ContactEntity.Rescore rescore) {
                int n = asked.computeIfAbsent(entityId, id -> new AtomicInteger()).incrementAndGet();
                boolean answers = !entityId.endsWith("/mute") && !(entityId.endsWith("/late") && n == 1);
                if (answers && rescore.job() == answered[0] && rescore.seq() != answered[1]) {
                    rescore.replyTo().tell(rescore.listedTwice(entityId, rescore.version()));
                } else if (answers) {
                    answered[0] = rescore.job();
                    answered[1] = rescore.seq();
                    rescore.replyTo().tell(rescore.answer(entityId, rescore.version()));
                }
            }
            return Behaviors.same();
        });
    }

    /**
     * A new rescorer rescores the tenant for this model version; its last report, once done
     * (the versions tell the tests' reports apart).
     */
    private static ScoringModelEntity.RescoringReport rescore(String tenant, long version) {
        var rescorer = testKit.spawn(Rescorer.create(16, Clock.systemUTC(), ModelCatalog.get(testKit.system()), DEADLINE));
        rescorer.tell(new Rescorer.RescoreTenant(new PublishedModel(tenant, version, "{}", Optional.of(Instant.now()))));
        return reports.fishForMessage(Duration.ofSeconds(15),
                report -> report.done() && report.version() == version
                        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())
                .get(0);
    }

    @Test
    void aRescoringEndsWhenAContactMissesItsRequestOrNeverAnswers() {
        // The node's contacts as the rescoring finds them: two placed in the call-list index,
        // one that has events but awaits the model (not in the index).
        LeadIndex index = LeadIndex.get(testKit.system());
        for (String id : new String[]{"acme/fast", "acme/late"}) {
            index.replace("acme", null, new Lead(id, 4, 1, 0, 0, null, 0, List.of(), null));
        }
        index.awaitingModel("acme", "acme/mute");

        ScoringModelEntity.RescoringReport done = rescore("acme", 1);
        assertEquals(3, done.contacts());
        assertEquals(3, done.rescored());
        assertEquals(1, asked.get("acme/fast").get(), "a contact that answers is asked once");
        assertEquals(2, asked.get("acme/late").get(), "a missed request is sent again");
        assertTrue(asked.get("acme/mute").get() >= 3, "a mute contact is asked a few times, then given up");
    }

    /**
     * Contacts placed in the index with their standing are rescored by the job itself: their new
     * leads stand and they get no message, except one whose timer is armed later than the new
     * model's next change (told its score is due) and one scored provisionally (asked, since it
     * compares with its history as recovered). A contact listed twice counts once.
     */
    @Test
    void placedContactsAreRescoredWithoutAMessageAndOnlyThoseThatMustActAreTold() throws Exception {
        String tenant = "direct";
        // Version 2 gives vip 9 points instead of 5, and the webinar's points now expire after an hour, not 30 days.
        String stored = StoredModel.write(ModelJson.read(new ObjectMapper().readTree("""
                {"idealScore": 20, "rules": [
                  {"id": "vip", "name": "VIP", "points": 9, "criterion": {"type": "tag", "anyOf": ["vip"]}},
                  {"id": "webinar", "name": "Webinar", "points": 4, "expiresAfter": "PT1H",
                   "criterion": {"type": "tag", "anyOf": ["webinar"]}}]}""")).value().orElseThrow());
        ModelCatalog.get(testKit.system()).offer(new PublishedModel(tenant, 2, stored, Optional.of(Instant.now())));
        LeadIndex index = LeadIndex.get(testKit.system());
        Instant applied = Instant.now().minusSeconds(60);
        TestProbe<ContactEntity.Command> vip = testKit.createTestProbe();
        TestProbe<ContactEntity.Command> webinar = testKit.createTestProbe();
        TestProbe<ContactEntity.Command> provisional = testKit.createTestProbe();
        TestProbe<ContactEntity.Command> twice = testKit.createTestProbe();
        // As version 1 placed them: vip 5 points, the webinar's 4 points with a timer 30 days out.
        Standing vipStanding = placed(index, tenant, "vip", vip, 5, 1, applied, "vip");
        Standing webinarStanding = placed(index, tenant, "webinar", webinar, 4, 1, applied, "webinar");
        webinarStanding.armedFor(Instants.nanos(applied.plus(Duration.ofDays(30))));
        placed(index, tenant, "provisional", provisional, 5, Standing.PROVISIONAL, applied, "vip");
        Standing twiceStanding = placed(index, tenant, "twice", twice, 5, 1, applied, "vip");
        // Listed a second time, under another score: the index read while the contact moved.
        index.replace(tenant, null, new Lead(tenant + "/twice", tenant.length(), 3, 0, 0, null, 0, List.of(),
                twiceStanding.lead().history(), twiceStanding));

        var rescorer = testKit.spawn(Rescorer.create(16, Clock.systemUTC(), ModelCatalog.get(testKit.system()), DEADLINE));
        rescorer.tell(new Rescorer.RescoreTenant(new PublishedModel(tenant, 2, stored, Optional.of(Instant.now()))));

        ContactEntity.Rescore asked = (ContactEntity.Rescore) provisional.receiveMessage(Duration.ofSeconds(5));
        asked.replyTo().tell(asked.answer(tenant + "/provisional", 2));
        assertEquals(ContactEntity.ScoreDue.INSTANCE, webinar.receiveMessage(Duration.ofSeconds(5)),
                "the new model's next change comes before the contact's timer");
        ScoringModelEntity.RescoringReport done = reports.fishForMessage(Duration.ofSeconds(15),
                report -> report.done() && report.version() == 2 && report.contacts() == 4
                        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
        assertEquals(4, done.rescored());
        assertEquals(9, vipStanding.lead().score(), "placed by the rescoring");
        assertEquals(2, vipStanding.scoredVersion());
        assertEquals(9, twiceStanding.lead().score());
        assertEquals(4, webinarStanding.lead().score());
        vip.expectNoMessage(Duration.ofMillis(200));
        twice.expectNoMessage(Duration.ofMillis(10));
        assertTrue(index.page(tenant, null, 10, l -> l.entityId().equals(tenant + "/vip"), l -> false).stream()
                .allMatch(l -> l.score() == 9), "the index holds the new lead only");
    }

    /** A contact placed as {@code version} placed it, with a history of {@code tags} applied at {@code at}. */
    private static Standing placed(LeadIndex index, String tenant, String contactId,
                                   TestProbe<ContactEntity.Command> contact, long score, long version, Instant at,
                                   String... tags) {
        ContactHistory history = ContactHistory.EMPTY;
        for (String tag : tags) {
            history = history.record(ContactEvent.tagApplied(null, at, tag), at, HistoryLimits.DEFAULT);
        }
        Standing standing = new Standing(contact.ref());
        standing.place(tenant, new Lead(tenant + "/" + contactId, tenant.length(), score, 0, 0, null,
                history.lastEventAtNanos(), List.of(), history, standing), version, index::replace);
        return standing;
    }

    @Test
    void aContactListedTwiceIsCountedOnce() {
        // Read from the index while it moved between two scores, or awaiting the model and then
        // placed: the same contact twice in the listing.
        LeadIndex index = LeadIndex.get(testKit.system());
        index.replace("twice", null, new Lead("twice/c-1", 5, 3, 0, 0, null, 0, List.of(), null));
        index.awaitingModel("twice", "twice/c-1");

        ScoringModelEntity.RescoringReport done = rescore("twice", 7);
        assertEquals(1, done.contacts());
        assertEquals(1, done.rescored());
        assertEquals(2, asked.get("twice/c-1").get(), "asked under both numbers");
    }
}

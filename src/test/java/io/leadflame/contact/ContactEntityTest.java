package io.leadflame.contact;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.config.Settings;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.PublishedModel;
import io.leadflame.model.StoredModel;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.api.ModelJson;
import io.leadflame.changes.ScoreChange;
import io.leadflame.leads.ScoreChanges;
import io.leadflame.testing.Eventually;
import io.leadflame.testing.ManualClock;
import io.leadflame.testing.InMemoryPersistence;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contact entity on the in-memory journal, with every command, event and state checked
 * for serialization: what it persists, what it answers, and that a restart recovers the same
 * contact.
 */
class ContactEntityTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final AtomicInteger IDS = new AtomicInteger();
    private static ActorTestKit testKit;

    private final ManualClock clock = new ManualClock(NOW);
    private String tenant;
    private EventSourcedBehaviorTestKit<ContactEntity.Command, ContactEntity.Event, ContactHistory> contact;

    @BeforeAll
    static void startSystem() {
        testKit = InMemoryPersistence.testKit();
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    private static final Settings SETTINGS =
            new Settings(Duration.ofSeconds(5), HistoryLimits.DEFAULT, 5, 16, 10_000, 8 << 20, true, 256, 64, 16, Duration.ofSeconds(15),
                Settings.Ingestion.DEFAULT);

    private EventSourcedBehaviorTestKit<ContactEntity.Command, ContactEntity.Event, ContactHistory> contact(
            String tenant, String contactId) {
        return EventSourcedBehaviorTestKit.create(testKit.system(),
                ContactEntity.create(ContactEntity.entityId(tenant, contactId), SETTINGS, clock, Optional.empty()));
    }

    @BeforeEach
    void newContact() throws Exception {
        tenant = "acme" + IDS.incrementAndGet();
        contact = contact(tenant, "c-1");
        publish(tenant);
    }

    /** The test model, as version 1 of the tenant's, in this node's catalog. */
    private static void publish(String tenant) throws Exception {
        publish(tenant, """
                {"idealScore": 20, "rules": [
                  {"id": "webform", "name": "Web form", "points": 2, "expiresAfter": "P28D",
                   "criterion": {"type": "activity", "activity": "web_form_submitted"}},
                  {"id": "vip", "name": "VIP", "category": "fit", "points": 5,
                   "criterion": {"type": "tag", "anyOf": ["vip"]}},
                  {"id": "pricing", "name": "Saw the pricing page", "points": 3,
                   "criterion": {"type": "activity", "activity": "page_visited",
                                 "where": [{"field": "url", "op": "eq", "value": "/pricing"}]}}]}""");
    }

    /** {@code model} as version 1 of the tenant's, in this node's catalog. */
    private static void publish(String tenant, String model) throws Exception {
        String stored = StoredModel.write(ModelJson.read(new ObjectMapper().readTree(model)).value().orElseThrow());
        ModelCatalog.get(testKit.system()).offer(new PublishedModel(tenant, 1, stored, Optional.of(NOW)));
    }

    /**
     * A contact recovered (or first seen) at a node's start, before the node has read its
     * tenant's model, is scored against a stand-in: once the model is read, what is published is
     * the change its events made, from where it stood when recovered, as the real model scores it.
     */
    @Test
    void eventsThatCameWhileTheModelWasReadArePublishedOnceItIsFromWhereTheContactStood() throws Exception {
        String late = "late" + IDS.incrementAndGet();
        TestProbe<ScoreChange> heard = testKit.createTestProbe();
        ScoreChanges.get(testKit.system()).topic(late).tell(Topic.subscribe(heard.ref()));
        var recovered = contact(late, "c-1");
        recovered.<ContactEntity.Recorded>runCommand(replyTo -> new ContactEntity.RecordEvents(List.of(
                ContactEvent.tagApplied("t1", NOW.minusSeconds(60), "vip")), replyTo));
        recovered.restart();
        var firstSeen = contact(late, "c-2");
        for (var c : List.of(recovered, firstSeen)) {
            c.<ContactEntity.Recorded>runCommand(replyTo -> new ContactEntity.RecordEvents(List.of(
                    ContactEvent.activity("f1", "web_form_submitted", NOW.minusSeconds(30), Map.of())), replyTo));
        }

        publish(late);
        // Publishing starts once the tenant's topic knows of a listener: a probe contact shows when.
        var probe = contact(late, "probe");
        AtomicInteger toggles = new AtomicInteger();
        Eventually.eventually(Duration.ofSeconds(10), () -> {
            // The vip tag on and off: each event changes the probe's score.
            Instant at = NOW.minusSeconds(10).plusMillis(toggles.incrementAndGet());
            ContactEvent toggle = toggles.get() % 2 == 1 ? ContactEvent.tagApplied(null, at, "vip")
                    : ContactEvent.tagRemoved(null, at, "vip");
            probe.<ContactEntity.Recorded>runCommand(replyTo -> new ContactEntity.RecordEvents(List.of(toggle), replyTo));
            assertEquals("probe", heard.receiveMessage(Duration.ofMillis(200)).contactId());
        });
        for (var c : List.of(recovered, firstSeen)) {
            c.<ContactEntity.Rescored>runCommand(replyTo -> new ContactEntity.Rescore(1, replyTo));
        }
        ScoreChange fromRecovered = heard.expectMessageClass(ScoreChange.class);
        assertEquals("c-1", fromRecovered.contactId());
        assertEquals(5, fromRecovered.previous(), "the vip tag it had when recovered, under the real model");
        assertEquals(7, fromRecovered.score(), "and the web form that came meanwhile");
        assertEquals(ScoreChange.Reason.EVENT, fromRecovered.reason());
        ScoreChange fromNew = heard.expectMessageClass(ScoreChange.class);
        assertEquals("c-2", fromNew.contactId());
        assertEquals(0, fromNew.previous(), "never seen before");
        assertEquals(2, fromNew.score());
        heard.expectNoMessage(Duration.ofMillis(200));
    }

    /**
     * The hazard of a fold that read the model: a contact recovered before its node had read the
     * tenant's model (remember-entities starts every contact at once, the models are read after)
     * was trimmed under the default model, which has no rules, and lost what the real rules count.
     * The fold now only applies what was persisted; forgetting is decided under the real model.
     */
    @Test
    void aContactRecoveredBeforeItsModelIsKnownForgetsNothingAndPublishesNoChange() throws Exception {
        String early = "early" + IDS.incrementAndGet();
        String persistenceId = "Contact|" + ContactEntity.entityId(early, "c-1");
        // One old visit of the pricing page, which a rule of the model counts, then 260 blog
        // visits: more than the 200 a name keeps (and the quarter more that makes a compaction).
        Instant start = NOW.minus(Duration.ofDays(30));
        List<ContactEvent> visits = new java.util.ArrayList<>();
        visits.add(ContactEvent.activity("v-pricing", "page_visited", start, Map.of("url", "/pricing")));
        for (int i = 0; i < 260; i++) {
            visits.add(ContactEvent.activity("v" + i, "page_visited", start.plusSeconds(60 + i), Map.of("url", "/blog")));
        }
        var c = contact(early, "c-1");
        c.persistenceTestKit().persistForRecovery(persistenceId, List.of(
                new ContactEntity.EventsRecorded(visits.subList(0, 100), start.plusSeconds(200)),
                new ContactEntity.EventsRecorded(visits.subList(100, visits.size()), NOW)));
        TestProbe<ScoreChange> heard = testKit.createTestProbe();
        ScoreChanges.get(testKit.system()).topic(early).tell(Topic.subscribe(heard.ref()));

        // Recovered while the node knows no model for the tenant, with the clock far ahead: the
        // fold depends on neither.
        clock.advance(Duration.ofDays(500));
        c.restart();
        assertEquals(261, c.getState().activityCount(), "nothing forgotten under a stand-in");

        clock.advance(Duration.ofDays(-500));
        publish(early);
        c.<ContactEntity.Rescored>runCommand(replyTo -> new ContactEntity.Rescore(1, replyTo));
        assertEquals(3, view(c, Optional.empty()).score().score(), "the old pricing visit counts");
        // Under the real model the compaction keeps the 200 newest and the visit the rule needs.
        Eventually.eventually(Duration.ofSeconds(10), () -> assertEquals(201, c.getState().activityCount()));
        heard.expectNoMessage(Duration.ofMillis(300));

        // The decision was persisted: a replay forgets exactly that, whatever the model then.
        ModelCatalog.get(testKit.system()).offer(new PublishedModel(early, 2, PublishedModel.initial(early).stored(),
                Optional.of(NOW)));
        c.restart();
        assertEquals(201, c.getState().activityCount());
        assertEquals(1, c.getState().activities("page_visited").stream()
                .filter(a -> "/pricing".equals(a.attributes().get("url"))).count());
    }

    private static ContactEntity.ContactView view(
            EventSourcedBehaviorTestKit<ContactEntity.Command, ContactEntity.Event, ContactHistory> c,
            Optional<Instant> at) {
        var reply = c.<ContactEntity.ContactReply>runCommand(replyTo -> new ContactEntity.GetContact(at, replyTo)).reply();
        return assertInstanceOf(ContactEntity.ContactView.class, reply);
    }

    private ContactEntity.Recorded record(ContactEvent... events) {
        var result = contact.<ContactEntity.Recorded>runCommand(
                replyTo -> new ContactEntity.RecordEvents(List.of(events), replyTo));
        return result.reply();
    }

    private ContactEntity.ContactView view(Optional<Instant> at) {
        var reply = contact.<ContactEntity.ContactReply>runCommand(
                replyTo -> new ContactEntity.GetContact(at, replyTo)).reply();
        return assertInstanceOf(ContactEntity.ContactView.class, reply);
    }

    /**
     * A rescoring that read the call-list index while this contact moved in it lists it twice,
     * under two numbers: the second answer says so, and the job counts the contact once. A
     * request sent again under the same number (the first answer was late) is answered as the
     * first, and so is another job's.
     */
    @Test
    void aRescoringThatAsksUnderASecondNumberIsToldTheContactWasListedTwice() {
        record(ContactEvent.tagApplied("t1", NOW.minusSeconds(30), "vip"));
        ContactEntity.Rescored first = contact.<ContactEntity.Rescored>runCommand(
                replyTo -> new ContactEntity.Rescore(1, 77, 10, replyTo)).reply();
        assertEquals(new ContactEntity.Rescored(ContactEntity.entityId(tenant, "c-1"), 1, 77, 10, false), first);

        ContactEntity.Rescored second = contact.<ContactEntity.Rescored>runCommand(
                replyTo -> new ContactEntity.Rescore(1, 77, 900, replyTo)).reply();
        assertTrue(second.listedTwice(), "the same job under another number");
        assertEquals(900, second.seq());

        assertFalse(contact.<ContactEntity.Rescored>runCommand(
                replyTo -> new ContactEntity.Rescore(1, 77, 10, replyTo)).reply().listedTwice(), "a resend");
        assertFalse(contact.<ContactEntity.Rescored>runCommand(
                replyTo -> new ContactEntity.Rescore(1, 78, 900, replyTo)).reply().listedTwice(), "another job");
    }

    @Test
    void aContactNeverSeenIsUnknown() {
        var result = contact.<ContactEntity.ContactReply>runCommand(
                replyTo -> new ContactEntity.GetContact(Optional.empty(), replyTo));
        assertInstanceOf(ContactEntity.UnknownContact.class, result.reply());
        assertTrue(result.events().isEmpty());
    }

    @Test
    void persistsOnlyNewEventsAndDropsDuplicatesByEventId() {
        var first = contact.<ContactEntity.Recorded>runCommand(replyTo -> new ContactEntity.RecordEvents(List.of(
                ContactEvent.activity("e1", "web_form_submitted", NOW.minusSeconds(60), Map.of("formId", "demo")),
                ContactEvent.activity("e1", "web_form_submitted", NOW.minusSeconds(60), Map.of("formId", "demo")),
                ContactEvent.tagApplied("e2", NOW.minusSeconds(30), "vip")), replyTo));
        assertEquals(new ContactEntity.Recorded(2, 1, ContactEntity.entityId(tenant, "c-1")), first.reply());
        ContactEntity.EventsRecorded row = assertInstanceOf(ContactEntity.EventsRecorded.class, first.event(),
                "the new events of one request are one journal row");
        assertEquals(List.of("e1", "e2"), row.events().stream().map(e -> e.eventId().orElseThrow()).toList(),
                "the row holds each accepted input event once, in order");

        var again = contact.<ContactEntity.Recorded>runCommand(replyTo -> new ContactEntity.RecordEvents(List.of(
                ContactEvent.tagApplied("e2", NOW.minusSeconds(30), "vip")), replyTo));
        assertEquals(new ContactEntity.Recorded(0, 1, ContactEntity.entityId(tenant, "c-1")), again.reply());
        assertTrue(again.events().isEmpty(), "a redelivered event is not persisted again");

        ContactEntity.ContactView v = view(Optional.empty());
        assertEquals(7, v.score().score());
        assertEquals(1, v.modelVersion());
        assertEquals(Map.of("vip", NOW.minusSeconds(30)), v.tags());
    }

    @Test
    void scoresAtALaterInstantWithoutChangingAnything() {
        record(ContactEvent.activity("f1", "web_form_submitted", NOW.minus(Duration.ofDays(27)), Map.of()));
        assertEquals(2, view(Optional.empty()).score().score());
        assertEquals(Optional.of(NOW.plus(Duration.ofDays(1))), view(Optional.empty()).score().nextChangeAt());
        assertEquals(0, view(Optional.of(NOW.plus(Duration.ofDays(1)))).score().score());
        clock.advance(Duration.ofDays(1));
        assertEquals(0, view(Optional.empty()).score().score(), "expired at its instant, without any new event");
    }

    @Test
    void aRestartRecoversTheSameContact() {
        record(ContactEvent.activity("f1", "web_form_submitted", NOW.minusSeconds(5), Map.of("formId", "demo")),
                ContactEvent.fieldsUpdated("u1", NOW.minusSeconds(4), Map.of("email", "a@b.com")),
                ContactEvent.tagApplied(null, NOW.minusSeconds(3), "vip"));
        ContactEntity.ContactView before = view(Optional.empty());
        var restarted = contact.restart();
        assertEquals(3, restarted.state().activityCount() + restarted.state().tagsAt(NOW).size()
                + restarted.state().fieldsAt(NOW).size());
        assertEquals(before, view(Optional.empty()));
        assertEquals(new ContactEntity.Recorded(0, 1, ContactEntity.entityId(tenant, "c-1")), record(
                ContactEvent.activity("f1", "web_form_submitted", NOW.minusSeconds(5), Map.of("formId", "demo"))),
                "the dedupe window survives a restart");
    }

    @Test
    void snapshotsDoNotChangeWhatIsRecovered() {
        for (int i = 0; i < 12; i++) {
            record(ContactEvent.activity("p" + i, "page_visited", NOW.minusSeconds(100 - i), Map.of("n", i)));
        }
        ContactEntity.ContactView before = view(Optional.empty());
        contact.restart();
        assertEquals(before, view(Optional.empty()));
        assertEquals(12, contact.getState().activities("page_visited").size());
    }

    @Test
    void rowsOfOneEventEachWrittenBeforeBatchedRowsAreStillRecovered() {
        String persistenceId = "Contact|" + ContactEntity.entityId(tenant, "c-1");
        contact.persistenceTestKit().persistForRecovery(persistenceId, List.of(
                new ContactEntity.EventRecorded(ContactEvent.tagApplied("old-1", NOW.minusSeconds(60), "vip")),
                new ContactEntity.EventRecorded(ContactEvent.activity("old-2", "web_form_submitted",
                        NOW.minusSeconds(50), Map.of("formId", "demo")))));
        contact.restart();
        ContactEntity.ContactView view = view(Optional.empty());
        assertEquals(7, view.score().score(), "vip (5) and the web form (2) from the old rows");
        assertEquals(new ContactEntity.Recorded(1, 1, ContactEntity.entityId(tenant, "c-1")), record(
                ContactEvent.tagApplied("old-1", NOW.minusSeconds(60), "vip"),
                ContactEvent.tagApplied("new-1", NOW.minusSeconds(10), "vip")),
                "the old rows' event ids are in the dedupe window");
    }
}

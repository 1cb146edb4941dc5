package io.leadflame.contact;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.Settings;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.PublishedModel;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.json.ModelJson;
import io.leadflame.testing.ManualClock;
import io.leadflame.testing.InMemoryPersistence;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
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

    @BeforeEach
    void newContact() throws Exception {
        tenant = "acme" + IDS.incrementAndGet();
        Settings settings = new Settings(Duration.ofSeconds(5), HistoryLimits.DEFAULT, 5, 16, 10_000, 8 << 20, true);
        contact = EventSourcedBehaviorTestKit.create(testKit.system(),
                ContactEntity.create(ContactEntity.entityId(tenant, "c-1"), settings, clock, Optional.empty()));
        String model = """
                {"idealScore": 20, "rules": [
                  {"id": "webform", "name": "Web form", "points": 2, "expiresAfter": "P28D",
                   "criterion": {"type": "activity", "activity": "web_form_submitted"}},
                  {"id": "vip", "name": "VIP", "category": "fit", "points": 5,
                   "criterion": {"type": "tag", "anyOf": ["vip"]}}]}""";
        String canonical = ModelJson.write(ModelJson.read(new ObjectMapper().readTree(model)).value().orElseThrow())
                .toString();
        ModelCatalog.get(testKit.system()).offer(new PublishedModel(tenant, 1, canonical, Optional.of(NOW)));
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
        assertEquals(new ContactEntity.Recorded(2, 1), first.reply());
        ContactEntity.EventsRecorded row = assertInstanceOf(ContactEntity.EventsRecorded.class, first.event(),
                "the new events of one request are one journal row");
        assertEquals(List.of("e1", "e2"), row.events().stream().map(e -> e.eventId().orElseThrow()).toList(),
                "the row holds each accepted input event once, in order");

        var again = contact.<ContactEntity.Recorded>runCommand(replyTo -> new ContactEntity.RecordEvents(List.of(
                ContactEvent.tagApplied("e2", NOW.minusSeconds(30), "vip")), replyTo));
        assertEquals(new ContactEntity.Recorded(0, 1), again.reply());
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
        assertEquals(new ContactEntity.Recorded(0, 1), record(
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
        assertEquals(new ContactEntity.Recorded(1, 1), record(
                ContactEvent.tagApplied("old-1", NOW.minusSeconds(60), "vip"),
                ContactEvent.tagApplied("new-1", NOW.minusSeconds(10), "vip")),
                "the old rows' event ids are in the dedupe window");
    }
}

package io.leadflame.serialization;

import io.leadflame.contact.ContactEntity;
import io.leadflame.leads.Lead;
import io.leadflame.leads.LeadsReader;
import io.leadflame.leads.Preview;
import io.leadflame.changes.ScoreChange;
import io.leadflame.model.PublishedModel;
import io.leadflame.model.RescoringStatus;
import io.leadflame.model.ScoringModelEntity;
import io.leadflame.model.StoredModel;
import io.leadflame.scoring.Category;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.Contribution;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.testing.InMemoryPersistence;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What crosses nodes or goes to the journal survives CBOR unchanged — in particular values of
 * every JSON type in fields and attributes (a number must not come back as another number, or
 * a score computed on another node would differ), nulls that remove fields, and optionals.
 */
class MessageSerializationTest {

    private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123Z");
    private static ActorTestKit testKit;
    private static SerializationTestKit serialization;

    @BeforeAll
    static void start() {
        testKit = InMemoryPersistence.testKit();
        serialization = testKit.serializationTestKit();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static <T> T roundTrip(T message) {
        @SuppressWarnings("unchecked")
        T back = (T) serialization.verifySerialization(message, true);
        return back;
    }

    @Test
    void eventsKeepEveryValueTypeAndTheNullThatRemovesAField() {
        Map<String, Object> fields = new HashMap<>();
        fields.put("email", "a@b.com");
        fields.put("employees", 250L);
        fields.put("revenue", 1.5e9);
        fields.put("customer", true);
        fields.put("phone", null);
        roundTrip(new ContactEntity.EventRecorded(ContactEvent.fieldsUpdated("f1", AT, fields)));
        roundTrip(new ContactEntity.EventRecorded(ContactEvent.activity(null, "page_visited", AT,
                Map.of("url", "https://x.com/pricing", "durationSeconds", 610L, "ratio", 0.25, "mobile", false))));
        roundTrip(new ContactEntity.EventRecorded(ContactEvent.tagApplied("t1", AT, "webinar")));
    }

    @Test
    void aContactsStateRoundTripsForSnapshots() {
        ContactHistory h = ContactHistory.EMPTY;
        for (ContactEvent e : List.of(
                ContactEvent.tagApplied("e1", AT, "vip"),
                ContactEvent.tagRemoved("e2", AT.plusSeconds(1), "webinar"),
                ContactEvent.fieldsUpdated("e3", AT, Map.of("country", "DE", "seats", 12L)),
                ContactEvent.activity("e4", "link_clicked", AT, Map.of("url", "/blog/a", "n", 3.5)))) {
            h = h.record(e, AT, HistoryLimits.DEFAULT);
        }
        ContactHistory back = roundTrip(h);
        assertEquals(h.tagsAt(AT.plusSeconds(5)), back.tagsAt(AT.plusSeconds(5)));
        assertEquals(h.fieldsAt(AT), back.fieldsAt(AT));
        assertEquals(h.activities("link_clicked"), back.activities("link_clicked"));
        assertEquals(h.recentEventIds(), back.recentEventIds());
        assertEquals(h, back);
    }

    @Test
    void aRequestsEventsForOneContactRoundTripAsOneJournalRow() {
        Map<String, Object> fields = new HashMap<>();
        fields.put("employees", 250L);
        fields.put("revenue", 1.5e9);
        fields.put("phone", null);
        fields.put("title", "CTO \u00e9\ud83d\udd25");
        roundTrip(new ContactEntity.EventsRecorded(List.of(
                ContactEvent.tagApplied("t1", AT, "webinar"),
                ContactEvent.tagRemoved(null, AT.plusNanos(1), "vip"),
                ContactEvent.fieldsUpdated("f1", AT, fields),
                ContactEvent.activity("a1", "page_visited", AT.minusSeconds(86_400 * 365L * 70),
                        Map.of("url", "/pricing", "durationSeconds", 610L, "ratio", 0.25, "mobile", false))),
                AT.plusNanos(123)));
    }

    @Test
    void aRowWrittenBeforeRowsCarriedTheirTimeIsReadWithItsEarliestEventsInstant() throws Exception {
        ContactEvent later = ContactEvent.tagApplied("t1", AT.plusSeconds(5), "webinar");
        ContactEvent earlier = ContactEvent.activity("a1", "page_visited", AT, Map.of("url", "/pricing"));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        out.writeInt(2);
        io.leadflame.contact.HistoryCodec.writeEvent(later, out);
        io.leadflame.contact.HistoryCodec.writeEvent(earlier, out);
        Object read = new io.leadflame.contact.ContactSerializer(null).fromBinary(bytes.toByteArray(), "E1");
        assertEquals(new ContactEntity.EventsRecorded(List.of(later, earlier), AT), read);
    }

    /** A model version as releases before the model's history wrote it: no author, no restore. */
    record ModelChangedBeforeHistory(long version, String stored, Instant updatedAt)
            implements io.leadflame.serialization.CborSerializable {
    }

    @Test
    void aModelVersionWrittenBeforeTheHistoryRecordedItsAuthorIsReadWithoutOne() {
        org.apache.pekko.serialization.Serialization pekko = org.apache.pekko.serialization.SerializationExtension
                .get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system()));
        ModelChangedBeforeHistory old = new ModelChangedBeforeHistory(3, StoredModel.write(ScoringModel.DEFAULT), AT);
        byte[] bytes = pekko.serialize(old).get();
        Object read = pekko.deserialize(bytes, pekko.findSerializerFor(old).identifier(),
                ScoringModelEntity.ModelChanged.class.getName()).get();
        assertEquals(new ScoringModelEntity.ModelChanged(3, old.stored(), AT, null, null), read);
    }

    /** A call-list page of {@code n} leads, each with three reasons, as a node sends it to the edge. */
    private static int pageBytes(int n) {
        List<io.leadflame.leads.Lead> leads = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            leads.add(new io.leadflame.leads.Lead("acme-corporation/contact-" + String.format("%06d", i), 16, 40 + i, 80,
                    4, "warm", 1_796_000_000_000_000_000L, List.of(
                    new io.leadflame.leads.Lead.Reason("pricing_visit", "Visited the pricing page", 10),
                    new io.leadflame.leads.Lead.Reason("webinar", "Attended a webinar", 8),
                    new io.leadflame.leads.Lead.Reason("opens", "Each email opened", 5)), null));
        }
        org.apache.pekko.serialization.Serialization pekko = org.apache.pekko.serialization.SerializationExtension
                .get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system()));
        return pekko.serialize(new io.leadflame.leads.LeadsReader.Page(leads)).get().length;
    }

    @Test
    void aNodesChunkOfTheCallListFitsAFrameBetweenNodesWhereAWholePageWouldNot() {
        int frame = 256 * 1024;
        int chunk = com.typesafe.config.ConfigFactory.load().getInt("leadflame.leads.per-node-page");
        assertTrue(pageBytes(chunk) < frame * 3 / 4, "a chunk of " + chunk + " leads: " + pageBytes(chunk) + " bytes");
        assertTrue(pageBytes(1001) > frame, "why a node does not send a page of 1,000 in one answer: "
                + pageBytes(1001) + " bytes");
    }

    @Test
    void aCompactionRoundTripsAsOneJournalRow() {
        roundTrip(new ContactEntity.ActivitiesForgotten(List.of(
                new ContactHistory.ForgottenActivity("page_visited", 1_700_000_000_000_000_123L, 0),
                new ContactHistory.ForgottenActivity("page_visited", 1_700_000_000_000_000_123L, 2),
                new ContactHistory.ForgottenActivity("link_clicked \u00e9", -5L, 0))));
    }

    @Test
    void repliesThatCrossNodesRoundTrip() {
        Score score = new Score(true, 12, 5, 7, 60, 3, Optional.of(new ScoreRange("warm", 5, "#f5a623")),
                List.of(new Contribution("webform", "Web form", Category.ENGAGEMENT, 2, 3, Optional.of(AT)),
                        new Contribution("vip", "VIP", Category.FIT, 5, 1, Optional.empty())),
                Optional.of(AT));
        Map<String, Object> fields = Map.of("email", "a@b.com", "seats", 12L, "score", 0.5, "customer", true);
        roundTrip(new ContactEntity.ContactView("acme", "c-1", 3, score, Map.of("vip", AT), fields, AT, AT));
        roundTrip(new ContactEntity.UnknownContact());
        roundTrip(new ContactEntity.Recorded(10, 2, ContactEntity.entityId("acme", "c-1")));
        roundTrip(new ContactEntity.Recorded(0, 0, true, ContactEntity.entityId("acme", "c-1")));
        roundTrip(new ContactEntity.Rescored("acme/c-1", 3, -12, 345_678, true));
        roundTrip(new PublishedModel("acme", 3, StoredModel.write(ScoringModel.DEFAULT), Optional.of(AT)));
        roundTrip(PublishedModel.initial("acme"));
        roundTrip(new RescoringStatus(3, 100, 40, false, Optional.of(AT), Optional.empty()));
        roundTrip(new ScoringModelEntity.RescoringReport(3, "pekko://leadflame@127.0.0.1:25520", 100, 100, true, AT));
        roundTrip(new ScoringModelEntity.ModelChanged(3, StoredModel.write(ScoringModel.DEFAULT), AT));
        roundTrip(new ScoringModelEntity.ModelChanged(4, StoredModel.write(ScoringModel.DEFAULT), AT, "crm-sync", 2L));
        org.apache.pekko.actor.typed.ActorRef<ScoringModelEntity.PutResult> replyTo =
                testKit.<ScoringModelEntity.PutResult>createTestProbe().ref();
        roundTrip(new ScoringModelEntity.Put(StoredModel.write(ScoringModel.DEFAULT), Optional.of(3L),
                Optional.of("Ops team"), Optional.of(1L), replyTo));
        roundTrip(new ScoringModelEntity.Put(StoredModel.write(ScoringModel.DEFAULT), Optional.empty(), replyTo));
        // The session's new questions and answers between nodes (history, velocity, accounts).
        roundTrip(new ContactEntity.GetHistory(14, testKit.<ContactEntity.ContactReply>createTestProbe().ref()));
        roundTrip(new ContactEntity.ContactTimeline("c-1", 3, new io.leadflame.scoring.ScoreHistory.Timeline(AT,
                AT.plusSeconds(60), 2, List.of(new io.leadflame.scoring.ScoreHistory.Change(AT.plusSeconds(1), 7, 5,
                true, List.of(new io.leadflame.scoring.ScoreHistory.RuleChange("demo", "Demo", 5)))), false), 5));
        roundTrip(new io.leadflame.leads.Accounts.Parts(List.of(new io.leadflame.leads.Accounts.Part("Acme", 12, 2,
                List.of(new io.leadflame.leads.Accounts.Member("c-1", 10)))), true));
        roundTrip(new io.leadflame.leads.LeadsReader.GetAccounts("acme", "company", 3, "stored-model",
                testKit.<io.leadflame.leads.Accounts.Parts>createTestProbe().ref()));
        roundTrip(new io.leadflame.leads.LeadsReader.GetHeating("acme", StoredModel.write(ScoringModel.DEFAULT),
                io.leadflame.leads.LeadFilter.NONE, 3, new io.leadflame.leads.Heating.After(4, 9, "c-2"), 10, null,
                testKit.<io.leadflame.leads.Heating.HeatingPage>createTestProbe().ref()));
        roundTrip(new ScoringModelEntity.VersionMismatch(2));
        // Named scores: the questions that name the model to score under.
        String named = StoredModel.write(ScoringModel.DEFAULT);
        roundTrip(new ContactEntity.GetContact(Optional.of(AT), "acme.product-interest",
                testKit.<ContactEntity.ContactReply>createTestProbe().ref()));
        roundTrip(new ContactEntity.GetHistory(7, "acme.product-interest",
                testKit.<ContactEntity.ContactReply>createTestProbe().ref()));
        roundTrip(new LeadsReader.GetPage("acme", new io.leadflame.leads.LeadIndex.Cursor(4, "c-1"), 10,
                io.leadflame.leads.LeadFilter.NONE, named, testKit.<LeadsReader.Page>createTestProbe().ref()));
        // (GetCounts and GetPreview carry arrays, which records compare by identity: their
        // named-score field is a String like GetPage's.)
    }

    @Test
    void callListAnswersAndScoreChangesRoundTrip() {
        roundTrip(new ScoreChange("acme", "c-1", 12, 0, 3, "warm", ScoreChange.Reason.EVENT, AT, 0, null));
        roundTrip(new ScoreChange("acme", "c-1", 2, 12L, 0, null, ScoreChange.Reason.EXPIRY, AT, 3, "warm"));
        roundTrip(new ScoreChange("acme", "c-1", 2, 12L, 0, null, ScoreChange.Reason.EVENT, AT, 3, "warm")
                .ofScore("product-interest"));
        Lead lead = new Lead("acme/c-1", 4, 12, 60, 3, "warm", 5L,
                List.of(new Lead.Reason("webform", "Web form", 2)), null);
        LeadsReader.Page page = roundTrip(new LeadsReader.Page(List.of(lead)));
        assertEquals(List.of(lead), page.leads());
        roundTrip(new LeadsReader.Counts(3, new long[] {1, 0, 2, 0, 0, 0}, Map.of("warm", 2L), new long[] {0, 3}));
        roundTrip(new Preview.Result(new LeadsReader.Counts(1, new long[6], Map.of(), new long[2]),
                new LeadsReader.Counts(1, new long[6], Map.of(), new long[2]),
                List.of(new Preview.Mover("c-1", 1, 5, 0, 1, "cold", null))));
        // What a node's topic forwards to the listeners' nodes.
        roundTrip(new org.apache.pekko.actor.typed.internal.pubsub.TopicImpl.MessagePublished<>(
                new ScoreChange("acme", "c-1", 12, 0, 3, "warm", ScoreChange.Reason.MODEL, AT, 0, null)));
    }

    /**
     * A model version and a snapshot stored by a release before the {@code StoredModel} form
     * (the model's API JSON under {@code modelJson}) still read, and the model in them too.
     */
    @Test
    void modelsStoredByTheEarlierReleaseStillRead() throws Exception {
        String apiJson = "{\"enabled\":true,\"idealScore\":20,\"ranges\":[],\"limits\":{},\"rules\":[]}";
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", 3);
        event.put("modelJson", apiJson);
        event.put("updatedAt", AT.toString());
        ScoringModelEntity.ModelChanged changed = readAsEarlierReleaseWrote(event, ScoringModelEntity.ModelChanged.class);
        assertEquals(3, changed.version());
        assertEquals(apiJson, changed.stored());

        Map<String, Object> published = new LinkedHashMap<>();
        published.put("tenant", "acme");
        published.put("version", 3);
        published.put("modelJson", apiJson);
        published.put("updatedAt", AT.toString());
        PublishedModel model = readAsEarlierReleaseWrote(published, PublishedModel.class);
        assertEquals(20, model.parse().idealScore());
    }

    @Test
    void triggersAndChangesStoredBeforeNamedScoresAreTheDefaultScores() throws Exception {
        Map<String, Object> trigger = new LinkedHashMap<>();
        trigger.put("enterRange", null);
        trigger.put("minFlames", 4);
        assertEquals(io.leadflame.webhooks.Trigger.minFlames(4),
                readAsEarlierReleaseWrote(trigger, io.leadflame.webhooks.Trigger.class));
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("tenant", "acme");
        change.put("contactId", "c-1");
        change.put("score", 12);
        change.put("previous", 0);
        change.put("flames", 3);
        change.put("range", "warm");
        change.put("reason", "EVENT");
        change.put("at", AT.toString());
        change.put("previousFlames", 0);
        change.put("previousRange", null);
        ScoreChange read = readAsEarlierReleaseWrote(change, ScoreChange.class);
        assertEquals(new ScoreChange("acme", "c-1", 12, 0, 3, "warm", ScoreChange.Reason.EVENT, AT, 0, null), read);
        assertEquals(null, read.scoreName());
        // And a trigger on a named score travels with its score.
        roundTrip(io.leadflame.webhooks.Trigger.minFlames(4).onScore("intent"));
        roundTrip(new io.leadflame.webhooks.TenantTriggers(3, List.of(io.leadflame.webhooks.Trigger.enterRange("hot")
                .onScore("intent"), io.leadflame.webhooks.Trigger.minFlames(2))));
    }

    /** {@code fields} as Pekko's CBOR serializer wrote a message of class {@code type}, read back by this release. */
    private static <T> T readAsEarlierReleaseWrote(Map<String, Object> fields, Class<T> type) throws Exception {
        byte[] bytes = JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-cbor", Optional.empty())
                .writeValueAsBytes(fields);
        SerializerWithStringManifest serializer = (SerializerWithStringManifest) SerializationExtension
                .get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system()))
                .serializerFor(type);
        return type.cast(serializer.fromBinary(bytes, type.getName()));
    }
}

package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.Eventually;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.TestDatabase;
import io.leadflame.testing.WebhookReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.fieldsUpdated;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A contact's right to be forgotten over real HTTP, on H2 and on PostgreSQL: {@code DELETE
 * /contacts/{id}} removes its events and snapshots from the journal's tables and its lead from
 * the call list, a restart does not bring them back, other contacts are untouched, and a later
 * event for the same id starts a new contact.
 */
class ContactErasureEndToEndTest {

    private static final String TENANT = "gdpr";
    private static final String MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "demo", "name": "Asked for a demo", "points": 8, "criterion": {"type": "tag", "anyOf": ["demo"]}},
              {"id": "visit", "name": "Visits", "points": 1, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}}]}""";
    /** Personal data only the erased contact holds: nowhere in the journal's rows after the erasure. */
    private static final String EMAIL = "ada.lovelace.erased@example.com";
    /** Snapshots after every two writes, so the erasure has snapshot rows to remove too. */
    private static final Config SNAPSHOTS = ConfigFactory.parseMap(Map.of("leadflame.contact.snapshot-every", 2));

    @TempDir
    Path dataDir;
    private TestDatabase database;
    private LeadflameNode node;

    @AfterEach
    void stop() {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    private Config journal(String journal) {
        if (journal.equals("postgres")) {
            database = TestDatabase.create();
            return SNAPSHOTS.withFallback(database.journalOverrides());
        }
        return SNAPSHOTS;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anErasedContactIsGoneFromTheJournalAndTheCallListForGood(String journal) {
        Config config = journal(journal);
        node = LeadflameNode.start(dataDir, config);
        node.publish(TENANT, MODEL);
        Instant at = Instant.now();
        for (int i = 0; i < 5; i++) {
            node.record(TENANT, activity("ada", "page_visited", at.minusSeconds(100 - i)));
        }
        node.record(TENANT, fieldsUpdated("ada", at, "email", EMAIL), tagApplied("ada", "demo", at));
        node.record(TENANT, tagApplied("bob", "demo", at), fieldsUpdated("bob", at, "email", "bob@example.com"));
        String ada = "Contact|" + TENANT + "/ada";
        assertTrue(node.rowsOf(ada) > 6, "events and snapshots were written: " + node.rowsOf(ada));
        assertTrue(node.journalText().contains(EMAIL));
        awaitCallList("ada", "bob");

        HttpReply erased = node.send("DELETE", LeadflameNode.api(TENANT) + "/contacts/ada", null, null);
        assertEquals(204, erased.status(), erased.body());
        assertEquals(0, node.rowsOf(ada), "rows of the erased contact");
        assertFalse(node.journalText().contains(EMAIL), "the erased contact's data is still in the journal");
        assertError(node.get(LeadflameNode.api(TENANT) + "/contacts/ada"), 404, "not_found");
        awaitCallList("bob");
        assertEquals(8, node.get(LeadflameNode.api(TENANT) + "/contacts/bob").json().path("score").asInt(),
                "another contact is untouched");
        assertError(node.send("DELETE", LeadflameNode.api(TENANT) + "/contacts/ada", null, null), 404, "not_found");

        node.close();
        node = LeadflameNode.start(dataDir, config);
        assertEquals(0, node.rowsOf(ada), "a restart brought rows back");
        assertError(node.get(LeadflameNode.api(TENANT) + "/contacts/ada"), 404, "not_found");
        awaitCallList("bob");

        // A later event for the id is a new contact: only that event counts.
        node.record(TENANT, activity("ada", "page_visited", Instant.now()));
        JsonNode fresh = node.get(LeadflameNode.api(TENANT) + "/contacts/ada").json();
        assertEquals(1, fresh.path("score").asInt(), fresh.toString());
        assertFalse(fresh.path("fields").has("email"), fresh.toString());
        awaitCallList("bob", "ada");
    }

    /**
     * A crossing waiting for a receiver that is down is never sent once its contact is erased,
     * and the webhook outbox's rows no longer hold the contact; the other contact's delivery,
     * recovered from what remains after a restart, still goes.
     */
    @org.junit.jupiter.api.Test
    void pendingWebhookDeliveriesOfAnErasedContactAreNeverSentNorKept() {
        String erased = "ada-lovelace-7f3";
        String kept = "bob-babbage-9c1";
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Config fastRetries = ConfigFactory.parseMap(Map.of(
                    "leadflame.webhooks.min-backoff", "100ms", "leadflame.webhooks.max-backoff", "300ms"));
            node = LeadflameNode.start(dataDir, fastRetries);
            node.publish(TENANT, MODEL);
            String hook = LeadflameNode.api(TENANT) + "/webhooks/crm";
            assertEquals(201, node.send("PUT", hook, "application/json", "{\"url\": \"" + receiver.url("/hook")
                    + "\", \"secret\": \"s3cr3t\", \"trigger\": {\"minFlames\": 4}}").status());
            receiver.down();
            node.record(TENANT, tagApplied(erased, "demo", Instant.now()), tagApplied(kept, "demo", Instant.now()));
            Eventually.eventually(LeadflameNode.RESCORED_WITHIN, () -> {
                JsonNode deliveries = node.get(hook).json().path("deliveries");
                assertEquals(2, deliveries.path("pending").asInt(), deliveries.toString());
                assertTrue(deliveries.path("consecutiveFailures").asInt() >= 1, deliveries.toString());
            });
            String outbox = "WebhookOutbox|" + TENANT;
            assertTrue(node.journalTextOf(outbox).contains(erased), "the outbox recorded the crossing");

            assertEquals(204, node.send("DELETE", LeadflameNode.api(TENANT) + "/contacts/" + erased, null, null).status());
            assertEquals(1, node.get(hook).json().path("deliveries").path("pending").asInt(), "its delivery is dropped");
            String rows = node.journalTextOf(outbox);
            assertFalse(rows.contains(erased), "the outbox's rows still hold the erased contact");
            assertTrue(rows.contains(kept), "the other contact's pending delivery is kept");

            node.close();
            node = LeadflameNode.start(dataDir, fastRetries);
            receiver.up();
            Eventually.eventually(LeadflameNode.RESCORED_WITHIN, () -> {
                JsonNode deliveries = node.get(hook).json().path("deliveries");
                assertEquals(1, deliveries.path("delivered").asInt(), deliveries.toString());
                assertEquals(0, deliveries.path("pending").asInt(), deliveries.toString());
            });
            assertEquals(1, receiver.received().size());
            assertEquals(kept, receiver.received().get(0).json().path("contactId").asText());
            assertFalse(node.get(hook).body().contains(erased), "the erased contact is still listed");
        }
    }

    /** The call list holds exactly these contacts, in this order (it follows each write shortly). */
    private void awaitCallList(String... contacts) {
        Eventually.eventually(LeadflameNode.RESCORED_WITHIN, () -> {
            JsonNode leads = node.get(LeadflameNode.api(TENANT) + "/leads").json().path("leads");
            assertEquals(contacts.length, leads.size(), leads.toString());
            for (int i = 0; i < contacts.length; i++) {
                assertEquals(contacts[i], leads.get(i).path("contactId").asText(), leads.toString());
            }
        });
    }
}

package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.Eventually;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.WebhookReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.fieldsUpdated;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deleting a tenant over real HTTP (README "Security"): only the operator may; it answers 202 and
 * runs on; afterwards the tenant's keys are refused, its contacts' rows are gone from the journal,
 * its webhooks and their pending deliveries are gone, its model has no rules; another tenant is
 * untouched; a restart changes none of that.
 */
class TenantDeletionEndToEndTest {

    private static final String MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "demo", "name": "Asked for a demo", "points": 8, "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""";
    private static final int CONTACTS = 30;
    private static final Config KEYS_ON = ConfigFactory.parseMap(Map.of(
            "leadflame.auth.operator-key", ApiKeysEndToEndTest.OPERATOR_KEY,
            "leadflame.contact.snapshot-every", 1));

    @TempDir
    Path dataDir;
    private LeadflameNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private String key(String tenant, String role) {
        HttpReply created = node.send("POST", LeadflameNode.api(tenant) + "/keys", "application/json",
                "{\"name\": \"" + role + "\", \"role\": \"" + role + "\"}");
        assertEquals(201, created.status(), created.body());
        return created.json().path("key").asText();
    }

    private HttpReply as(String key, String method, String path) {
        return node.send(HttpRequest.newBuilder(node.uri(path)).header("Authorization", "Bearer " + key)
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    @Test
    void aDeletedTenantLeavesNoContactDataKeyOrWebhookBehind() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            node = LeadflameNode.start(dataDir, KEYS_ON);
            Instant at = Instant.now();
            for (String tenant : new String[]{"closing", "staying"}) {
                node.publish(tenant, MODEL);
                for (int i = 0; i < CONTACTS; i++) {
                    node.record(tenant, fieldsUpdated("c-" + i, at, "email", tenant + "-person-" + i + "@example.com"),
                            tagApplied("c-" + i, "demo", at));
                }
            }
            String closingAdmin = key("closing", "admin");
            String stayingRead = key("staying", "read");
            receiver.down();
            assertEquals(201, node.send("PUT", LeadflameNode.api("closing") + "/webhooks/crm", "application/json",
                    "{\"url\": \"" + receiver.url("/hook") + "\", \"secret\": \"s\", \"trigger\": {\"minFlames\": 4}}").status());
            node.record("closing", tagApplied("late-visitor-42", "demo", at));
            Eventually.eventually(Duration.ofSeconds(10), () -> assertTrue(
                    node.journalTextOf("WebhookOutbox|closing").contains("late-visitor-42"), "the outbox recorded the crossing"));

            assertError(as(closingAdmin, "DELETE", "/api/v1/tenants/closing"), 403, "forbidden");
            HttpReply accepted = node.send("DELETE", "/api/v1/tenants/closing", null, null);
            assertEquals(202, accepted.status(), accepted.body());
            assertEquals("/api/v1/tenants/closing/deletion", accepted.header("Location"));
            Eventually.eventually(Duration.ofSeconds(30), () -> {
                JsonNode status = node.get("/api/v1/tenants/closing/deletion").json();
                assertEquals("deleted", status.path("status").asText(), status.toString());
                assertEquals(CONTACTS + 1, status.path("contactsErased").asInt(), status.toString());
            });

            assertDeleted(closingAdmin, receiver);
            assertEquals(8, as(stayingRead, "GET", LeadflameNode.api("staying") + "/contacts/c-7").json()
                    .path("score").asInt(), "another tenant is untouched");

            node.close();
            node = LeadflameNode.start(dataDir, KEYS_ON);
            assertDeleted(closingAdmin, receiver);
            assertEquals("deleted", node.get("/api/v1/tenants/closing/deletion").json().path("status").asText());
            // The call list fills as remember-entities restarts the contacts.
            Eventually.eventually(LeadflameNode.READY_WITHIN, () -> assertEquals(CONTACTS,
                    as(stayingRead, "GET", LeadflameNode.api("staying") + "/leads?limit=100").json().path("leads").size()));
        }
    }

    private void assertDeleted(String closingAdmin, WebhookReceiver receiver) {
        assertError(as(closingAdmin, "GET", LeadflameNode.api("closing") + "/model"), 401, "unauthorized");
        String journal = node.journalText();
        assertFalse(journal.contains("closing-person-"), "a deleted tenant's contact data is in the journal");
        assertTrue(journal.contains("staying-person-7@example.com"));
        for (int i : new int[]{0, 17}) {
            assertEquals(0, node.rowsOf("Contact|closing/c-" + i));
            assertError(node.get(LeadflameNode.api("closing") + "/contacts/c-" + i), 404, "not_found");
        }
        assertEquals(0, node.get(LeadflameNode.api("closing") + "/leads").json().path("leads").size());
        assertEquals(0, node.get(LeadflameNode.api("closing") + "/webhooks").json().path("webhooks").size());
        assertError(node.get(LeadflameNode.api("closing") + "/webhooks/crm"), 404, "not_found");
        assertFalse(node.journalTextOf("WebhookOutbox|closing").contains("late-visitor-42"),
                "the deleted tenant's outbox still holds a contact's crossing");
        assertEquals(0, node.get(LeadflameNode.api("closing") + "/model").json().path("rules").size());
        assertEquals(0, receiver.received().size(), "a deleted tenant's webhook delivered");
    }
}

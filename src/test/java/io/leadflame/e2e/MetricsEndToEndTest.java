package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.Scrape;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.array;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} (API.md "Operations"): the Prometheus text format on the API port, with
 * the names the benchmark harness and dashboards read, moving with the traffic they describe
 * and never naming a contact.
 */
class MetricsEndToEndTest extends OneNodeTest {

    private static final String REQUESTS = "http_server_requests_seconds_count";
    private static final String EVENTS_ROUTE = "/api/v1/tenants/{tenant}/events";
    private static final Set<String> ROUTES = Set.of(EVENTS_ROUTE,
            "/api/v1/tenants/{tenant}/contacts/{contactId}", "/api/v1/tenants/{tenant}/contacts/{contactId}/score",
            "/api/v1/tenants/{tenant}/model", "/api/v1/tenants/{tenant}/model/rescoring",
            "/health/ready", "/health/alive", "/metrics", "other");

    @Test
    void metricsAreServedInThePrometheusTextFormatFromTheStart() {
        HttpReply reply = node.get("/metrics");
        assertEquals(200, reply.status(), reply.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", reply.header("Content-Type"));

        Scrape scrape = node.metrics();
        // Every outcome shows before its first event, so a rate() over it starts at 0.
        for (String outcome : List.of("accepted", "duplicate", "rejected")) {
            scrape.value("leadflame_events_total", "outcome", outcome);
        }
        for (String name : List.of("leadflame_contacts_live", "leadflame_rescoring_pending",
                "leadflame_rescoring_contacts_total", "leadflame_journal_write_seconds_count",
                "leadflame_journal_write_seconds_sum", "leadflame_journal_write_failures_total",
                "process_cpu_usage", "process_uptime_seconds", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes")) {
            scrape.value(name);
        }
        assertTrue(scrape.value("leadflame_journal_write_seconds_bucket", "le", "+Inf") >= 0);
        assertTrue(scrape.value("jvm_memory_used_bytes", "area", "heap") > 0, "heap in use");

        // The readiness polls of the start and the first scrape were timed, with histogram buckets.
        assertTrue(scrape.value(REQUESTS, "method", "GET", "route", "/health/ready", "status", "200") >= 1);
        assertTrue(scrape.value(REQUESTS, "method", "GET", "route", "/metrics", "status", "200") >= 1);
        assertTrue(scrape.value("http_server_requests_seconds_bucket",
                "route", "/metrics", "le", "+Inf") >= 1);
        assertTrue(scrape.value("http_server_requests_seconds_sum", "route", "/metrics") > 0);
    }

    @Test
    void unknownPathsAreCountedUnderOtherNotTheirPath() {
        double before = node.metrics().valueOrZero(REQUESTS, "method", "GET", "route", "other", "status", "404");
        assertEquals(404, node.get("/no-such-page-xyz").status());
        assertEquals(404, node.get("/api/v1/tenants/t/contacts/c/no-such-page-xyz").status());
        Scrape after = node.metrics();
        assertEquals(before + 2, after.value(REQUESTS, "method", "GET", "route", "other", "status", "404"));
        assertFalse(after.text().contains("no-such-page-xyz"), after.text());
    }

    @Test
    void eventsContactsAndRescoringAreCountedWithoutNamingContacts() {
        String tenant = "metrics";
        int contacts = 5;
        Instant t = now();
        List<ObjectNode> first = new ArrayList<>();
        for (int i = 0; i < contacts; i++) {
            first.add(activity(contactId(i), "email_opened", t.minusSeconds(100 + i)).put("eventId", "e-" + i));
        }
        node.record(tenant, first.toArray(JsonNode[]::new));

        // 3 new events, 2 redelivered, 2 invalid.
        Scrape before = node.metrics();
        HttpReply batch = node.postJson(tenant, array(
                activity(contactId(0), "email_opened", t.minusSeconds(50)).put("eventId", "e-5"),
                first.get(0),
                activity(contactId(1), "email_opened", t.minusSeconds(40)).put("eventId", "e-6"),
                E2e.parse("{\"type\": \"email_opened\"}"),
                first.get(1),
                activity(contactId(2), "Not An Activity!", t),
                activity(contactId(2), "email_opened", t.minusSeconds(30)).put("eventId", "e-7")));
        assertEquals(202, batch.status(), batch.body());
        JsonNode counts = batch.json();
        assertEquals(3, counts.get("accepted").asInt(), batch.body());
        assertEquals(2, counts.get("duplicates").asInt(), batch.body());
        assertEquals(2, counts.get("rejected").size(), batch.body());

        Scrape after = node.metrics();
        assertEquals(counts.get("accepted").asDouble(), moved(before, after, "leadflame_events_total", "outcome", "accepted"));
        assertEquals(counts.get("duplicates").asDouble(), moved(before, after, "leadflame_events_total", "outcome", "duplicate"));
        assertEquals(counts.get("rejected").size(), moved(before, after, "leadflame_events_total", "outcome", "rejected"));
        assertEquals(1, moved(before, after, REQUESTS, "method", "POST", "route", EVENTS_ROUTE, "status", "202"));
        assertEquals(3, moved(before, after, "leadflame_journal_write_seconds_count"),
                "one journal write for each of the three contacts with a new event");
        assertTrue(moved(before, after, "leadflame_journal_write_seconds_sum") > 0);
        assertEquals(0, after.value("leadflame_journal_write_failures_total"));

        // Remember-entities keeps every contact live; the count is refreshed every few seconds.
        eventually(Duration.ofSeconds(15), () ->
                assertEquals(contacts, node.metrics().value("leadflame_contacts_live")));

        double rescored = node.metrics().value("leadflame_rescoring_contacts_total");
        node.publish(tenant, IngestionEndToEndTest.OPENS_MODEL);
        Scrape done = node.metrics();
        assertEquals(contacts, done.value("leadflame_rescoring_contacts_total") - rescored);
        assertEquals(0, done.value("leadflame_rescoring_pending"));

        // Reads of every route, then: their templates as labels, never an id.
        node.contact(tenant, contactId(0));
        node.scoreAt(tenant, contactId(0), now().plusSeconds(60));
        node.get(LeadflameNode.api(tenant) + "/model/rescoring");
        Scrape last = node.metrics();
        Set<String> routes = new TreeSet<>();
        last.matching(REQUESTS).forEach(s -> routes.add(s.labels().get("route")));
        assertTrue(ROUTES.containsAll(routes), "unexpected route labels: " + routes);
        assertTrue(routes.containsAll(Set.of(EVENTS_ROUTE, "/api/v1/tenants/{tenant}/contacts/{contactId}",
                "/api/v1/tenants/{tenant}/contacts/{contactId}/score", "/api/v1/tenants/{tenant}/model",
                "/api/v1/tenants/{tenant}/model/rescoring")), routes.toString());
        for (String line : last.text().split("\n")) {
            for (int i = 0; i < contacts; i++) {
                assertFalse(line.contains(contactId(i)), "a contact id in /metrics: " + line);
            }
        }
    }

    private static String contactId(int i) {
        return "metrics-contact-" + i;
    }

    private static double moved(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.valueOrZero(name, labels);
    }
}

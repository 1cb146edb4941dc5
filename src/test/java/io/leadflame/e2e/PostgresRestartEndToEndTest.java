package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import io.leadflame.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node on the PostgreSQL journal ({@code LEADFLAME_JOURNAL=postgres}) on a fresh database:
 * it creates the schema, accepts events and scores them, and a new node started on the same
 * database (a second start: the schema script must be idempotent) shows the same scores, the
 * same model and version, and still knows the event ids it has seen.
 */
class PostgresRestartEndToEndTest {

    private static final String MODEL = """
            {"idealScore": 20,
             "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"},
                        {"name": "warm", "min": 5, "color": "#f5a623"}],
             "rules": [
               {"id": "met", "name": "Met us", "points": 6, "expiresAfter": "P14D",
                "criterion": {"type": "tag", "anyOf": ["conf"]}},
               {"id": "reads", "name": "Long reads", "points": 2, "count": "each", "maxPoints": 10,
                "criterion": {"type": "activity", "activity": "page_visited",
                              "where": [{"field": "seconds", "op": "gte", "value": 90}]}}]}
            """;

    @TempDir
    Path dataDir;
    private TestDatabase database;
    private LeadflameNode node;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.create();
    }

    @AfterEach
    void stop() {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            database.close();
        }
    }

    @Test
    void scoresAndModelSurviveARestartOnTheSameDatabase() throws Exception {
        node = LeadflameNode.start(dataDir, database.journalOverrides());
        String tenant = "pg";
        node.publish(tenant, MODEL.replace("\"points\": 6", "\"points\": 1"));
        long version = node.publish(tenant, MODEL);
        assertEquals(2, version);

        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        node.record(tenant,
                tagApplied("p-1", "conf", t.minus(1, ChronoUnit.DAYS)).put("eventId", "p1-e1"),
                activity("p-1", "page_visited", t.minus(2, ChronoUnit.HOURS), "seconds", 120).put("eventId", "p1-e2"),
                activity("p-2", "page_visited", t.minus(3, ChronoUnit.HOURS), "seconds", 95).put("eventId", "p2-e1"),
                activity("p-2", "page_visited", t.minus(1, ChronoUnit.HOURS), "seconds", 30).put("eventId", "p2-e2"));
        JsonNode p1 = node.contact(tenant, "p-1");
        JsonNode p2 = node.contact(tenant, "p-2");
        assertEquals(8, p1.get("score").asLong(), p1.toString());
        assertEquals(2, p2.get("score").asLong(), p2.toString());
        JsonNode modelBefore = node.model(tenant);

        // The events really are in PostgreSQL, and nothing went to an H2 file on the side.
        assertTrue(database.queryLong("SELECT count(*) FROM event_journal") >= 4);
        try (var files = Files.list(dataDir)) {
            assertEquals(List.of(), files.toList(), "no H2 files with the postgres journal");
        }

        node.close();
        node = null;
        node = LeadflameNode.start(dataDir, database.journalOverrides());

        assertEquals(p1, node.contact(tenant, "p-1"));
        assertEquals(p2, node.contact(tenant, "p-2"));
        assertEquals(modelBefore, node.model(tenant));
        assertEquals(2, node.model(tenant).get("version").asLong());
        HttpReply resent = node.postJson(tenant, E2e.array(
                tagApplied("p-1", "conf", t.minus(1, ChronoUnit.DAYS)).put("eventId", "p1-e1")));
        assertEquals(202, resent.status(), resent.body());
        assertEquals(1, resent.json().get("duplicates").asInt(), resent.body());
    }
}

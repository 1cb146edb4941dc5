package io.leadflame.persistence;

import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.TestDatabase;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stored ids of one entity type, on every journal database a node meets: H2, PostgreSQL that
 * orders text byte by byte, and PostgreSQL created with a language's collation, where a key range
 * from {@code Contact|} to {@code Contact}} would miss nearly every contact (punctuation counts
 * last there) and a restarted node would have believed it had no contacts and no models.
 */
class JournalIdsTest {

    private static final String TABLE = """
            CREATE TABLE "event_journal" ("persistence_id" VARCHAR(255) NOT NULL,
              "sequence_number" BIGINT NOT NULL, PRIMARY KEY ("persistence_id", "sequence_number"))""";
    private static final List<String> ROWS = List.of("Contact|acme/c-1", "Contact|acme/c-1", "Contact|acme/c-2",
            "ContactShards|count", "Contacts", "ScoringModel|acme", "ApiKeysx");

    @TempDir
    Path dir;

    @Test
    void h2() throws Exception {
        String url = "jdbc:h2:file:" + dir.toAbsolutePath() + "/ids;DB_CLOSE_DELAY=-1";
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute(TABLE);
            insertRows(s);
            assertListsEachType(url, "sa");
            s.execute("SHUTDOWN");
        }
    }

    @Test
    void postgresOrderingBytes() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            fill(db);
            assertListsEachType(db.url(), TestDatabase.USER);
        }
    }

    @Test
    void postgresWithALanguagesCollation() throws Exception {
        try (TestDatabase db = TestDatabase.createWithLanguageCollation()) {
            fill(db);
            assertEquals(0, db.queryLong("SELECT COUNT(*) FROM event_journal WHERE persistence_id >= 'Contact|' "
                    + "AND persistence_id < 'Contact}'"), "the key range misses the contacts on such a database");
            assertListsEachType(db.url(), TestDatabase.USER);
        }
    }

    private static void fill(TestDatabase db) {
        db.execute(TABLE);
        for (int i = 0; i < ROWS.size(); i++) {
            db.execute("INSERT INTO event_journal VALUES ('" + ROWS.get(i) + "', " + i + ")");
        }
    }

    private static void insertRows(Statement s) throws Exception {
        for (int i = 0; i < ROWS.size(); i++) {
            s.execute("INSERT INTO \"event_journal\" VALUES ('" + ROWS.get(i) + "', " + i + ")");
        }
    }

    private static void assertListsEachType(String url, String user) throws Exception {
        ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseMap(Map.of(
                "pekko-persistence-jdbc.shared-databases.slick.db.url", url,
                "pekko-persistence-jdbc.shared-databases.slick.db.user", user,
                "pekko-persistence-jdbc.shared-databases.slick.db.password", "")).withFallback(ConfigFactory.load()));
        try {
            JournalIds ids = new JournalIds(kit.system());
            assertEquals(List.of("Contact|acme/c-1", "Contact|acme/c-2"), get(ids.ids("Contact")));
            assertEquals(2L, get(ids.count("Contact")));
            assertTrue(get(ids.any("Contact")));
            assertEquals(List.of("ScoringModel|acme"), get(ids.ids("ScoringModel")));
            assertEquals(List.of("ContactShards|count"), get(ids.ids("ContactShards")));
            assertFalse(get(ids.any("ApiKeys")));
        } finally {
            kit.shutdownTestKit();
        }
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}

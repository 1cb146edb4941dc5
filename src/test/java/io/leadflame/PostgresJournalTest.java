package io.leadflame;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.leadflame.testing.TestDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.core.BaseConnection;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PostgreSQL journal's wiring on a fresh database: the journal's pooled connections have the
 * driver's batched-insert rewrite on although {@code JDBC_URL} does not ask for it, and creating
 * the schema is idempotent and safe when several starts race on one empty database.
 */
class PostgresJournalTest {

    @TempDir
    Path dataDir;
    private final TestDatabase database = TestDatabase.create();
    private Main.Started node;

    @AfterEach
    void stop() throws Exception {
        try {
            if (node != null) {
                node.system().terminate();
                node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        } finally {
            database.close();
        }
    }

    @Test
    void batchedInsertsAreRewrittenAndTheSchemaCanBeCreatedConcurrently() throws Exception {
        Config overrides = database.journalOverrides().withFallback(ConfigFactory.parseMap(Map.of(
                "leadflame.http.interface", "127.0.0.1",
                "leadflame.http.port", 0,
                "leadflame.data-dir", dataDir.toString(),
                "pekko.remote.artery.canonical.port", 0)));
        node = Main.start(overrides);

        SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(node.system());
        Config journal = node.system().settings().config().getConfig("jdbc-journal");
        try (Connection c = slick.database(journal).database().source().createConnection()) {
            assertTrue(c.unwrap(BaseConnection.class).getQueryExecutor().isReWriteBatchedInsertsEnabled(),
                    "reWriteBatchedInserts on the journal's pooled connections");
        }

        // Eight starts creating the schema at once on another, empty database: without the
        // advisory lock, concurrent CREATE TABLE IF NOT EXISTS fail on PostgreSQL's catalog.
        try (TestDatabase empty = TestDatabase.create()) {
            Config config = node.system().settings().config().withValue(
                    "pekko-persistence-jdbc.shared-databases.slick.db.url",
                    ConfigValueFactory.fromAnyRef(empty.url()));
            List<CompletableFuture<?>> runs = IntStream.range(0, 8)
                    .<CompletableFuture<?>>mapToObj(i -> JournalSchema
                            .createIfNotExists(node.system(), config, Duration.ofSeconds(10)).toCompletableFuture())
                    .toList();
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertEquals(0, empty.queryLong("SELECT count(*) FROM event_journal"));
            assertEquals(0, empty.queryLong("SELECT count(*) FROM snapshot"));
            assertEquals(1, empty.queryLong(
                    "SELECT count(*) FROM pg_indexes WHERE indexname = 'event_journal_ordering_idx'"));
        }
    }
}

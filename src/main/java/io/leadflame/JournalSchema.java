package io.leadflame;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * Creates the journal and snapshot tables if they are missing, for the journal this node uses.
 * <ul>
 *   <li>{@code h2}: the plugin's {@link SchemaUtils#createIfNotExists}, which runs the shipped
 *   script statement by statement and ignores the ones that fail (so a second start passes).</li>
 *   <li>{@code postgres}: {@code schema/leadflame-postgres-schema.sql}, whose statements are all
 *   {@code IF NOT EXISTS}, in one transaction holding an advisory lock: several nodes starting
 *   together on an empty database must not race their CREATEs, and any real failure (wrong
 *   password, no rights) must fail the start instead of being swallowed.</li>
 * </ul>
 * Either way Main then probes the journal before anything writes to it.
 */
final class JournalSchema {

    static final String POSTGRES_SCRIPT = "schema/leadflame-postgres-schema.sql";
    /** Any constant shared by every Leadflame node: serialises schema creation across nodes. */
    private static final String LOCK_KEY = "leadflame-journal-schema";

    private JournalSchema() {
    }

    static CompletionStage<?> createIfNotExists(ActorSystem<?> system, Config config, Duration timeout) {
        if (!config.getString("leadflame.journal").equals("postgres")) {
            return SchemaUtils.createIfNotExists(system);
        }
        Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
        // Blocking JDBC: off the actor system's dispatcher, on the one meant for blocking work.
        return CompletableFuture.runAsync(() -> createOnPostgres(db.getString("url"), db.getString("user"),
                        db.getString("password"), timeout),
                system.dispatchers().lookup(DispatcherSelector.blocking()));
    }

    private static void createOnPostgres(String url, String user, String password, Duration timeout) {
        DriverManager.setLoginTimeout((int) Math.max(1, timeout.toSeconds()));
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                // Released at commit or rollback; a second node waits here, then finds the tables.
                s.execute("SELECT pg_advisory_xact_lock(hashtext('" + LOCK_KEY + "'))");
                for (String statement : statements(script())) {
                    s.execute(statement);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create the journal schema on " + url + " as user '" + user
                    + "': " + e.getMessage(), e);
        }
    }

    /** The script without its comment lines, split at semicolons. */
    static List<String> statements(String script) {
        String code = script.lines()
                .filter(line -> !line.strip().startsWith("--"))
                .collect(Collectors.joining("\n"));
        return Arrays.stream(code.split(";"))
                .map(String::strip)
                .filter(statement -> !statement.isEmpty())
                .toList();
    }

    private static String script() {
        try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(POSTGRES_SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(POSTGRES_SCRIPT + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + POSTGRES_SCRIPT, e);
        }
    }
}

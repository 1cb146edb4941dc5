package io.leadflame.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database on the local server (127.0.0.1:5432, trust auth, user
 * postgres, as on the CI machines) for one test class; {@link #close} drops it, ending any
 * connection a node left behind. Each run gets its own name, so runs never see each other's
 * journal.
 */
public final class TestDatabase implements AutoCloseable {

    /** The server's maintenance database, used to create and drop the test databases. */
    public static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String USER = "postgres";

    private final String name;

    private TestDatabase(String name) {
        this.name = name;
    }

    /** Creates {@code leadflame_test_<random>}; fails with a hint when the server is not there. */
    public static TestDatabase create() {
        return create("leadflame_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    /** Creates the database {@code name} (lower case letters, digits and _), e.g. a benchmark run's. */
    public static TestDatabase create(String name) {
        admin("CREATE DATABASE " + name);
        return new TestDatabase(name);
    }

    /**
     * Creates a database that sorts text as American English does (ICU {@code en-US}), as many
     * servers are set up: punctuation counts only after the letters.
     */
    public static TestDatabase createWithLanguageCollation() {
        String name = "leadflame_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + name + " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
        return new TestDatabase(name);
    }

    /** Runs one statement on this database. */
    public void execute(String sql) {
        try (Connection c = DriverManager.getConnection(url(), USER, "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Statement failed on " + name + ": " + sql, e);
        }
    }

    public String name() {
        return name;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:5432/" + name;
    }

    /**
     * Overrides selecting this database as the node's journal, with a small pool: several nodes
     * in one JVM must stay well under the server's max_connections.
     */
    public Config journalOverrides() {
        return ConfigFactory.parseMap(Map.of(
                "leadflame.journal", "postgres",
                "leadflame.databases.postgres.db.url", url(),
                "leadflame.databases.postgres.db.user", USER,
                "leadflame.databases.postgres.db.password", "",
                "leadflame.databases.postgres.db.numThreads", 4,
                "leadflame.databases.postgres.db.maxConnections", 4,
                "leadflame.databases.postgres.db.minConnections", 1));
    }

    /** Runs one query on this database and returns the first column of the first row as a long. */
    public long queryLong(String sql) {
        try (Connection c = DriverManager.getConnection(url(), USER, "");
             Statement s = c.createStatement();
             var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Query failed on " + name + ": " + sql, e);
        }
    }

    /** The contact events in the journal (a row holds one request's for a contact: {@link JournalRows}). */
    public long contactEventsInJournal() {
        String sql = "SELECT event_ser_id, event_ser_manifest, event_payload FROM event_journal "
                + "WHERE persistence_id LIKE 'Contact|%' AND NOT deleted";
        try (Connection c = DriverManager.getConnection(url(), USER, "");
             Statement s = c.createStatement();
             var rs = s.executeQuery(sql)) {
            long events = 0;
            while (rs.next()) {
                events += JournalRows.contactEvents(rs.getInt(1), rs.getString(2), rs.getBytes(3));
            }
            return events;
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the journal of " + name + " failed", e);
        }
    }

    @Override
    public void close() {
        // FORCE (PostgreSQL 13+): a node that did not shut its pool yet must not keep the database.
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + ADMIN_URL + " (user " + USER + ") failed '" + sql
                    + "': " + e.getMessage() + ". Is the server running? "
                    + "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", e);
        }
    }
}

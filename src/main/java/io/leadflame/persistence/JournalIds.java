package io.leadflame.persistence;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The persistence ids of one entity type ({@code Type|…}) in the journal, read with a range
 * over the journal's primary key on a connection of its own. The read journal can only list
 * every id: with a million contacts among them, a node waited a minute to read its few models
 * (BENCHMARKS.md "Restart of one node at 1,000,000 contacts").
 */
public final class JournalIds {

    private static final Logger LOG = LoggerFactory.getLogger(JournalIds.class);

    private final String url;
    private final Properties connectionProperties;
    private final String table;
    private final String column;
    private final Executor blocking;
    /** Whether the database orders text byte by byte; null until first asked. */
    private volatile Boolean bytewise;

    public JournalIds(ActorSystem<?> system) {
        Config config = system.settings().config();
        this.url = config.getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
        this.connectionProperties = connectionProperties(config, 0);
        Config journalTable = config.getConfig("jdbc-journal.tables.event_journal");
        String schema = journalTable.getString("schemaName");
        // Quoted as the plugin's schemas create them: lower case, which H2 would otherwise upper-case.
        this.table = (schema.isEmpty() ? "" : quoted(schema) + ".") + quoted(journalTable.getString("tableName"));
        this.column = quoted(journalTable.getString("columnNames.persistenceId"));
        this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * User and password of the journal's database, and for PostgreSQL connect and read timeouts
     * of {@code timeoutSeconds} (0: none), for a connection outside the journal's pool.
     */
    public static Properties connectionProperties(Config config, int timeoutSeconds) {
        Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
        Properties properties = new Properties();
        properties.setProperty("user", db.getString("user"));
        properties.setProperty("password", db.getString("password"));
        if (timeoutSeconds > 0 && db.getString("url").startsWith("jdbc:postgresql:")) {
            String seconds = String.valueOf(timeoutSeconds);
            properties.setProperty("connectTimeout", seconds);
            properties.setProperty("loginTimeout", seconds);
            properties.setProperty("socketTimeout", seconds);
        }
        return properties;
    }

    /** The ids of the entities of type {@code entityType}, in order. */
    public CompletionStage<List<String>> ids(String entityType) {
        return query("SELECT DISTINCT " + column + " FROM " + table + " WHERE " + RANGE + " ORDER BY " + column,
                entityType, rows -> {
            List<String> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
            return ids;
        });
    }

    /** How many entities of type {@code entityType} the journal has. */
    public CompletionStage<Long> count(String entityType) {
        return query("SELECT COUNT(DISTINCT " + column + ") FROM " + table + " WHERE " + RANGE, entityType,
                rows -> rows.next() ? rows.getLong(1) : 0L);
    }

    /** Whether the journal has any entity of type {@code entityType}. */
    public CompletionStage<Boolean> any(String entityType) {
        return query("SELECT 1 FROM " + table + " WHERE " + RANGE + " FETCH FIRST 1 ROWS ONLY", entityType,
                ResultSet::next);
    }

    private interface Rows<T> {
        T read(ResultSet rows) throws SQLException;
    }

    /** Stands in {@code sql} for the condition that selects the ids {@code Type|…}. */
    private static final String RANGE = "{range}";

    /**
     * Runs {@code sql} over the ids {@code Type|…}: a range of the primary key, from {@code Type|}
     * to just before {@code Type}}, where the database orders text byte by byte (H2; PostgreSQL with
     * the C collation). A database created with a language's collation (PostgreSQL's
     * {@code en_US.UTF-8}, often the default) ignores punctuation at first, so that range would
     * miss nearly every id: there a {@code LIKE 'Type|%'} over the whole table is used instead
     * (slower at scale; DECISIONS.md "Restart at scale").
     */
    private <T> CompletionStage<T> query(String sql, String entityType, Rows<T> read) {
        String from = entityType + "|";
        String until = entityType + (char) ('|' + 1);
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = DriverManager.getConnection(url, connectionProperties)) {
                boolean range = ordersBytewise(c);
                try (PreparedStatement s = c.prepareStatement(sql.replace(RANGE,
                        range ? column + " >= ? AND " + column + " < ?" : column + " LIKE ?"))) {
                    if (range) {
                        s.setString(1, from);
                        s.setString(2, until);
                    } else {
                        // Entity type names hold no LIKE wildcard (% or _).
                        s.setString(1, from + "%");
                    }
                    s.setFetchSize(1000);
                    try (ResultSet rows = s.executeQuery()) {
                        return read.read(rows);
                    }
                }
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, blocking);
    }

    /** Whether the database compares text byte by byte, as the key range needs; asked once. */
    private boolean ordersBytewise(Connection c) throws SQLException {
        Boolean known = bytewise;
        if (known == null) {
            try (PreparedStatement s = c.prepareStatement("SELECT CASE WHEN CAST(? AS VARCHAR(32)) < CAST(? AS VARCHAR(32)) THEN 1 ELSE 0 END")) {
                s.setString(1, "Type|id");
                s.setString(2, "Type}");
                try (ResultSet rows = s.executeQuery()) {
                    known = rows.next() && rows.getInt(1) == 1;
                }
            }
            if (!known) {
                LOG.warn("The journal's database does not order text byte by byte (its collation is a language's): "
                        + "listing the stored entities of a type scans the whole journal. A journal database "
                        + "created with LC_COLLATE 'C' lists them by key range.");
            }
            bytewise = known;
        }
        return known;
    }
}

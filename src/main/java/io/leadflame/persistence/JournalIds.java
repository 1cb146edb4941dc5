package io.leadflame.persistence;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

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

    private final String url;
    private final Properties connectionProperties;
    private final String table;
    private final String column;
    private final Executor blocking;

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
        return query("SELECT DISTINCT " + column + " FROM " + table + " WHERE " + column + " >= ? AND " + column
                + " < ? ORDER BY " + column, entityType, rows -> {
            List<String> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
            return ids;
        });
    }

    /** How many entities of type {@code entityType} the journal has. */
    public CompletionStage<Long> count(String entityType) {
        return query("SELECT COUNT(DISTINCT " + column + ") FROM " + table + " WHERE " + column + " >= ? AND "
                + column + " < ?", entityType, rows -> rows.next() ? rows.getLong(1) : 0L);
    }

    /** Whether the journal has any entity of type {@code entityType}. */
    public CompletionStage<Boolean> any(String entityType) {
        return query("SELECT 1 FROM " + table + " WHERE " + column + " >= ? AND " + column + " < ? FETCH FIRST 1 ROWS "
                + "ONLY", entityType, ResultSet::next);
    }

    private interface Rows<T> {
        T read(ResultSet rows) throws SQLException;
    }

    /** Runs {@code sql} with the range of ids {@code Type|…}: from {@code Type|} to just before {@code Type}}. */
    private <T> CompletionStage<T> query(String sql, String entityType, Rows<T> read) {
        String from = entityType + "|";
        String until = entityType + (char) ('|' + 1);
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = DriverManager.getConnection(url, connectionProperties);
                 PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, from);
                s.setString(2, until);
                s.setFetchSize(1000);
                try (ResultSet rows = s.executeQuery()) {
                    return read.read(rows);
                }
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, blocking);
    }
}

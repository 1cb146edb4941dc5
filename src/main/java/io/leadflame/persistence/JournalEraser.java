package io.leadflame.persistence;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.apache.pekko.persistence.typed.PersistenceId;
import slick.jdbc.JdbcBackend;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Removes every row an entity ever wrote — its events and snapshots — from the journal's
 * tables, in one transaction, for a right to be forgotten. Pekko's own deletion keeps the
 * highest event row (marked deleted) to hold the sequence number, and with it the data; this
 * deletes the rows themselves, so an entity erased while stopped, or while it holds off its
 * commands, starts afresh from sequence number 1. The same statements serve H2 and PostgreSQL
 * (both name the plugin's tables in lower case).
 */
public final class JournalEraser implements Extension {

    private static final ExtensionId<JournalEraser> ID = new ExtensionId<>() {
        @Override
        public JournalEraser createExtension(ActorSystem<?> system) {
            return new JournalEraser(system);
        }
    };

    public static JournalEraser get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    private final JdbcBackend.JdbcDatabaseDef database;
    private final Executor blocking;

    private JournalEraser(ActorSystem<?> system) {
        SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
        this.database = slick.database(system.settings().config().getConfig("jdbc-journal")).database();
        this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    }

    /** Deletes the entity's snapshots and events; completes once that is committed. */
    public CompletionStage<Done> erase(PersistenceId id) {
        return delete(id, Long.MAX_VALUE);
    }

    /**
     * Deletes the entity's snapshots and events before {@code sequenceNumber}, where it has just
     * stored a snapshot: what older rows held of an erased contact goes, while the entity still
     * recovers from that snapshot and the rows after it.
     */
    public CompletionStage<Done> compactBefore(PersistenceId id, long sequenceNumber) {
        return delete(id, sequenceNumber);
    }

    private CompletionStage<Done> delete(PersistenceId id, long before) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = database.source().createConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement snapshots = c.prepareStatement(
                        "DELETE FROM \"snapshot\" WHERE \"persistence_id\" = ? AND \"sequence_number\" < ?");
                     PreparedStatement events = c.prepareStatement(
                             "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = ? AND \"sequence_number\" < ?")) {
                    for (PreparedStatement delete : new PreparedStatement[]{snapshots, events}) {
                        delete.setString(1, id.id());
                        delete.setLong(2, before);
                        delete.executeUpdate();
                    }
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                }
                return Done.getInstance();
            } catch (SQLException e) {
                throw new IllegalStateException("could not delete rows of " + id.id() + ": " + e.getMessage(), e);
            }
        }, blocking);
    }
}

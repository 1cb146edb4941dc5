package io.leadflame.persistence;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Whether an entity has ever persisted anything, asked of the journal without starting it.
 * Reads use it before they reach a sharded entity: with remember-entities, merely sending a
 * message to an entity writes a journal row and keeps it alive (and restarted on every start),
 * so a GET of a contact or model that does not exist must not send one.
 */
public final class StoredEntities {

    private final JdbcReadJournal journal;
    private final Executor executor;

    public StoredEntities(ActorSystem<?> system) {
        this.journal = PersistenceQuery.get(system)
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        this.executor = system.executionContext();
    }

    /**
     * Whether {@code id} has an event in the journal: a primary-key lookup. Everything accepted
     * with a 2xx is in the journal, so a miss means "never written" (or not yet acknowledged).
     */
    public CompletionStage<Boolean> exist(PersistenceId id) {
        return journal.currentLastSequenceNumberByPersistenceId(id.id()).thenApply(last -> last.isPresent());
    }

    /**
     * What {@code ask} (of the entity) answers if {@code id} ever persisted anything, else what
     * {@code otherwise} does: the entity is not started for an id never written. Both run on the
     * actor system's dispatcher, not on the journal's thread.
     */
    public <T> CompletionStage<T> askIfStored(PersistenceId id, Supplier<CompletionStage<T>> ask,
                                              Supplier<CompletionStage<T>> otherwise) {
        return exist(id).thenComposeAsync(exists -> exists ? ask.get() : otherwise.get(), executor);
    }
}

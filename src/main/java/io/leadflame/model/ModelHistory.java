package io.leadflame.model;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Every version a tenant ever published, read from its model entity's journal: each version is a
 * {@link ScoringModelEntity.ModelChanged} that stays there (the entity takes no snapshots and
 * deletes nothing), so the history costs no memory and survives restarts. Read on demand, in
 * version order, wherever the entity lives.
 */
public final class ModelHistory {

    /**
     * One published version.
     *
     * @param by           who published it (an API key's name, {@code operator}); empty when the API
     *                     asked for no key, or for versions published before authors were recorded
     * @param restoredFrom the earlier version it restored, for a restore
     */
    public record Version(long version, String stored, Instant updatedAt, Optional<String> by,
                          Optional<Long> restoredFrom) {

        /** The version as the live model is handed around. */
        public PublishedModel published(String tenant) {
            return new PublishedModel(tenant, version, stored, Optional.of(updatedAt));
        }
    }

    private final ActorSystem<?> system;
    private final JdbcReadJournal journal;

    public ModelHistory(ActorSystem<?> system) {
        this.system = system;
        this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class,
                JdbcReadJournal.Identifier());
    }

    /** The tenant's versions, oldest first; empty for a tenant that never published one. */
    public CompletionStage<List<Version>> versions(String tenant) {
        return journal.currentEventsByPersistenceId(
                        PersistenceId.of(ScoringModelEntity.TYPE_KEY.name(), tenant).id(), 0L, Long.MAX_VALUE)
                .map(envelope -> envelope.event())
                .filter(event -> event instanceof ScoringModelEntity.ModelChanged)
                .map(event -> {
                    ScoringModelEntity.ModelChanged changed = (ScoringModelEntity.ModelChanged) event;
                    return new Version(changed.version(), changed.stored(), changed.updatedAt(),
                            Optional.ofNullable(changed.by()), Optional.ofNullable(changed.restoredFrom()));
                })
                .runWith(Sink.seq(), system);
    }

    /** One version of the tenant's, if it was published. */
    public CompletionStage<Optional<Version>> version(String tenant, long version) {
        return versions(tenant).thenApply(all -> all.stream().filter(v -> v.version() == version).findFirst());
    }
}

package io.leadflame.model;

import io.leadflame.rescoring.Rescorer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Reads every tenant's stored model into this node's {@link ModelCatalog} when the node starts,
 * before it reports ready: Distributed Data is empty after a full restart, and a contact must
 * never be scored against the default model of a tenant that has one.
 */
public final class ModelBootstrap {

    private static final String PREFIX = ScoringModelEntity.TYPE_KEY.name() + PersistenceId.DefaultSeparator();

    private ModelBootstrap() {
    }

    public static CompletionStage<Done> load(ActorSystem<?> system, ActorRef<Rescorer.Command> rescorer,
                                             Duration askTimeout) {
        ModelCatalog catalog = ModelCatalog.get(system);
        ClusterSharding sharding = ClusterSharding.get(system);
        JdbcReadJournal journal = PersistenceQuery.get(system)
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        return journal.currentPersistenceIds()
                .filter(id -> id.startsWith(PREFIX))
                .map(id -> id.substring(PREFIX.length()))
                .mapAsyncUnordered(4, tenant -> sharding.entityRefFor(ScoringModelEntity.TYPE_KEY, tenant)
                        .ask(ScoringModelEntity.Get::new, askTimeout))
                .runForeach(model -> catalog.offer(model)
                        .ifPresent(current -> rescorer.tell(new Rescorer.RescoreTenant(current.published()))), system)
                .thenApply(done -> {
                    catalog.markLoaded();
                    return done;
                });
    }
}

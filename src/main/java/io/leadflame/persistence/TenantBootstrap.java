package io.leadflame.persistence;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Reads what every tenant stored in per-tenant entities (its model, its webhooks) into this
 * node when it starts, before it reports ready: Distributed Data is empty after a full restart.
 * The journal's persistence ids are listed once for all of them (a million contacts are among
 * them).
 */
public final class TenantBootstrap {

    /**
     * What to do at start for each tenant that has an entity of one type.
     *
     * @param entityType the type name in the persistence ids of the entities ({@code Type|tenant})
     * @param loadTenant loads one tenant's entity into this node
     * @param loaded     called once every tenant's entity is loaded
     */
    public record Loader(String entityType, Function<String, CompletionStage<?>> loadTenant, Runnable loaded) {
        String prefix() {
            return entityType + PersistenceId.DefaultSeparator();
        }
    }

    private static final int PARALLELISM = 4;

    private TenantBootstrap() {
    }

    public static CompletionStage<Done> load(ActorSystem<?> system, List<Loader> loaders) {
        JdbcReadJournal journal = PersistenceQuery.get(system)
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        return journal.currentPersistenceIds()
                .filter(id -> loaderOf(loaders, id) != null)
                .mapAsyncUnordered(PARALLELISM, id -> {
                    Loader loader = loaderOf(loaders, id);
                    return loader.loadTenant().apply(id.substring(loader.prefix().length()));
                })
                .runForeach(loaded -> { }, system)
                .thenApply(done -> {
                    loaders.forEach(l -> l.loaded().run());
                    return done;
                });
    }

    private static Loader loaderOf(List<Loader> loaders, String persistenceId) {
        for (Loader l : loaders) {
            if (persistenceId.startsWith(l.prefix())) {
                return l;
            }
        }
        return null;
    }
}

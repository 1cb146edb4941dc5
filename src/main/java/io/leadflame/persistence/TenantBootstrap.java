package io.leadflame.persistence;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Source;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Reads what every tenant stored in per-tenant entities (its model, its webhooks, its keys) into
 * this node when it starts, before it reports ready: Distributed Data is empty after a full
 * restart. Each entity type's persistence ids are read on their own ({@link JournalIds}), so that
 * a million contacts in the same journal do not delay the few models.
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

    /** Completes once every loader is done; each loader's {@code loaded} runs as soon as it is. */
    public static CompletionStage<Done> load(ActorSystem<?> system, List<Loader> loaders) {
        JournalIds journal = new JournalIds(system);
        CompletableFuture<?>[] each = loaders.stream().map(loader -> journal.ids(loader.entityType())
                        .thenCompose(ids -> Source.from(ids)
                                .mapAsyncUnordered(PARALLELISM, id -> loader.loadTenant()
                                        .apply(id.substring(loader.prefix().length())))
                                .runForeach(loaded -> { }, system))
                        .thenRun(loader.loaded())
                        .toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(each).thenApply(all -> Done.getInstance());
    }
}

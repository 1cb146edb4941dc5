package io.leadflame.model;

import io.leadflame.persistence.TenantBootstrap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Reads every tenant's stored model into this node's {@link ModelCatalog} when the node starts
 * (through {@link TenantBootstrap}), before it reports ready: a contact must never be scored
 * against the default model of a tenant that has one.
 */
public final class ModelBootstrap {

    private ModelBootstrap() {
    }

    /** @param newModel what to do with each stored version that becomes current on this node */
    public static TenantBootstrap.Loader loader(ActorSystem<?> system, Consumer<PublishedModel> newModel,
                                                Duration askTimeout) {
        ModelCatalog catalog = ModelCatalog.get(system);
        ClusterSharding sharding = ClusterSharding.get(system);
        return new TenantBootstrap.Loader(ScoringModelEntity.TYPE_KEY.name(),
                tenant -> sharding.entityRefFor(ScoringModelEntity.TYPE_KEY, tenant)
                        .ask(ScoringModelEntity.Get::new, askTimeout)
                        .thenAccept(model -> catalog.offer(model).ifPresent(current ->
                                newModel.accept(current.published()))),
                catalog::markLoaded);
    }
}

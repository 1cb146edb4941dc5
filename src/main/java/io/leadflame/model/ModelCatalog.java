package io.leadflame.model;

import io.leadflame.scoring.ScoringModel;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The current scoring model of every tenant, as known on this node. Contacts read it locally
 * on every score instead of asking the tenant's model actor; it is filled by the node's
 * {@link ModelReplicator} (Distributed Data) and at start by {@link ModelBootstrap}, and only
 * ever moves forward in version.
 */
public final class ModelCatalog implements Extension {

    private final ConcurrentHashMap<String, VersionedModel> models = new ConcurrentHashMap<>();
    private volatile boolean loaded;

    public static final ExtensionId<ModelCatalog> ID = new ExtensionId<>() {
        @Override
        public ModelCatalog createExtension(ActorSystem<?> system) {
            return new ModelCatalog();
        }
    };

    public static ModelCatalog get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** The tenant's current model: the default (version 0) if it never published one. */
    public VersionedModel modelOf(String tenant) {
        VersionedModel known = models.get(tenant);
        return known != null ? known : new VersionedModel(PublishedModel.initial(tenant), ScoringModel.DEFAULT);
    }

    /**
     * Takes a published version if it is newer than the one known here.
     *
     * @return the newly current model, or empty when this version was already known or is older
     */
    public Optional<VersionedModel> offer(PublishedModel published) {
        VersionedModel known = models.get(published.tenant());
        if (known != null && known.version() >= published.version()) {
            return Optional.empty();
        }
        VersionedModel parsed = new VersionedModel(published, published.parse());
        VersionedModel after = models.merge(published.tenant(), parsed,
                (old, neu) -> old.version() >= neu.version() ? old : neu);
        return after == parsed ? Optional.of(parsed) : Optional.empty();
    }

    /**
     * Whether {@link #modelOf} is the tenant's real current model: its stored model has arrived,
     * or every stored model has been read and the tenant has none (the default is then right).
     * Before that, at a node's start, the default stands in for a model still being read.
     */
    public boolean knows(String tenant) {
        return loaded || models.containsKey(tenant);
    }

    /** Whether every tenant's model stored in the journal has been read since this node started. */
    public boolean isLoaded() {
        return loaded;
    }

    public void markLoaded() {
        loaded = true;
    }
}

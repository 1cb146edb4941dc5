package io.leadflame.model;

import io.leadflame.scoring.ScoringModel;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The current scoring model of every tenant, as known on this node. Contacts read it locally
 * on every score instead of asking the tenant's model actor; it is filled by the node's
 * {@link ModelReplicator} (Distributed Data) and at start by {@link ModelBootstrap}, and only
 * ever moves forward in version.
 */
public final class ModelCatalog implements Extension {

    private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

    private final ConcurrentHashMap<String, VersionedModel> models = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Unreadable> unreadable = new ConcurrentHashMap<>();
    /** By tenant, its named scores in name order; no entry for a tenant without any. Read on every event. */
    private final ConcurrentHashMap<String, List<NamedScore>> namedByTenant = new ConcurrentHashMap<>();
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
    // Synchronized: the bootstrap and the replicator offer concurrently, and a version's parse
    // failure must not be recorded after a newer good version has already cleared the tenant.
    // Offers are rare (a model change, a node's start); readers never lock.
    public synchronized Optional<VersionedModel> offer(PublishedModel published) {
        String tenant = published.tenant();
        VersionedModel known = models.get(tenant);
        if (known != null && known.version() >= published.version()) {
            return Optional.empty();
        }
        Unreadable failed = unreadable.get(tenant);
        if (failed != null && failed.version() >= published.version()) {
            return Optional.empty();
        }
        ScoringModel model;
        try {
            model = published.parse();
        } catch (RuntimeException e) {
            // One tenant's stored model that no longer reads (a stricter release, a damaged row)
            // must not stop this node from taking every other tenant's models: it is set aside,
            // reported by readiness and the log, and replaced by the tenant's next valid version.
            unreadable.merge(tenant, new Unreadable(published.version(), e.getMessage()),
                    (old, neu) -> old.version() >= neu.version() ? old : neu);
            log.error("The scoring model of tenant {} (version {}) cannot be read and is not applied; "
                    + "its contacts are not rescored until a valid model is published: {}",
                    tenant, published.version(), e.getMessage());
            return Optional.empty();
        }
        VersionedModel parsed = new VersionedModel(published, model);
        VersionedModel after = models.merge(tenant, parsed,
                (old, neu) -> old.version() >= neu.version() ? old : neu);
        if (after == parsed) {
            unreadable.computeIfPresent(tenant, (t, u) -> u.version() <= parsed.version() ? null : u);
            if (ScoreNames.isNamed(tenant)) {
                listNamedScore(tenant, parsed);
            }
            return Optional.of(parsed);
        }
        return Optional.empty();
    }

    /**
     * Whether {@link #modelOf} is the tenant's real current model: its stored model has arrived,
     * or every stored model has been read and the tenant has none (the default is then right).
     * Before that, at a node's start, the default stands in for a model still being read; and
     * nothing stands in for a newest stored version that cannot be read ({@link #unreadable()}):
     * its tenant's contacts are then not rescored, publish no change and forget nothing.
     */
    public boolean knows(String tenant) {
        if (unreadable.containsKey(tenant)) {
            // An older version still held here is no more the tenant's model than the default.
            return false;
        }
        return loaded || models.containsKey(tenant);
    }

    /** A named score of a tenant and its current model. */
    public record NamedScore(String name, VersionedModel model) {
    }

    /**
     * The tenant's named scores known here, in name order ({@link ScoreNames}): those whose
     * current model is not the default, which a named score is reset to when it is deleted (alone
     * or with its tenant): its versions stay in its history, and a new PUT brings it back.
     */
    public List<NamedScore> named(String tenant) {
        return namedByTenant.getOrDefault(tenant, List.of());
    }

    /** Whether the tenant has the score {@code score}: its default one, or one of its {@link #named} scores. */
    public boolean hasScore(String tenant, String score) {
        return score.equals(ScoreNames.DEFAULT) || named(tenant).stream().anyMatch(n -> n.name().equals(score));
    }

    /** {@link #named} by name. */
    public SortedMap<String, VersionedModel> namedScores(String tenant) {
        SortedMap<String, VersionedModel> byName = new TreeMap<>();
        named(tenant).forEach(score -> byName.put(score.name(), score.model()));
        return byName;
    }

    /** Puts a named score's new current model in its tenant's list (under the offer's lock). */
    private void listNamedScore(String key, VersionedModel model) {
        String score = ScoreNames.scoreOf(key);
        List<NamedScore> named = new ArrayList<>(namedByTenant.getOrDefault(ScoreNames.tenantOf(key), List.of()));
        named.removeIf(n -> n.name().equals(score));
        if (!model.published().isDefault()) {
            named.add(new NamedScore(score, model));
            named.sort(Comparator.comparing(NamedScore::name));
        }
        if (named.isEmpty()) {
            namedByTenant.remove(ScoreNames.tenantOf(key));
        } else {
            namedByTenant.put(ScoreNames.tenantOf(key), List.copyOf(named));
        }
    }

    /**
     * Whether every model of the tenant is known here as it is: {@link #knows} its default
     * score's, and none of its named scores' newest versions is unreadable. What a contact must
     * know before it forgets anything. (Its named scores are all known too: a node starts its
     * contacts only once every stored model is read.)
     */
    public boolean knowsEveryScoreOf(String tenant) {
        if (!knows(tenant)) {
            return false;
        }
        String prefix = ScoreNames.namedPrefix(tenant);
        return unreadable.keySet().stream().noneMatch(key -> key.startsWith(prefix));
    }

    /** Every tenant's current model known here. */
    public Collection<VersionedModel> current() {
        return List.copyOf(models.values());
    }

    /**
     * A tenant's stored model version that this node could not read, and why.
     *
     * @param version the version that failed
     * @param reason  what reading it said
     */
    public record Unreadable(long version, String reason) {
    }

    /** The tenants whose newest stored model cannot be read here, by tenant, in name order. */
    public SortedMap<String, Unreadable> unreadable() {
        return new TreeMap<>(unreadable);
    }

    /** Whether every tenant's model stored in the journal has been read since this node started. */
    public boolean isLoaded() {
        return loaded;
    }

    public void markLoaded() {
        loaded = true;
    }
}

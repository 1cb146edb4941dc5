package io.leadflame;

import io.leadflame.auth.ApiKeys;
import io.leadflame.auth.ApiKeysEntity;
import io.leadflame.auth.KeysReplicator;
import io.leadflame.persistence.TenantBootstrap;
import io.leadflame.config.Settings;
import io.leadflame.contact.ContactEntity;
import io.leadflame.contact.ContactRecovery;
import io.leadflame.persistence.JournalIds;
import io.leadflame.leads.LeadIndex;
import io.leadflame.leads.LeadsReader;
import io.leadflame.http.ApiError;
import io.leadflame.contact.ContactService;
import io.leadflame.contact.ContactShards;
import io.leadflame.http.ApiRoutes;
import io.leadflame.kafka.KafkaIngestion;
import io.leadflame.kafka.KafkaSettings;
import io.leadflame.metrics.LiveContacts;
import io.leadflame.model.ModelBootstrap;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.ModelReplicator;
import io.leadflame.model.PublishedModel;
import io.leadflame.model.ScoringModelEntity;
import io.leadflame.rescoring.Rescorer;
import io.leadflame.tenants.TenantDeletion;
import io.leadflame.cluster.Readiness;
import io.leadflame.webhooks.TriggersReplicator;
import io.leadflame.webhooks.WebhookOutbox;
import io.leadflame.webhooks.WebhookTriggers;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.server.Route;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Wires the scoring cluster on a node: the node's model catalog and replicator, the rescorer,
 * the reader of the node's call list, the webhook triggers' and API keys' replicators, the
 * sharded contact, model, webhook-outbox and API-keys entities, and the API routes. Called once per node, after the journal
 * schema exists and before HTTP is bound.
 *
 * @param routes the tenant API
 * @param loaded a readiness check: every stored model, webhook trigger and API key is known on this node
 *               (which also proves that sharding answers), and the model replicator and the
 *               rescorer run (they are not restarting after a failure)
 * @param problems what is wrong on this node without making it unready: tenants whose stored
 *                 model cannot be read
 */
public record Leadflame(Route routes, Readiness.Check loaded, Supplier<List<ApiError.Detail>> problems,
                        Supplier<ContactRecovery.Progress> recovery) {

    private static final Logger LOG = LoggerFactory.getLogger(Leadflame.class);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(1);
    private static final SupervisorStrategy RESTART =
            SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2);
    /** How stale leadflame_contacts_live may be: a fraction of a typical 15 s scrape interval. */
    private static final Duration COUNT_LIVE_CONTACTS_EVERY = Duration.ofSeconds(2);

    public static Leadflame start(ActorSystem<?> system) {
        Settings settings = Settings.from(system.settings().config());
        Clock clock = Clock.systemUTC();
        ModelCatalog catalog = ModelCatalog.get(system);
        // Supervised: one failure (an unexpected message, a bug) must not leave the node ready
        // with models that no longer change. Restarted, the replicator subscribes again and
        // Distributed Data hands it every tenant's current version.
        ActorRef<Rescorer.Command> rescorer = system.systemActorOf(
                supervised(Rescorer.create(settings.rescoreParallelism(), clock, catalog)), "rescorer", Props.empty());
        // Each model version that becomes current on this node rescores its tenant's contacts here.
        Consumer<PublishedModel> rescoreTenant = model -> rescorer.tell(new Rescorer.RescoreTenant(model));
        ActorRef<ModelReplicator.Command> replicator = system.systemActorOf(
                supervised(ModelReplicator.create(catalog, rescoreTenant)), "model-replicator", Props.empty());
        List<TenantBootstrap.Loader> loaders = new ArrayList<>();
        loaders.add(ModelBootstrap.loader(system, rescoreTenant, settings.askTimeout()));
        WebhookTriggers webhooks = WebhookTriggers.get(system);
        if (settings.callList()) {
            system.systemActorOf(LeadsReader.create(LeadIndex.get(system), clock), "leads-reader", Props.empty());
            // Webhooks fire on the score changes the call list computes.
            WebhookOutbox.init(system, system.systemActorOf(Behaviors.supervise(TriggersReplicator.create())
                    .onFailure(SupervisorStrategy.restart()), "webhook-triggers", Props.empty()));
            loaders.add(webhooks.loader(settings.askTimeout()));
        }
        ContactRecovery recovery = ContactRecovery.get(system);
        JournalIds journalIds = new JournalIds(system);
        system.systemActorOf(supervised(recovery.watch(() -> journalIds.count(ContactEntity.TYPE_KEY.name()))),
                "contact-recovery", Props.empty());
        ScoringModelEntity.init(system, replicator);
        ApiKeys keys = ApiKeys.get(system);
        ApiKeysEntity.init(system, system.systemActorOf(supervised(KeysReplicator.create()), "api-keys",
                Props.empty()));
        loaders.add(keys.loader(settings.askTimeout()));
        TenantDeletion.init(system);
        ContactService contacts = new ContactService(system, settings);
        KafkaSettings kafka = KafkaSettings.from(system.settings().config());
        // The contacts start once the tenants' models, keys and webhooks are read: every entity
        // recovery waits for one of Pekko's few recovery permits, and a million remembered
        // contacts queued first held a node's few models back for minutes (BENCHMARKS.md,
        // "Restart of one node at 1,000,000 contacts"). Until then writes are answered 503.
        ContactShards shards = new ContactShards(system, journalIds);
        loadTenants(system, loaders).thenCompose(loaded -> shards.count()).thenAccept(count -> {
            ContactEntity.init(system, settings, count);
            system.systemActorOf(LiveContacts.create(ContactEntity.TYPE_KEY, COUNT_LIVE_CONTACTS_EVERY),
                    "live-contacts", Props.empty());
            if (kafka.enabled()) {
                KafkaIngestion.start(system, kafka, contacts, clock);
            }
        });
        Readiness.Check stored = () -> CompletableFuture.completedFuture(
                !catalog.isLoaded() ? Readiness.Result.notReady("The scoring models are not loaded yet.")
                        : !ContactEntity.started(system) ? Readiness.Result.notReady(
                                shards.waiting().orElse("The contacts are not started yet."))
                        : settings.callList() && !webhooks.isLoaded()
                        ? Readiness.Result.notReady("The webhook triggers are not loaded yet.")
                        : keys.enabled() && !keys.isLoaded()
                        ? Readiness.Result.notReady("The API keys are not loaded yet.")
                        : Readiness.Result.ok());
        // A node whose replicator or rescorer is restarting would take model changes late.
        Readiness.Check replicating = Readiness.answers(system, "model replicator", replicator,
                ModelReplicator.Ping::new, PING_TIMEOUT);
        Readiness.Check rescoring = Readiness.answers(system, "rescorer", rescorer, Rescorer.Ping::new, PING_TIMEOUT);
        Readiness.Check loaded = settings.callList()
                ? Readiness.inOrder(stored, replicating, rescoring,
                        Readiness.listed(system, "call list's reader", LeadsReader.KEY, PING_TIMEOUT))
                : Readiness.inOrder(stored, replicating, rescoring);
        Supplier<List<ApiError.Detail>> problems = () -> {
            List<ApiError.Detail> details = new ArrayList<>();
            if (keys.enabled() && !catalog.unreadable().isEmpty()) {
                // /health/ready answers anyone: with keys on it names no tenant.
                details.add(new ApiError.Detail("models", catalog.unreadable().size() + " tenant(s) have a stored "
                        + "model this release cannot read; their contacts are not rescored until a valid model is "
                        + "published. The node's log names them."));
                return details;
            }
            catalog.unreadable().forEach((tenant, failed) -> details.add(new ApiError.Detail(
                    "tenants/" + tenant + "/model",
                    "version " + failed.version() + " cannot be read (" + failed.reason() + "): the tenant's "
                            + "contacts are not rescored and publish no change until a valid model is published")));
            return details;
        };
        return new Leadflame(new ApiRoutes(system, settings, clock, contacts).routes(), loaded, problems,
                recovery::progress);
    }

    private static <T> Behavior<T> supervised(Behavior<T> behavior) {
        return Behaviors.supervise(behavior).onFailure(Exception.class, RESTART);
    }

    /**
     * Until it succeeds: a node that cannot read the models must stay not ready, not give up.
     * Completes once every loader is done.
     */
    private static CompletionStage<Done> loadTenants(ActorSystem<?> system, List<TenantBootstrap.Loader> loaders) {
        CompletableFuture<Done> loaded = new CompletableFuture<>();
        loadTenants(system, loaders, loaded);
        return loaded;
    }

    private static void loadTenants(ActorSystem<?> system, List<TenantBootstrap.Loader> loaders,
                                    CompletableFuture<Done> loaded) {
        TenantBootstrap.load(system, loaders).whenComplete((done, failure) -> {
            if (failure == null) {
                loaded.complete(done);
            } else if (!system.whenTerminated().isCompleted()) {
                LOG.warn("Loading the tenants' models and webhooks failed, retrying in {}: {}", RETRY_DELAY,
                        failure.toString());
                system.scheduler().scheduleOnce(RETRY_DELAY, () -> loadTenants(system, loaders, loaded),
                        system.executionContext());
            }
        });
    }
}

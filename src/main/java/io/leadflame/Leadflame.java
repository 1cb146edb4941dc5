package io.leadflame;

import io.leadflame.contact.ContactEntity;
import io.leadflame.leads.LeadIndex;
import io.leadflame.leads.LeadsReader;
import io.leadflame.http.ApiRoutes;
import io.leadflame.metrics.LiveContacts;
import io.leadflame.model.ModelBootstrap;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.ModelReplicator;
import io.leadflame.model.ScoringModelEntity;
import io.leadflame.rescoring.Rescorer;
import io.leadflame.cluster.Readiness;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.server.Route;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Wires the scoring cluster on a node: the node's model catalog and replicator, the rescorer,
 * the reader of the node's call list, the sharded contact and model entities, and the API routes. Called once per node, after the
 * journal schema exists and before HTTP is bound.
 *
 * @param routes       the tenant API
 * @param modelsLoaded a readiness check: every stored model is in this node's catalog (which
 *                     also proves that sharding answers)
 */
public record Leadflame(Route routes, Readiness.Check modelsLoaded) {

    private static final Logger LOG = LoggerFactory.getLogger(Leadflame.class);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    /** How stale leadflame_contacts_live may be: a fraction of a typical 15 s scrape interval. */
    private static final Duration COUNT_LIVE_CONTACTS_EVERY = Duration.ofSeconds(2);

    public static Leadflame start(ActorSystem<?> system) {
        Settings settings = Settings.from(system.settings().config());
        Clock clock = Clock.systemUTC();
        ModelCatalog catalog = ModelCatalog.get(system);
        ActorRef<Rescorer.Command> rescorer = system.systemActorOf(
                Rescorer.create(settings.rescoreParallelism(), clock), "rescorer", Props.empty());
        ActorRef<ModelReplicator.Command> replicator = system.systemActorOf(
                ModelReplicator.create(catalog, rescorer), "model-replicator", Props.empty());
        if (settings.callList()) {
            system.systemActorOf(LeadsReader.create(LeadIndex.get(system), clock), "leads-reader", Props.empty());
        }
        ContactEntity.init(system, settings);
        system.systemActorOf(LiveContacts.create(ContactEntity.TYPE_KEY, COUNT_LIVE_CONTACTS_EVERY),
                "live-contacts", Props.empty());
        ScoringModelEntity.init(system, replicator);
        loadModels(system, rescorer, settings);
        Readiness.Check modelsLoaded = () -> CompletableFuture.completedFuture(catalog.isLoaded()
                ? Readiness.Result.ok()
                : Readiness.Result.notReady("The scoring models are not loaded yet."));
        return new Leadflame(new ApiRoutes(system, settings, clock).routes(), modelsLoaded);
    }

    /** Until it succeeds: a node that cannot read the models must stay not ready, not give up. */
    private static void loadModels(ActorSystem<?> system, ActorRef<Rescorer.Command> rescorer, Settings settings) {
        ModelBootstrap.load(system, rescorer, settings.askTimeout()).whenComplete((done, failure) -> {
            if (failure != null && !system.whenTerminated().isCompleted()) {
                LOG.warn("Loading the scoring models failed, retrying in {}: {}", RETRY_DELAY, failure.toString());
                system.scheduler().scheduleOnce(RETRY_DELAY, () -> loadModels(system, rescorer, settings),
                        system.executionContext());
            }
        });
    }
}

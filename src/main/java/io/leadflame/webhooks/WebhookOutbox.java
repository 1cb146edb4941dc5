package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;
import io.leadflame.changes.ScoreChange;
import io.leadflame.cluster.ReachableRegionsAllocation;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.http.javadsl.Http;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * A tenant's webhooks and the outbox of their deliveries: one sharded entity per tenant with
 * webhooks, the parent of the {@link WebhookLedger} that persists and delivers them. Crossings
 * arrive in batches from each node's {@link CrossingForwarder}, which sends its next batch only
 * once the ledger answers that this one is persisted (and sends it again otherwise). Every
 * command goes to the ledger as it is; this entity restarts the ledger from the journal when it
 * stops (a journal failure).
 */
public final class WebhookOutbox extends AbstractBehavior<WebhookOutbox.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "WebhookOutbox");

    /** Within the phase's default 5 s. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    public interface Command extends CborSerializable {
    }

    /** Creates or replaces a webhook. */
    public record Save(String id, String url, String secret, Trigger trigger, ActorRef<Saved> replyTo)
            implements Command {
    }

    /** Answers {@link Save} once the triggers are known on every node (or gossip will carry them). */
    public record Saved(WebhookStatus webhook, boolean created) implements CborSerializable {
    }

    public record Get(String id, ActorRef<Found> replyTo) implements Command {
    }

    /** @param webhook null when there is no webhook of that id */
    public record Found(WebhookStatus webhook) implements CborSerializable {
    }

    public record ListAll(ActorRef<Listing> replyTo) implements Command {
    }

    public record Listing(List<WebhookStatus> webhooks) implements CborSerializable {
    }

    /** Removes a webhook and drops its pending deliveries. */
    public record Delete(String id, ActorRef<Deleted> replyTo) implements Command {
    }

    public record Deleted(boolean existed, int droppedDeliveries) implements CborSerializable {
    }

    /**
     * Score changes that crossed one of the tenant's triggers, from a node's
     * {@link CrossingForwarder}: answered once persisted (safe to send again: delivery ids).
     */
    public record Record(List<ScoreChange> changes, ActorRef<Done> replyTo) implements Command {
    }

    /**
     * An erased contact: its pending deliveries are dropped (never sent) and its outcomes no
     * longer listed. Answered once that is persisted.
     */
    public record ForgetContact(String contactId, ActorRef<Done> replyTo) implements Command {
    }

    /** Deletes every row of the outbox before a fresh snapshot (a deleted tenant's, its webhooks gone). */
    public record Compact(ActorRef<Done> replyTo) implements Command {
    }

    /** The tenant's triggers, read at a node's start. */
    public record GetTriggers(ActorRef<TenantTriggers> replyTo) implements Command {
    }

    /**
     * Sharding's hand-off message. Nothing is held here: a batch not yet answered is sent again
     * by its forwarder, to wherever the outbox starts next.
     */
    public record Stop() implements Command {
    }

    private record LedgerStopped(ActorRef<Command> ledger) implements Command {
    }

    private record RestartLedger() implements Command {
    }

    public static void init(ActorSystem<?> system, ActorRef<TriggersReplicator.Command> replicator) {
        WebhookSettings settings = WebhookSettings.from(system.settings().config());
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                        ctx -> create(ctx.getEntityId(), replicator, settings, Clock.systemUTC()))
                .withStopMessage(new Stop())
                .withAllocationStrategy(ReachableRegionsAllocation.fromConfig(system.settings().config())));
        ActorRef<CrossingForwarder.Command> forwarder = system.systemActorOf(CrossingForwarder.create(),
                "webhook-crossings", Props.empty());
        WebhookTriggers.get(system).forwardTo(forwarder);
        // Before sharding stops: what this node's contacts crossed reaches the outboxes.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(),
                "webhook-crossings", () -> AskPattern.<CrossingForwarder.Command, Done>ask(forwarder,
                                CrossingForwarder.Drain::new, DRAIN_TIMEOUT, system.scheduler())
                        .exceptionally(timedOut -> Done.getInstance()));
        // After the outboxes stopped: a pool with an attempt under way (a receiver that is down)
        // would otherwise be torn down by the actor system's end and log that as an error.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                "webhook-connection-pools", () -> Http.get(system).shutdownAllConnectionPools()
                        .thenApply(unit -> Done.getInstance()));
    }

    public static Behavior<Command> create(String tenant, ActorRef<TriggersReplicator.Command> replicator,
                                           WebhookSettings settings, Clock clock) {
        return Behaviors.setup(ctx -> new WebhookOutbox(ctx,
                () -> WebhookLedger.create(tenant, replicator, settings, clock)));
    }

    private final Supplier<Behavior<Command>> newLedger;
    private ActorRef<Command> ledger;

    private WebhookOutbox(ActorContext<Command> context, Supplier<Behavior<Command>> newLedger) {
        super(context);
        this.newLedger = newLedger;
        startLedger();
    }

    /**
     * A new ledger, recovered from the journal: after a journal failure the old one stopped
     * (restarting it in place would replay onto its mutated state).
     */
    private void startLedger() {
        ledger = getContext().spawnAnonymous(newLedger.get());
        getContext().watchWith(ledger, new LedgerStopped(ledger));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(LedgerStopped.class, this::onLedgerStopped)
                .onMessage(RestartLedger.class, restart -> {
                    startLedger();
                    return this;
                })
                .onMessage(Stop.class, stop -> Behaviors.stopped())
                .onAnyMessage(command -> {
                    ledger.tell(command);
                    return this;
                })
                .build();
    }

    private Behavior<Command> onLedgerStopped(LedgerStopped stopped) {
        if (stopped.ledger().equals(ledger)) {
            getContext().getLog().warn("The webhook ledger stopped (a journal failure?); a new one in {}", RETRY_AFTER);
            getContext().scheduleOnce(RETRY_AFTER, getContext().getSelf(), new RestartLedger());
        }
        return this;
    }
}

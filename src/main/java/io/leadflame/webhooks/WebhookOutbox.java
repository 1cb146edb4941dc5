package io.leadflame.webhooks;

import io.leadflame.CborSerializable;
import io.leadflame.leads.ScoreChange;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A tenant's webhooks and the outbox of their deliveries: one sharded entity per tenant with
 * webhooks. Crossings arrive from the contacts of every node, one message each, sometimes in a
 * burst (a model change moves thousands of contacts at once); this entity gathers them into
 * batches for its child {@link WebhookLedger}, which persists each batch as one journal row and
 * delivers. Everything else goes to the ledger as it is.
 */
public final class WebhookOutbox extends AbstractBehavior<WebhookOutbox.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "WebhookOutbox");

    /** Crossings persisted per journal row at most. */
    static final int BATCH = 1_000;
    /**
     * Crossings held while the ledger writes, at most: a bound on memory should the journal
     * stall during a burst. Beyond it crossings are dropped with an error in the log.
     */
    static final int MAX_HELD = 1_000_000;
    private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(10);
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

    /** A score change that crossed one of the tenant's triggers, from the contact (see {@link WebhookTriggers}). */
    public record Crossing(ScoreChange change) implements Command {
    }

    /** The tenant's triggers, read at a node's start. */
    public record GetTriggers(ActorRef<TenantTriggers> replyTo) implements Command {
    }

    /** Sharding's hand-off message: stop once every crossing held is persisted. */
    public record Stop() implements Command {
    }

    /** To the ledger: persist these crossings, then answer. */
    record RecordCrossings(List<ScoreChange> changes, ActorRef<Done> replyTo) implements Command {
    }

    private record BatchRecorded() implements Command {
    }

    private record BatchFailed(List<ScoreChange> batch, String why) implements Command {
    }

    private record RetryBatch() implements Command {
    }

    private record LedgerStopped(ActorRef<Command> ledger) implements Command {
    }

    private record RestartLedger() implements Command {
    }

    public static void init(ActorSystem<?> system, ActorRef<TriggersReplicator.Command> replicator) {
        WebhookSettings settings = WebhookSettings.from(system.settings().config());
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                        ctx -> create(ctx.getEntityId(), replicator, settings, Clock.systemUTC()))
                .withStopMessage(new Stop()));
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
    private final ArrayDeque<ScoreChange> held = new ArrayDeque<>();
    private boolean writing;
    private boolean stopping;
    private long dropped;

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
                .onMessage(Crossing.class, this::onCrossing)
                .onMessage(BatchRecorded.class, done -> {
                    writing = false;
                    return writeNext();
                })
                .onMessage(BatchFailed.class, this::onBatchFailed)
                .onMessage(RetryBatch.class, retry -> {
                    writing = false;
                    return writeNext();
                })
                .onMessage(LedgerStopped.class, this::onLedgerStopped)
                .onMessage(RestartLedger.class, restart -> {
                    startLedger();
                    return this;
                })
                .onMessage(Stop.class, stop -> {
                    stopping = true;
                    return writeNext();
                })
                .onAnyMessage(command -> {
                    ledger.tell(command);
                    return this;
                })
                .build();
    }

    private Behavior<Command> onCrossing(Crossing crossing) {
        if (held.size() >= MAX_HELD) {
            if (dropped++ % 10_000 == 0) {
                getContext().getLog().error("{} crossings dropped: {} are waiting for the journal",
                        dropped, held.size());
            }
            return this;
        }
        held.add(crossing.change());
        return writeNext();
    }

    private Behavior<Command> writeNext() {
        if (writing) {
            return this;
        }
        if (held.isEmpty()) {
            return stopping ? Behaviors.stopped() : this;
        }
        List<ScoreChange> batch = new ArrayList<>(Math.min(BATCH, held.size()));
        while (batch.size() < BATCH && !held.isEmpty()) {
            batch.add(held.poll());
        }
        writing = true;
        getContext().ask(Done.class, ledger, RECORD_TIMEOUT, replyTo -> new RecordCrossings(batch, replyTo),
                (done, failure) -> failure == null ? new BatchRecorded() : new BatchFailed(batch, failure.toString()));
        return this;
    }

    private Behavior<Command> onLedgerStopped(LedgerStopped stopped) {
        if (stopped.ledger().equals(ledger)) {
            getContext().getLog().warn("The webhook ledger stopped (a journal failure?); a new one in {}", RETRY_AFTER);
            getContext().scheduleOnce(RETRY_AFTER, getContext().getSelf(), new RestartLedger());
        }
        return this;
    }

    /** The ledger stopped or was slow: write the batch again (its delivery ids make that safe). */
    private Behavior<Command> onBatchFailed(BatchFailed failed) {
        getContext().getLog().warn("Recording {} crossings failed, retrying in {}: {}",
                failed.batch().size(), RETRY_AFTER, failed.why());
        for (int i = failed.batch().size() - 1; i >= 0; i--) {
            held.addFirst(failed.batch().get(i));
        }
        getContext().scheduleOnce(RETRY_AFTER, getContext().getSelf(), new RetryBatch());
        return this;
    }
}

package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Spreads each tenant's webhook triggers to every node and keeps this node's
 * {@link WebhookTriggers} current. A change is pushed to the replicator of every node (found
 * through the receptionist), and the request that made it is answered once they all have it:
 * Distributed Data alone would tell a node's subscriber only at its next notification tick, and
 * a crossing on that node meanwhile would be missed. Distributed Data still carries every
 * tenant's triggers, for nodes that join later or missed a push.
 */
public final class TriggersReplicator extends AbstractBehavior<TriggersReplicator.Command> {

    static final Key<LWWMap<String, TenantTriggers>> KEY = LWWMapKey.create("webhook-triggers");
    static final ServiceKey<Command> REPLICATORS = ServiceKey.create(Command.class, "webhook-triggers");
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

    public sealed interface Command {
    }

    /**
     * Make the tenant's triggers known everywhere, then run {@code written} (the outbox's
     * answer to the request that changed them): once it has run, a crossing on any node is
     * recorded. A local message only.
     */
    public record Publish(String tenant, TenantTriggers triggers, Runnable written) implements Command {
    }

    /** From another node's replicator: learn these triggers and say so. */
    public record Learn(String tenant, TenantTriggers triggers, ActorRef<Done> replyTo)
            implements Command, CborSerializable {
    }

    private record Pushed(Runnable then) implements Command {
    }

    private record Changed(Replicator.SubscribeResponse<LWWMap<String, TenantTriggers>> response) implements Command {
    }

    private record Written(Replicator.UpdateResponse<LWWMap<String, TenantTriggers>> response) implements Command {
    }

    private final ReplicatorMessageAdapter<Command, LWWMap<String, TenantTriggers>> replicator;
    private final SelfUniqueAddress node;
    private final WebhookTriggers triggers;

    public static Behavior<Command> create() {
        return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
                (ReplicatorMessageAdapter<Command, LWWMap<String, TenantTriggers>> adapter) ->
                        new TriggersReplicator(ctx, adapter)));
    }

    private TriggersReplicator(ActorContext<Command> context,
                               ReplicatorMessageAdapter<Command, LWWMap<String, TenantTriggers>> replicator) {
        super(context);
        this.replicator = replicator;
        this.node = DistributedData.get(context.getSystem()).selfUniqueAddress();
        this.triggers = WebhookTriggers.get(context.getSystem());
        replicator.subscribe(KEY, Changed::new);
        context.getSystem().receptionist().tell(Receptionist.register(REPLICATORS, context.getSelf()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Publish.class, this::onPublish)
                .onMessage(Learn.class, learn -> {
                    triggers.learn(learn.tenant(), learn.triggers());
                    learn.replyTo().tell(Done.getInstance());
                    return this;
                })
                .onMessage(Pushed.class, pushed -> {
                    pushed.then().run();
                    return this;
                })
                .onMessage(Changed.class, this::onChanged)
                .onMessage(Written.class, this::onWritten)
                .build();
    }

    private Behavior<Command> onPublish(Publish publish) {
        triggers.learn(publish.tenant(), publish.triggers());
        replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.create(),
                        new Replicator.WriteMajority(WRITE_TIMEOUT), replyTo, map -> newer(map, publish)),
                Written::new);
        ActorSystem<?> system = getContext().getSystem();
        ActorRef<Command> self = getContext().getSelf();
        Logger log = getContext().getLog();
        AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(REPLICATORS, replyTo), WRITE_TIMEOUT, system.scheduler())
                .thenCompose(listing -> CompletableFuture.allOf(listing.getServiceInstances(REPLICATORS).stream()
                        .filter(other -> !other.equals(self))
                        .map(other -> AskPattern.<Command, Done>ask(other,
                                replyTo -> new Learn(publish.tenant(), publish.triggers(), replyTo),
                                WRITE_TIMEOUT, system.scheduler()).toCompletableFuture())
                        .toArray(CompletableFuture[]::new)))
                .whenComplete((done, failure) -> {
                    if (failure != null) {
                        // Gossip brings them there shortly.
                        log.warn("Webhook triggers did not reach every node in time: {}",
                                failure.toString());
                    }
                    self.tell(new Pushed(publish.written()));
                });
        return this;
    }

    private LWWMap<String, TenantTriggers> newer(LWWMap<String, TenantTriggers> map, Publish publish) {
        TenantTriggers existing = map.getEntries().get(publish.tenant());
        return existing != null && existing.version() >= publish.triggers().version()
                ? map : map.put(node, publish.tenant(), publish.triggers());
    }

    private Behavior<Command> onChanged(Changed changed) {
        if (changed.response() instanceof Replicator.Changed<LWWMap<String, TenantTriggers>> c) {
            c.get(KEY).getEntries().forEach(triggers::learn);
        }
        return this;
    }

    private Behavior<Command> onWritten(Written written) {
        if (!(written.response() instanceof Replicator.UpdateSuccess)) {
            getContext().getLog().warn("Webhook triggers did not reach a majority in time: {}", written.response());
        }
        return this;
    }
}

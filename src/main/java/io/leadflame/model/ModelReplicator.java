package io.leadflame.model;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Spreads published model versions to every node through Distributed Data and keeps this
 * node's {@link ModelCatalog} current. Whenever the catalog learns a newer version of a
 * tenant's model — published here, replicated from another node, or read at start — it is
 * handed on (the node rescores that tenant's contacts: see {@code Leadflame}).
 */
public final class ModelReplicator extends AbstractBehavior<ModelReplicator.Command> {

    /** Every tenant's current model, one entry per tenant. */
    static final Key<LWWMap<String, PublishedModel>> KEY = LWWMapKey.create("scoring-models");
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

    public sealed interface Command {
    }

    /** Answers {@code Done}: the node's readiness asks whether this actor runs. */
    public record Ping(ActorRef<Done> replyTo) implements Command {
    }

    /** Make this version current everywhere. */
    public record Publish(PublishedModel model) implements Command {
    }

    private record Changed(Replicator.SubscribeResponse<LWWMap<String, PublishedModel>> response) implements Command {
    }

    private record Written(Replicator.UpdateResponse<LWWMap<String, PublishedModel>> response) implements Command {
    }

    private final ReplicatorMessageAdapter<Command, LWWMap<String, PublishedModel>> replicator;
    private final SelfUniqueAddress node;
    private final ModelCatalog catalog;
    private final Consumer<PublishedModel> newModel;

    /**
     * @param newModel what to do with each version that becomes current on this node
     */
    public static Behavior<Command> create(ModelCatalog catalog, Consumer<PublishedModel> newModel) {
        return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
                (ReplicatorMessageAdapter<Command, LWWMap<String, PublishedModel>> adapter) ->
                        new ModelReplicator(ctx, adapter, catalog, newModel)));
    }

    private ModelReplicator(ActorContext<Command> context,
                            ReplicatorMessageAdapter<Command, LWWMap<String, PublishedModel>> replicator,
                            ModelCatalog catalog, Consumer<PublishedModel> newModel) {
        super(context);
        this.replicator = replicator;
        this.node = DistributedData.get(context.getSystem()).selfUniqueAddress();
        this.catalog = catalog;
        this.newModel = newModel;
        replicator.subscribe(KEY, Changed::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Ping.class, ping -> {
                    ping.replyTo().tell(Done.getInstance());
                    return this;
                })
                .onMessage(Publish.class, this::onPublish)
                .onMessage(Changed.class, this::onChanged)
                .onMessage(Written.class, this::onWritten)
                .build();
    }

    private Behavior<Command> onPublish(Publish publish) {
        learn(publish.model());
        // Majority, so that a version acknowledged to the user survives the loss of a node
        // before gossip would have spread it; on one node this is a local write.
        replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.create(),
                        new Replicator.WriteMajority(WRITE_TIMEOUT), replyTo,
                        map -> newer(map, publish.model())),
                Written::new);
        return this;
    }

    /** Never let an older version overwrite a newer one, whatever the wall clocks say. */
    private LWWMap<String, PublishedModel> newer(LWWMap<String, PublishedModel> map, PublishedModel model) {
        PublishedModel existing = map.getEntries().get(model.tenant());
        return existing != null && existing.version() >= model.version() ? map : map.put(node, model.tenant(), model);
    }

    private Behavior<Command> onChanged(Changed changed) {
        if (changed.response() instanceof Replicator.Changed<LWWMap<String, PublishedModel>> c) {
            c.get(KEY).getEntries().values().forEach(this::learn);
        }
        return this;
    }

    private Behavior<Command> onWritten(Written written) {
        if (!(written.response() instanceof Replicator.UpdateSuccess)) {
            // The local replica has it; gossip spreads it to the others shortly.
            getContext().getLog().warn("Model write did not reach a majority in time: {}", written.response());
        }
        return this;
    }

    private void learn(PublishedModel model) {
        catalog.offer(model).ifPresent(current -> newModel.accept(current.published()));
    }
}

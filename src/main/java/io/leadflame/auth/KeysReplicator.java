package io.leadflame.auth;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

import java.time.Duration;

/**
 * Spreads each tenant's keys to every node through Distributed Data and keeps this node's
 * {@link ApiKeys} current. A change is written to every reachable node before the request that
 * made it is answered (a revoked key is then refused everywhere once each node's subscriber has
 * been told, within {@code notify-subscribers-interval}); a node that was unreachable gets it by
 * gossip, and every node reads all keys from the journal at its start.
 */
public final class KeysReplicator extends AbstractBehavior<KeysReplicator.Command> {

    static final Key<LWWMap<String, TenantKeys>> KEY = LWWMapKey.create("api-keys");
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);
    private static final LWWRegister.Clock<TenantKeys> BY_VERSION = (current, keys) -> keys.version();

    public sealed interface Command {
    }

    /** Make the tenant's keys known everywhere, then run {@code written}. A local message only. */
    public record Publish(String tenant, TenantKeys keys, Runnable written) implements Command {
    }

    private record Changed(Replicator.SubscribeResponse<LWWMap<String, TenantKeys>> response) implements Command {
    }

    private record Written(Replicator.UpdateResponse<LWWMap<String, TenantKeys>> response, Runnable then)
            implements Command {
    }

    private final ReplicatorMessageAdapter<Command, LWWMap<String, TenantKeys>> replicator;
    private final SelfUniqueAddress node;
    private final ApiKeys keys;

    public static Behavior<Command> create() {
        return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
                (ReplicatorMessageAdapter<Command, LWWMap<String, TenantKeys>> adapter) ->
                        new KeysReplicator(ctx, adapter)));
    }

    private KeysReplicator(ActorContext<Command> context,
                           ReplicatorMessageAdapter<Command, LWWMap<String, TenantKeys>> replicator) {
        super(context);
        this.replicator = replicator;
        this.node = DistributedData.get(context.getSystem()).selfUniqueAddress();
        this.keys = ApiKeys.get(context.getSystem());
        replicator.subscribe(KEY, Changed::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Publish.class, this::onPublish)
                .onMessage(Changed.class, changed -> {
                    if (changed.response() instanceof Replicator.Changed<LWWMap<String, TenantKeys>> c) {
                        c.get(KEY).getEntries().forEach(keys::learn);
                    }
                    return this;
                })
                .onMessage(Written.class, written -> {
                    if (!(written.response() instanceof Replicator.UpdateSuccess)) {
                        getContext().getLog().warn("API keys did not reach every node in time (gossip brings them "
                                + "there shortly): {}", written.response());
                    }
                    written.then().run();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onPublish(Publish publish) {
        keys.learn(publish.tenant(), publish.keys());
        replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.create(),
                        new Replicator.WriteAll(WRITE_TIMEOUT), replyTo, map -> {
                            TenantKeys known = map.getEntries().get(publish.tenant());
                            // Timestamped by the keys' version, not the wall clock: a node whose
                            // clock is behind must still win with a newer version (a revocation).
                            return known != null && known.version() >= publish.keys().version()
                                    ? map : map.put(node, publish.tenant(), publish.keys(), BY_VERSION);
                        }),
                response -> new Written(response, publish.written()));
        return this;
    }
}

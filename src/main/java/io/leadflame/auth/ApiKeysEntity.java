package io.leadflame.auth;

import io.leadflame.cluster.ReachableRegionsAllocation;
import io.leadflame.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A tenant's keys: the single writer of their list (one per tenant in the cluster). A key's text
 * is made and shown by the node that answers its creation; only its hash reaches this entity,
 * the journal and the other nodes. Each change is answered once {@link KeysReplicator} has
 * written it to every reachable node.
 */
public final class ApiKeysEntity
        extends EventSourcedBehaviorWithEnforcedReplies<ApiKeysEntity.Command, ApiKeysEntity.Event, TenantKeys> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "ApiKeys");
    /** Keys a tenant may have at once; revoked ones do not count. */
    public static final int MAX_ACTIVE_KEYS = 100;

    public sealed interface Command extends CborSerializable {
    }

    public record Get(ActorRef<TenantKeys> replyTo) implements Command {
    }

    /** Adds a key made by the asking node ({@link ApiKeyText}): its id, name, role and hash. */
    public record Create(String id, String name, Role role, String hash, ActorRef<CreateResult> replyTo)
            implements Command {
    }

    public record Revoke(String id, ActorRef<RevokeResult> replyTo) implements Command {
    }

    public sealed interface CreateResult extends CborSerializable {
    }

    public record Created(TenantKey key) implements CreateResult {
    }

    /** The tenant already has {@link #MAX_ACTIVE_KEYS} active keys. */
    public record TooManyKeys(int active) implements CreateResult {
    }

    public sealed interface RevokeResult extends CborSerializable {
    }

    /** The key, revoked now or before (revoking twice is not an error). */
    public record Revoked(TenantKey key) implements RevokeResult {
    }

    public record UnknownKey() implements RevokeResult {
    }

    public sealed interface Event extends CborSerializable {
    }

    public record KeyCreated(TenantKey key) implements Event {
    }

    public record KeyRevoked(String id, Instant at) implements Event {
    }

    public static void init(ActorSystem<?> system, ActorRef<KeysReplicator.Command> replicator) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                ctx -> create(ctx.getEntityId(), replicator, Clock.systemUTC()))
                .withAllocationStrategy(ReachableRegionsAllocation.fromConfig(system.settings().config())));
    }

    public static Behavior<Command> create(String tenant, ActorRef<KeysReplicator.Command> replicator, Clock clock) {
        return new ApiKeysEntity(tenant, replicator, clock);
    }

    private final String tenant;
    private final ActorRef<KeysReplicator.Command> replicator;
    private final Clock clock;

    private ApiKeysEntity(String tenant, ActorRef<KeysReplicator.Command> replicator, Clock clock) {
        super(PersistenceId.of(TYPE_KEY.name(), tenant),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.tenant = tenant;
        this.replicator = replicator;
        this.clock = clock;
    }

    @Override
    public TenantKeys emptyState() {
        return TenantKeys.NONE;
    }

    @Override
    public CommandHandlerWithReply<Command, Event, TenantKeys> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Get.class, (keys, get) -> Effect().reply(get.replyTo(), keys))
                .onCommand(Create.class, this::onCreate)
                .onCommand(Revoke.class, this::onRevoke)
                .build();
    }

    private ReplyEffect<Event, TenantKeys> onCreate(TenantKeys keys, Create create) {
        int active = (int) keys.keys().stream().filter(TenantKey::active).count();
        if (active >= MAX_ACTIVE_KEYS) {
            return Effect().reply(create.replyTo(), new TooManyKeys(active));
        }
        TenantKey key = new TenantKey(create.id(), create.name(), create.role(), clock.instant(), create.hash(),
                Optional.empty());
        return Effect().persist((Event) new KeyCreated(key))
                .thenRun(after -> publish(after, () -> create.replyTo().tell(new Created(key))))
                .thenNoReply();
    }

    private ReplyEffect<Event, TenantKeys> onRevoke(TenantKeys keys, Revoke revoke) {
        Optional<TenantKey> key = keys.find(revoke.id());
        if (key.isEmpty()) {
            return Effect().reply(revoke.replyTo(), new UnknownKey());
        }
        if (!key.get().active()) {
            return Effect().reply(revoke.replyTo(), new Revoked(key.get()));
        }
        return Effect().persist((Event) new KeyRevoked(revoke.id(), clock.instant()))
                .thenRun(after -> publish(after, () -> revoke.replyTo().tell(new Revoked(after.find(revoke.id())
                        .orElseThrow()))))
                .thenNoReply();
    }

    private void publish(TenantKeys keys, Runnable written) {
        replicator.tell(new KeysReplicator.Publish(tenant, keys, written));
    }

    @Override
    public EventHandler<TenantKeys, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(KeyCreated.class, (keys, e) -> keys.with(e.key()))
                .onEvent(KeyRevoked.class, (keys, e) -> keys.find(e.id())
                        .map(k -> keys.replaced(k.revoked(e.at()))).orElse(keys))
                .build();
    }

    @Override
    public SignalHandler<TenantKeys> signalHandler() {
        // After a full restart Distributed Data starts empty, and a change may have been persisted
        // by a node that stopped before it was replicated: the journal is the truth.
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), keys -> {
                    if (keys.version() > 0) {
                        publish(keys, () -> { });
                    }
                })
                .build();
    }
}

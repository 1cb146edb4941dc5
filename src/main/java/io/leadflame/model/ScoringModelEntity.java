package io.leadflame.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.leadflame.cluster.ReachableRegionsAllocation;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A tenant's scoring model: the single writer of its versions (one per tenant in the cluster).
 * Each accepted change is persisted as a new version and handed to the node's
 * {@link ModelReplicator}, which spreads it to every node, where it starts the rescoring of the
 * tenant's contacts. The nodes report their progress back here.
 */
public final class ScoringModelEntity
        extends EventSourcedBehaviorWithEnforcedReplies<ScoringModelEntity.Command, ScoringModelEntity.Event,
        ScoringModelEntity.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "ScoringModel");

    public sealed interface Command extends CborSerializable {
    }

    /** Replies with the current version. */
    public record Get(ActorRef<PublishedModel> replyTo) implements Command {
    }

    /**
     * Publishes a new version (a model already validated, in its {@link StoredModel} form), if
     * the current version is {@code expectedVersion} when one is given.
     *
     * @param by           who publishes it, as the model's history shows it (an API key's name);
     *                     empty when the API asks for no key
     * @param restoredFrom the earlier version it brings back, for a restore
     */
    public record Put(String stored, Optional<Long> expectedVersion, Optional<String> by,
                      Optional<Long> restoredFrom, ActorRef<PutResult> replyTo) implements Command {
        public Put(String stored, Optional<Long> expectedVersion, ActorRef<PutResult> replyTo) {
            this(stored, expectedVersion, Optional.empty(), Optional.empty(), replyTo);
        }
    }

    public sealed interface PutResult extends CborSerializable {
    }

    public record Published(PublishedModel model) implements PutResult {
    }

    public record VersionMismatch(long currentVersion) implements PutResult {
    }

    /** Replies with the progress of the latest version's rescoring. */
    public record GetRescoring(ActorRef<RescoringStatus> replyTo) implements Command {
    }

    /** One node's progress in rescoring its contacts for a version. */
    public record RescoringReport(long version, String node, long contacts, long rescored, boolean done,
                                  Instant at) implements Command {
    }

    public sealed interface Event extends CborSerializable {
    }

    /**
     * A new version; every one stays in the journal (no snapshots, no deletion), which is the
     * model's history ({@link ModelHistory}).
     *
     * @param stored       the model in its {@link StoredModel} form (see {@link PublishedModel#stored()})
     * @param by           who published it (an API key's name, {@code operator}); null when the API
     *                     asked for no key, and in versions written before it was recorded
     * @param restoredFrom the earlier version it restored; null for an ordinary change
     */
    public record ModelChanged(long version, @JsonAlias("modelJson") String stored, Instant updatedAt, String by,
                               Long restoredFrom) implements Event {
        public ModelChanged(long version, String stored, Instant updatedAt) {
            this(version, stored, updatedAt, null, null);
        }
    }

    /**
     * The rescoring of {@code version} finished on every node, as {@code GET /model/rescoring}
     * showed it then: kept so that a restart shows that finished job, not the re-reading of the
     * stored model that every node does when it starts.
     */
    public record RescoringCompleted(long version, long contacts, long rescored, Instant completedAt)
            implements Event {
    }

    /**
     * @param current   the current version
     * @param completed the finished rescoring of {@code current}, once there is one
     */
    public record State(PublishedModel current, Optional<RescoringCompleted> completed) implements CborSerializable {
        State(PublishedModel current) {
            this(current, Optional.empty());
        }
    }

    public static void init(ActorSystem<?> system, ActorRef<ModelReplicator.Command> replicator) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                ctx -> create(ctx.getEntityId(), replicator, Clock.systemUTC()))
                .withAllocationStrategy(ReachableRegionsAllocation.fromConfig(system.settings().config())));
    }

    /**
     * Publishes the default model (no rules) under {@code key} unless it is current already: what
     * deleting a named score or a tenant does to its models. The versions before stay in the
     * model's history.
     *
     * @return whether a version was published
     */
    public static CompletionStage<Boolean> resetToDefault(ClusterSharding sharding, String key, Optional<String> by,
                                                          Duration timeout) {
        return resetToDefault(sharding, key, by, timeout, 5);
    }

    /** Conditional on the version read, read again when another change came in between. */
    private static CompletionStage<Boolean> resetToDefault(ClusterSharding sharding, String key, Optional<String> by,
                                                           Duration timeout, int attempts) {
        var model = sharding.entityRefFor(TYPE_KEY, key);
        return model.<PublishedModel>ask(Get::new, timeout).thenCompose(current -> current.isDefault()
                ? CompletableFuture.completedFuture(false)
                : model.<PutResult>ask(replyTo -> new Put(StoredModel.write(ScoringModel.DEFAULT),
                        Optional.of(current.version()), by, Optional.empty(), replyTo), timeout)
                .thenCompose(result -> result instanceof Published || attempts <= 1
                        ? CompletableFuture.completedFuture(result instanceof Published)
                        : resetToDefault(sharding, key, by, timeout, attempts - 1)));
    }

    public static Behavior<Command> create(String tenant, ActorRef<ModelReplicator.Command> replicator, Clock clock) {
        return Behaviors.setup(
                ctx -> new ScoringModelEntity(ctx.getSystem(), tenant, replicator, clock));
    }

    private final ActorSystem<?> system;
    private final String tenant;
    private final ActorRef<ModelReplicator.Command> replicator;
    private final Clock clock;
    /** Progress reports for the current version, by node; not persisted: nodes report again after a restart. */
    private final Map<String, RescoringReport> reports = new HashMap<>();

    private ScoringModelEntity(ActorSystem<?> system, String tenant, ActorRef<ModelReplicator.Command> replicator,
                               Clock clock) {
        super(PersistenceId.of(TYPE_KEY.name(), tenant),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.system = system;
        this.tenant = tenant;
        this.replicator = replicator;
        this.clock = clock;
    }

    @Override
    public State emptyState() {
        return new State(PublishedModel.initial(tenant));
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state.current()))
                .onCommand(Put.class, this::onPut)
                .onCommand(GetRescoring.class, (state, get) -> Effect().reply(get.replyTo(), status(state)))
                .onCommand(RescoringReport.class, this::onReport)
                .build();
    }

    private ReplyEffect<Event, State> onPut(State state, Put put) {
        long current = state.current().version();
        if (put.expectedVersion().isPresent() && put.expectedVersion().get() != current) {
            return Effect().reply(put.replyTo(), new VersionMismatch(current));
        }
        return Effect().persist(new ModelChanged(current + 1, put.stored(), clock.instant(), put.by().orElse(null),
                        put.restoredFrom().orElse(null)))
                .thenRun(after -> {
                    reports.clear();
                    replicator.tell(new ModelReplicator.Publish(after.current()));
                })
                .thenReply(put.replyTo(), after -> new Published(after.current()));
    }

    private ReplyEffect<Event, State> onReport(State state, RescoringReport report) {
        if (report.version() != state.current().version() || state.completed().isPresent()) {
            // An older version's, or one of the nodes re-reading a finished version at start.
            return Effect().noReply();
        }
        reports.put(report.node(), report);
        RescoringStatus status = status(state);
        if (!status.done()) {
            return Effect().noReply();
        }
        return Effect().persist(new RescoringCompleted(status.version(), status.contacts(), status.rescored(),
                status.completedAt().orElseGet(clock::instant))).thenNoReply();
    }

    private RescoringStatus status(State state) {
        PublishedModel current = state.current();
        if (current.version() == 0) {
            return RescoringStatus.NONE;
        }
        if (state.completed().isPresent()) {
            RescoringCompleted c = state.completed().get();
            return new RescoringStatus(c.version(), c.contacts(), c.rescored(), true, current.updatedAt(),
                    Optional.of(c.completedAt()));
        }
        Set<String> upNodes = upNodes();
        long contacts = 0;
        long rescored = 0;
        Instant completedAt = null;
        for (RescoringReport r : reports.values()) {
            contacts += r.contacts();
            rescored += r.rescored();
            if (r.done() && (completedAt == null || r.at().isAfter(completedAt))) {
                completedAt = r.at();
            }
        }
        boolean done = !upNodes.isEmpty() && upNodes.stream()
                .allMatch(n -> reports.containsKey(n) && reports.get(n).done());
        return new RescoringStatus(current.version(), contacts, rescored, done, current.updatedAt(),
                done ? Optional.ofNullable(completedAt) : Optional.empty());
    }

    /** The nodes expected to report: every member that is Up now. */
    private Set<String> upNodes() {
        Set<String> up = new HashSet<>();
        Cluster.get(system).state().getMembers().forEach(m -> {
            if (m.status() == MemberStatus.up()) {
                up.add(m.address().toString());
            }
        });
        return up;
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(ModelChanged.class, (state, e) -> new State(
                        new PublishedModel(tenant, e.version(), e.stored(), Optional.of(e.updatedAt()))))
                .onEvent(RescoringCompleted.class, (state, e) -> e.version() == state.current().version()
                        ? new State(state.current(), Optional.of(e)) : state)
                .build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        // After a full restart Distributed Data starts empty: the stored version is the truth.
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.current().version() > 0) {
                        replicator.tell(new ModelReplicator.Publish(state.current()));
                    }
                })
                .build();
    }
}

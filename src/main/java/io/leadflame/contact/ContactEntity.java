package io.leadflame.contact;

import io.leadflame.CborSerializable;
import io.leadflame.Settings;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.VersionedModel;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.Scorer;
import io.leadflame.scoring.Values;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.JournalPersistRejected;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

import scala.Tuple2;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One contact of one tenant: a sharded, event-sourced actor that persists the events it accepts
 * (never derived scores), keeps its history in memory, and keeps a timer for the next instant at
 * which its score changes by itself (an expiry, an inactivity rule starting to hold). The score
 * is computed by the pure {@link Scorer} against the tenant's current model, read from this
 * node's {@link ModelCatalog}.
 */
public final class ContactEntity
        extends EventSourcedBehaviorWithEnforcedReplies<ContactEntity.Command, ContactEntity.Event, ContactEntity.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Contact");
    private static final String SEPARATOR = "/";
    /**
     * Shared by every contact (a strategy per entity costs ~130 bytes with a million live). A
     * journal write that fails restarts the contact from its journal after a backoff.
     */
    private static final BackoffSupervisorStrategy ON_PERSIST_FAILURE =
            SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1);
    /** Timers further away than this are re-armed when they fire: the scheduler's range is limited. */
    private static final Duration LONGEST_TIMER = Duration.ofDays(7);

    /** The sharding entity id of a contact: tenant and contact id, which can contain neither '/'. */
    public static String entityId(String tenant, String contactId) {
        return tenant + SEPARATOR + contactId;
    }

    /** The prefix of the entity ids of all contacts of a tenant. */
    public static String tenantPrefix(String tenant) {
        return tenant + SEPARATOR;
    }

    public sealed interface Command extends CborSerializable {
    }

    /** Records a batch of events for this contact: replies once the new ones are persisted. */
    public record RecordEvents(List<ContactEvent> events, ActorRef<Recorded> replyTo) implements Command {
    }

    /** How many of a batch were new, and how many were already recorded (same event id). */
    public record Recorded(int accepted, int duplicates) implements CborSerializable {
    }

    /** Asks for the contact and its score at {@code at} (now when empty or past). */
    public record GetContact(Optional<Instant> at, ActorRef<ContactReply> replyTo) implements Command {
    }

    public sealed interface ContactReply extends CborSerializable {
    }

    /** A contact that has events: its score at the instant asked for, tags and fields. */
    public record ContactView(String tenant, String contactId, long modelVersion, Score score,
                              Map<String, Instant> tags, Map<String, Object> fields,
                              Instant firstSeen, Instant lastEventAt) implements ContactReply {
        public ContactView {
            // CBOR brings small integers back as Integer: keep one number type, whichever node answered.
            Map<String, Object> normalized = new TreeMap<>();
            fields.forEach((name, value) -> normalized.put(name, Values.normalize(value)));
            fields = Collections.unmodifiableMap(normalized);
        }
    }

    /** No event was ever recorded for this contact. */
    public record UnknownContact() implements ContactReply {
    }

    /** Rescore against the tenant's model now current on this node (sent after a model change). */
    public record Rescore(long version, ActorRef<Rescored> replyTo) implements Command {
    }

    public record Rescored(String entityId, long version) implements CborSerializable {
    }

    /** The timer of the next change without any new event. */
    enum ScoreDue implements Command {
        INSTANCE
    }

    /** What a contact persists: only accepted input events, never derived scores. */
    public sealed interface Event {
    }

    /**
     * The new events of one {@link RecordEvents}, as one journal row: a request's events for a
     * contact are written together, so a burst (a form submitted with its tags and fields)
     * costs one row, not one per event. Serialized by {@link ContactSerializer}.
     */
    public record EventsRecorded(List<ContactEvent> events) implements Event {
        public EventsRecorded {
            events = List.copyOf(events);
        }
    }

    /** One accepted event per row, as persisted before {@link EventsRecorded}: still read on recovery. */
    public record EventRecorded(ContactEvent event) implements Event, CborSerializable {
    }

    /** What a contact is: its history. Scores are derived from it on demand. Serialized by {@link ContactSerializer}. */
    public record State(ContactHistory history) {
        public boolean isKnown() {
            return !history.isEmpty();
        }
    }

    public static void init(ActorSystem<?> system, Settings settings) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                ctx -> create(ctx.getEntityId(), settings, Clock.systemUTC(), Optional.of(ctx.getShard()))));
    }

    /**
     * @param shard where to ask for passivation; empty outside sharding (entity tests)
     */
    public static Behavior<Command> create(String entityId, Settings settings, Clock clock,
                                           Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
        return Behaviors.setup(ctx -> new ContactEntity(ctx, entityId, settings, clock, shard));
    }

    private final ActorContext<Command> context;
    private final String entityId;
    private final String tenant;
    /** The timer of the next change without a new event (see {@link #rescore}); null when none is armed. */
    private Cancellable nextChange;
    private final Settings settings;
    private final HistoryLimits limits;
    private final Clock clock;
    private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
    private final ModelCatalog catalog;
    private final LeadflameMetrics metrics;
    /** The model version of the last rescoring; not persisted, derived again on recovery. */
    private long lastScoredVersion = -1;

    private ContactEntity(ActorContext<Command> context, String entityId,
                          Settings settings, Clock clock, Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId),
                ON_PERSIST_FAILURE);
        int slash = entityId.indexOf(SEPARATOR);
        if (slash <= 0) {
            throw new IllegalArgumentException("contact entity id must be tenant/contactId: " + entityId);
        }
        this.context = context;
        this.entityId = entityId;
        // Interned: a node holds a million contacts of a few tenants.
        this.tenant = entityId.substring(0, slash).intern();
        this.settings = settings;
        this.limits = settings.historyLimits();
        this.clock = clock;
        this.shard = shard;
        this.catalog = ModelCatalog.get(context.getSystem());
        this.metrics = LeadflameMetrics.get(context.getSystem());
    }

    @Override
    public State emptyState() {
        return new State(ContactHistory.EMPTY);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
    }

    /**
     * One switch rather than the handler builder: the builder allocates a handler case and two
     * lambdas per command type in every entity, about 350 bytes a contact with a million live.
     */
    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return (state, command) -> {
            if (command instanceof RecordEvents record) {
                return onRecord(state, record);
            } else if (command instanceof GetContact get) {
                return onGet(state, get);
            } else if (command instanceof Rescore rescore) {
                return onRescore(state, rescore);
            } else {
                rescore(state);
                return Effect().noReply();
            }
        };
    }

    private ReplyEffect<Event, State> onRecord(State state, RecordEvents cmd) {
        List<ContactEvent> fresh = new ArrayList<>(cmd.events().size());
        Set<String> idsInBatch = new HashSet<>();
        int duplicates = 0;
        for (ContactEvent e : cmd.events()) {
            boolean seen = state.history().hasSeen(e) || e.eventId().map(id -> !idsInBatch.add(id)).orElse(false);
            if (seen) {
                duplicates++;
            } else {
                fresh.add(e);
            }
        }
        Recorded reply = new Recorded(fresh.size(), duplicates);
        if (fresh.isEmpty()) {
            return Effect().reply(cmd.replyTo(), reply);
        }
        long writeStarted = System.nanoTime();
        return Effect().persist((Event) new EventsRecorded(fresh))
                .thenRun(after -> {
                    metrics.journalWrite(System.nanoTime() - writeStarted);
                    rescore(after);
                })
                .thenReply(cmd.replyTo(), after -> reply);
    }

    private ReplyEffect<Event, State> onGet(State state, GetContact get) {
        if (!state.isKnown()) {
            // Nothing to keep in memory for a contact that was only asked about.
            shard.ifPresent(s -> s.tell(new ClusterSharding.Passivate<>(context.getSelf())));
            return Effect().reply(get.replyTo(), new UnknownContact());
        }
        Instant now = clock.instant();
        Instant t = get.at().filter(at -> at.isAfter(now)).orElse(now);
        VersionedModel model = catalog.modelOf(tenant);
        ContactHistory h = state.history();
        String contactId = entityId.substring(tenant.length() + SEPARATOR.length());
        return Effect().reply(get.replyTo(), new ContactView(tenant, contactId, model.version(),
                Scorer.score(model.model(), h, t), h.tagsAt(t), h.fieldsAt(t),
                h.firstSeen().orElseThrow(), h.lastEventAt().orElseThrow()));
    }

    private ReplyEffect<Event, State> onRescore(State state, Rescore rescore) {
        if (!state.isKnown()) {
            // Only asked about (and not yet passivated), or started by this very message: nothing
            // to score. Answer for the version asked, or the rescoring would wait for it forever;
            // and stop, or remember-entities would keep it (and count it) in every rescoring.
            shard.ifPresent(s -> s.tell(new ClusterSharding.Passivate<>(context.getSelf())));
            return Effect().reply(rescore.replyTo(), new Rescored(entityId, rescore.version()));
        }
        rescore(state);
        return Effect().reply(rescore.replyTo(), new Rescored(entityId, lastScoredVersion));
    }

    /** Scores the contact now against the current model and arms the timer of its next change. */
    private void rescore(State state) {
        if (!state.isKnown()) {
            return;
        }
        VersionedModel model = catalog.modelOf(tenant);
        Instant now = clock.instant();
        Optional<Instant> nextChangeAt = Scorer.nextChangeAt(model.model(), state.history(), now);
        lastScoredVersion = model.version();
        cancelNextChange();
        nextChangeAt.ifPresent(next -> {
            Duration delay = Duration.between(now, next);
            // The change is due at `next` exactly (half-open periods): fire just after it.
            Duration armed = delay.compareTo(LONGEST_TIMER) > 0 ? LONGEST_TIMER : delay.plusMillis(1);
            nextChange = context.scheduleOnce(armed, context.getSelf(), ScoreDue.INSTANCE);
        });
    }

    /** One lambda rather than the handler builder, for the same reason as {@link #commandHandler()}. */
    private void cancelNextChange() {
        if (nextChange != null) {
            nextChange.cancel();
            nextChange = null;
        }
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return (state, event) -> {
            List<ContactEvent> events = event instanceof EventsRecorded recorded
                    ? recorded.events() : List.of(((EventRecorded) event).event());
            Instant now = clock.instant();
            ContactHistory h = state.history();
            for (ContactEvent e : events) {
                h = h.record(e, now, limits);
            }
            if (h.exceeds(limits)) {
                h = h.forgetBeyond(catalog.modelOf(tenant).model(), now, limits);
            }
            return new State(h);
        };
    }

    /**
     * One partial function rather than the handler builder, whose chain of {@code orElse}
     * wrappers cost about 250 bytes a contact.
     */
    @Override
    public SignalHandler<State> signalHandler() {
        return new SignalHandler<>(new Signals());
    }

    private final class Signals extends AbstractPartialFunction<Tuple2<State, Signal>, BoxedUnit> {
        @Override
        public boolean isDefinedAt(Tuple2<State, Signal> stateAndSignal) {
            Signal signal = stateAndSignal._2();
            return signal instanceof RecoveryCompleted || signal instanceof JournalPersistFailed
                    || signal instanceof JournalPersistRejected || signal instanceof PostStop;
        }

        @Override
        public BoxedUnit apply(Tuple2<State, Signal> stateAndSignal) {
            Signal signal = stateAndSignal._2();
            if (signal instanceof RecoveryCompleted) {
                // Timers do not survive a restart: derive the next change again from the recovered history.
                rescore(stateAndSignal._1());
            } else if (signal instanceof JournalPersistFailed || signal instanceof JournalPersistRejected) {
                // The write's reply is lost (the contact restarts from its journal): the HTTP edge
                // answers 503 and the client retries with the same event ids.
                metrics.journalWriteFailed();
            } else if (signal instanceof PostStop) {
                // A stopped contact (moved to another node, passivated) must not get its timer as a dead letter.
                cancelNextChange();
            }
            return BoxedUnit.UNIT;
        }
    }
}

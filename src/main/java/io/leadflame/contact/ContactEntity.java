package io.leadflame.contact;

import io.leadflame.serialization.CborSerializable;
import io.leadflame.config.Settings;
import io.leadflame.leads.Lead;
import io.leadflame.leads.NamedScores;
import io.leadflame.leads.Standing;
import io.leadflame.changes.ScoreChange;
import io.leadflame.cluster.ReachableRegionsAllocation;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.ScoreNames;
import io.leadflame.model.VersionedModel;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.Instants;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.ScoreHistory;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.Scorer;
import io.leadflame.scoring.Values;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.JournalPersistRejected;
import org.apache.pekko.persistence.typed.PersistenceId;
import io.leadflame.persistence.JournalEraser;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
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
        extends EventSourcedBehaviorWithEnforcedReplies<ContactEntity.Command, ContactEntity.Event, ContactHistory> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Contact");
    private static final String SEPARATOR = "/";
    /** Timers further away than this are re-armed when they fire: the scheduler's range is limited. */
    private static final Duration LONGEST_TIMER = Duration.ofDays(7);
    /**
     * A score whose rules times activities reach this is kept while it holds ({@link #scoreAt}):
     * about 5 ms of scoring on the 2-core VM (1,000 rules over 20,000 activities took 750 ms).
     */
    private static final long KEEP_SCORES_COSTING = 200_000;

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

    /**
     * How many of a batch were new, and how many were already recorded (same event id); or, when
     * {@code failed}, that the journal did not take the batch (nothing of it was recorded; the
     * contact stops and starts again from its journal). {@code entityId} says which contact
     * answers, so that a request sent again to a contact counts only its first answer; null from
     * a node of a version before it.
     */
    public record Recorded(int accepted, int duplicates, boolean failed, String entityId) implements CborSerializable {
        static Recorded failed(String entityId) {
            return new Recorded(0, 0, true, entityId);
        }

        public Recorded(int accepted, int duplicates, String entityId) {
            this(accepted, duplicates, false, entityId);
        }
    }

    /**
     * Asks for the contact and its score at {@code at} (now when empty or past).
     *
     * @param model the key of the model to score under: one of the tenant's named scores
     *              ({@link io.leadflame.model.ScoreNames}); null for its default score
     */
    public record GetContact(Optional<Instant> at, String model, ActorRef<ContactReply> replyTo) implements Command {
        public GetContact(Optional<Instant> at, ActorRef<ContactReply> replyTo) {
            this(at, null, replyTo);
        }
    }

    public sealed interface ContactReply extends CborSerializable {
    }

    /** Asks for the contact's score over the last {@code days} days ({@link ScoreHistory}); {@code model} as in {@link GetContact}. */
    public record GetHistory(int days, String model, ActorRef<ContactReply> replyTo) implements Command {
        public GetHistory(int days, ActorRef<ContactReply> replyTo) {
            this(days, null, replyTo);
        }
    }

    /** A contact's score over time under the tenant's current model. */
    public record ContactTimeline(String contactId, long modelVersion, ScoreHistory.Timeline timeline,
                                  long velocity7Days) implements ContactReply {
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

    /**
     * Rescore against the tenant's model now current on this node (sent after a model change).
     * {@code job} and {@code seq} are the asker's, handed back in the answer: a rescoring of a
     * million contacts matches each answer to its request by them, not by entity id.
     *
     * @param job a rescoring's id (random, not 0), or 0 for a request outside any
     * @param seq the contact's number in that rescoring
     */
    public record Rescore(long version, int job, int seq, ActorRef<Rescored> replyTo) implements Command {
        /** A request outside any rescoring job (a test's, say). */
        public Rescore(long version, ActorRef<Rescored> replyTo) {
            this(version, 0, 0, replyTo);
        }

        /** The answer to this request: the contact scored under {@code scoredVersion}. */
        public Rescored answer(String entityId, long scoredVersion) {
            return new Rescored(entityId, scoredVersion, job, seq, false);
        }

        /** The answer of a contact that answered this job under another number already. */
        public Rescored listedTwice(String entityId, long scoredVersion) {
            return new Rescored(entityId, scoredVersion, job, seq, true);
        }
    }

    /**
     * @param listedTwice the contact answered the same job under another number: the job listed it
     *                    twice (it read the call-list index while the contact moved in it), and
     *                    counts it once
     */
    public record Rescored(String entityId, long version, int job, int seq, boolean listedTwice)
            implements CborSerializable {
        public Rescored(String entityId, long version) {
            this(entityId, version, 0, 0, false);
        }
    }

    /**
     * Erases the contact (a right to be forgotten): its rows leave the journal, its lead the call
     * list; replies once that is committed. A later event starts a new contact.
     */
    public record Erase(ActorRef<ErasureResult> replyTo) implements Command {
    }

    public sealed interface ErasureResult extends CborSerializable {
    }

    /** Erased; {@code existed}: it had recorded events. */
    public record Erased(boolean existed) implements ErasureResult {
    }

    /** The journal did not take the deletion: nothing was erased, the contact is as before. */
    public record ErasureFailed(String reason) implements ErasureResult {
    }

    /** Sharding's message to stop (hand-off, passivation): waits while an erasure runs. */
    enum Stop implements Command {
        INSTANCE
    }

    /** The journal's answer to an {@link Erase} (to itself). */
    private record ErasureDone(Throwable failure, boolean existed, ActorRef<ErasureResult> replyTo)
            implements Command {
    }

    /**
     * The timer of the next change without any new event; also sent by a rescoring that placed
     * the contact's lead under a model whose next change comes before the timer.
     */
    public enum ScoreDue implements Command {
        INSTANCE
    }

    /** What a contact persists: only accepted input events, never derived scores. */
    public sealed interface Event {
    }

    /**
     * The new events of one {@link RecordEvents}, as one journal row: a request's events for a
     * contact are written together, so a burst (a form submitted with its tags and fields)
     * costs one row, not one per event. Serialized by {@link ContactSerializer}.
     *
     * @param recordedAt when they were accepted: the "now" of recording them (which superseded
     *                   changes may be folded together), carried by the event so that replaying it
     *                   never depends on the clock at replay
     */
    public record EventsRecorded(List<ContactEvent> events, Instant recordedAt) implements Event {
        public EventsRecorded {
            events = List.copyOf(events);
        }

        /**
         * A row written before rows carried their time: its earliest event's instant stands in,
         * which folds the least together (anything later stays distinct).
         */
        public static EventsRecorded withoutTime(List<ContactEvent> events) {
            return new EventsRecorded(events, events.stream().map(ContactEvent::occurredAt)
                    .min(Instant::compareTo).orElse(Instant.EPOCH));
        }
    }

    /**
     * Activities forgotten by a compaction (beyond the history limits, and never counted again
     * by the model of the moment): decided by the contact under its model and clock, applied by
     * the event handler as it is, so that a replay forgets exactly the same.
     */
    public record ActivitiesForgotten(List<ContactHistory.ForgottenActivity> activities) implements Event {
        public ActivitiesForgotten {
            activities = List.copyOf(activities);
        }
    }

    /** Compact the history now (sent to itself after a write left it beyond the limits). */
    enum Compact implements Command {
        INSTANCE
    }

    /** One accepted event per row, as persisted before {@link EventsRecorded}: still read on recovery. */
    public record EventRecorded(ContactEvent event) implements Event, CborSerializable {
    }

    /**
     * Whether this node's contact region is started: a node starts it only once it has read the
     * tenants' models (see {@code Leadflame}), and sharding refuses a message to a type not started.
     */
    public static boolean started(ActorSystem<?> system) {
        return org.apache.pekko.cluster.sharding.ClusterSharding.get(Adapter.toClassic(system))
                .getShardTypeNames().contains(TYPE_KEY.name());
    }

    /** Starts this node's contact region, the contacts spread over {@code shards} shards ({@link ContactShards}). */
    public static void init(ActorSystem<?> system, Settings settings, int shards) {
        Node node = Node.of(system, settings, Clock.systemUTC());
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> {
            // Not the entity context itself: the behavior keeps what it captures for the contact's life.
            String entityId = ctx.getEntityId();
            ActorRef<ClusterSharding.ShardCommand> shard = ctx.getShard();
            return Behaviors.setup(c -> new ContactEntity(c, entityId, node, shard));
        }).withStopMessage(Stop.INSTANCE)
                .withMessageExtractor(new HashCodeMessageExtractor<Command>(shards))
                .withAllocationStrategy(ReachableRegionsAllocation.fromConfig(system.settings().config())));
    }

    /**
     * @param shard where to ask for passivation; empty outside sharding (entity tests)
     */
    public static Behavior<Command> create(String entityId, Settings settings, Clock clock,
                                           Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
        return Behaviors.setup(ctx ->
                new ContactEntity(ctx, entityId, Node.of(ctx.getSystem(), settings, clock), shard.orElse(null)));
    }

    /**
     * What every contact of a node shares, built once: a reference each instead of one per
     * setting (a node holds a million contacts).
     */
    private record Node(HistoryLimits limits, Clock clock, ModelCatalog catalog, ContactEffects effects,
                        Standing.Placement placement, LeadflameMetrics metrics, RetentionCriteria retention,
                        ActorSystem<?> system, ContactRecovery recovery, ContactFailures failures) {
        static Node of(ActorSystem<?> system, Settings settings, Clock clock) {
            // Without the call list (a measurement switch), no index and no change is published.
            ContactEffects effects = settings.callList() ? ContactEffects.of(system) : ContactEffects.NONE;
            return new Node(settings.historyLimits(), clock, ModelCatalog.get(system), effects, effects::placed,
                    LeadflameMetrics.get(system), RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2), system,
                    ContactRecovery.get(system), ContactFailures.get(system));
        }
    }

    private final ActorContext<Command> context;
    private final String entityId;
    private final String tenant;
    /** The timer of the next change without a new event (see {@link #rescore}); null when none is armed. */
    private Cancellable nextChange;
    private final Node node;
    /** Where to ask for passivation; null outside sharding (entity tests). */
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    /**
     * Where this contact stands: its lead in the node's call list, the model version of its last
     * scoring (not persisted, derived again on recovery; {@link Standing#PROVISIONAL} when that
     * was against a stand-in for a model the node was still reading, whose score is no score to
     * change from), the instant its timer is armed for and the rescoring it last answered.
     * Shared with the node's rescoring, which places leads through it without a message.
     */
    private final Standing standing;
    /** The last score, when it was slow to compute and may be asked again; null for most contacts. */
    private KeptScore kept;
    /** Who waits for the write in flight (one at a time: commands wait while it persists). */
    private ActorRef<Recorded> writing;
    /** Where an erasure is (see {@link #onErasure}): a byte, with a million contacts live. */
    private byte erasure;
    /** It had events when it recovered: counted as back by {@link ContactRecovery} until it stops. */
    private boolean back;
    /** Its rows are being deleted: every command waits. */
    private static final byte ERASING = 1;
    /** Its rows are deleted: it is stopping, and commands go on to its next incarnation. */
    private static final byte ERASED = 2;

    private ContactEntity(ActorContext<Command> context, String entityId, Node node,
                          ActorRef<ClusterSharding.ShardCommand> shard) {
        // No restart supervisor of its own (its behaviors cost ~90 bytes a contact): a contact
        // whose journal write fails stops, and sharding's remember-entities starts it again from
        // its journal on its next message, or after entity-restart-backoff (JournalFailureTest).
        super(PersistenceId.of(TYPE_KEY.name(), entityId));
        int slash = entityId.indexOf(SEPARATOR);
        if (slash <= 0) {
            throw new IllegalArgumentException("contact entity id must be tenant/contactId: " + entityId);
        }
        this.context = context;
        this.entityId = entityId;
        // Interned: a node holds a million contacts of a few tenants.
        this.tenant = entityId.substring(0, slash).intern();
        this.node = node;
        this.shard = shard;
        this.standing = new Standing(context.getSelf());
    }

    /**
     * What a contact is: its history (scores are derived from it on demand), held as the state
     * itself, without a wrapper: a million live contacts. Snapshots by {@link ContactSerializer}.
     */
    @Override
    public ContactHistory emptyState() {
        return ContactHistory.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return node.retention();
    }

    /**
     * One switch rather than the handler builder: the builder allocates a handler case and two
     * lambdas per command type in every entity, about 350 bytes a contact with a million live.
     */
    @Override
    public CommandHandlerWithReply<Command, Event, ContactHistory> commandHandler() {
        return (state, command) -> {
            if (command == Stop.INSTANCE) {
                // Sharding's hand-off or passivation: not in the middle of an erasure, whose
                // deletion a new incarnation elsewhere could otherwise overtake.
                return erasure == ERASING ? Effect().stash() : Effect().stop().thenNoReply();
            }
            if (erasure != 0 || command instanceof Erase || command instanceof ErasureDone) {
                return onErasure(state, command);
            }
            if (command instanceof RecordEvents record) {
                return onRecord(state, record);
            } else if (command instanceof GetContact get) {
                return onGet(state, get);
            } else if (command instanceof GetHistory get) {
                return onGetHistory(state, get);
            } else if (command instanceof Rescore rescore) {
                return onRescore(state, rescore);
            } else if (command == Compact.INSTANCE) {
                return onCompact(state);
            } else {
                // ScoreDue: the timer fired, so whatever it was armed for is spent. Named scores
                // compare with just before the instant it was armed for: nothing changed before it.
                // Woken before it (a rescoring that found an earlier change): as of now.
                long due = standing.nextChangeNanos();
                long now = Instants.nanos(node.clock().instant());
                cancelNextChange();
                rescore(state, ScoreChange.Reason.EXPIRY, state, due == Standing.NO_TIMER || due > now
                        ? Long.MIN_VALUE : due - 1);
                return Effect().noReply();
            }
        };
    }

    /**
     * Erasure: while the rows are deleted every other command waits (stashed); once they are
     * gone the contact asks to stop and sends what waited to its next incarnation, through
     * sharding, which holds it until this one has stopped and then starts one from the (now
     * empty) journal. So an event that arrives meanwhile is never written on top of the erased
     * history, nor lost. If the deletion fails, nothing was deleted and the contact goes on.
     */
    private ReplyEffect<Event, ContactHistory> onErasure(ContactHistory state, Command command) {
        // No snapshot can be written meanwhile: Pekko stashes commands while it stores one, so an
        // Erase runs only after the snapshot a write triggered is in the table, to be deleted too.
        if (command instanceof Erase erase && erasure == 0) {
            erasure = ERASING;
            cancelNextChange();
            standing.place(tenant, null, standing.scoredVersion(), node.placement());
            boolean existed = !state.isEmpty();
            context.pipeToSelf(JournalEraser.get(node.system()).erase(PersistenceId.of(TYPE_KEY.name(), entityId)),
                    (done, failure) -> new ErasureDone(failure, existed, erase.replyTo()));
            return Effect().noReply();
        }
        if (command instanceof ErasureDone done) {
            erasure = 0;
            if (done.failure() != null) {
                rescore(state, null);
                return Effect().reply(done.replyTo(), (ErasureResult) new ErasureFailed(done.failure().getMessage()))
                        .thenUnstashAll();
            }
            erasure = ERASED;
            if (back) {
                node.recovery().erased();
            }
            passivate();
            return Effect().reply(done.replyTo(), (ErasureResult) new Erased(done.existed())).thenUnstashAll();
        }
        if (erasure == ERASING) {
            return Effect().stash();
        }
        // Erased, stopping: the next incarnation answers (timers of this one are spent).
        if (!(command instanceof ScoreDue) && command != Compact.INSTANCE && shard != null) {
            ClusterSharding.get(node.system()).entityRefFor(TYPE_KEY, entityId).tell(command);
        }
        return Effect().noReply();
    }

    private ReplyEffect<Event, ContactHistory> onRecord(ContactHistory state, RecordEvents cmd) {
        List<ContactEvent> fresh = new ArrayList<>(cmd.events().size());
        Set<String> idsInBatch = new HashSet<>();
        int duplicates = 0;
        for (ContactEvent e : cmd.events()) {
            boolean seen = state.hasSeen(e) || e.eventId().map(id -> !idsInBatch.add(id)).orElse(false);
            if (seen) {
                duplicates++;
            } else {
                fresh.add(e);
            }
        }
        Recorded reply = new Recorded(fresh.size(), duplicates, entityId);
        if (fresh.isEmpty()) {
            return Effect().reply(cmd.replyTo(), reply);
        }
        long writeStarted = System.nanoTime();
        writing = cmd.replyTo();
        return Effect().persist((Event) new EventsRecorded(fresh, node.clock().instant()))
                .thenRun(after -> {
                    writing = null;
                    node.metrics().journalWrite(System.nanoTime() - writeStarted);
                    // Durable now: the answer need not wait for the scoring (seconds for a
                    // contact with thousands of activities under a thousand rules).
                    cmd.replyTo().tell(reply);
                    rescore(after, ScoreChange.Reason.EVENT, state, Long.MIN_VALUE);
                    compactIfWorthIt(after);
                })
                .thenNoReply();
    }

    private ReplyEffect<Event, ContactHistory> onGet(ContactHistory state, GetContact get) {
        if (state.isEmpty()) {
            // Nothing to keep in memory for a contact that was only asked about.
            passivate();
            return Effect().reply(get.replyTo(), new UnknownContact());
        }
        Instant now = node.clock().instant();
        Optional<Instant> projected = get.at().filter(at -> at.isAfter(now));
        Instant t = projected.orElse(now);
        VersionedModel model = node.catalog().modelOf(modelKey(get.model()));
        String contactId = entityId.substring(tenant.length() + SEPARATOR.length());
        // Only the default score's is kept (scoreAt): a named score's is computed each time.
        boolean keep = projected.isEmpty() && get.model() == null;
        return Effect().reply(get.replyTo(), new ContactView(tenant, contactId, model.version(),
                scoreAt(model, state, t, keep), state.tagsAt(t), state.fieldsAt(t),
                state.firstSeen().orElseThrow(), state.lastEventAt().orElseThrow()));
    }

    private ReplyEffect<Event, ContactHistory> onGetHistory(ContactHistory state, GetHistory get) {
        if (state.isEmpty()) {
            passivate();
            return Effect().reply(get.replyTo(), new UnknownContact());
        }
        Instant now = node.clock().instant();
        VersionedModel model = node.catalog().modelOf(modelKey(get.model()));
        String contactId = entityId.substring(tenant.length() + SEPARATOR.length());
        // Off the contact's thread (its history is immutable): a long window of decaying points
        // takes a while to walk, and the contact must keep taking writes meanwhile.
        CompletableFuture.supplyAsync(() -> new ContactTimeline(contactId, model.version(),
                        ScoreHistory.timeline(model.model(), state, now.minus(Duration.ofDays(get.days())), now),
                        ScoreHistory.velocity(model.model(), state, now, Duration.ofDays(7))), ForkJoinPool.commonPool())
                .thenAccept(get.replyTo()::tell);
        return Effect().noReply();
    }

    /**
     * The key of the model a question asks to score under: a named score of this contact's
     * tenant, or its default score (null, or a key that is not this tenant's).
     */
    private String modelKey(String asked) {
        return asked != null && ScoreNames.tenantOf(asked).equals(tenant) ? asked : tenant;
    }

    private ReplyEffect<Event, ContactHistory> onRescore(ContactHistory state, Rescore rescore) {
        if (!standing.countIn(rescore.job(), rescore.seq())) {
            return Effect().reply(rescore.replyTo(), rescore.listedTwice(entityId, standing.scoredVersion()));
        }
        if (state.isEmpty()) {
            // Only asked about (and not yet passivated), or started by this very message: nothing
            // to score. Answer for the version asked, or the rescoring would wait for it forever;
            // and stop, or remember-entities would keep it (and count it) in every rescoring.
            passivate();
            return Effect().reply(rescore.replyTo(), rescore.answer(entityId, rescore.version()));
        }
        rescore(state, ScoreChange.Reason.MODEL);
        compactIfWorthIt(state);
        return Effect().reply(rescore.replyTo(), rescore.answer(entityId, standing.scoredVersion()));
    }

    /**
     * Forgets what the limits do not keep and none of the tenant's models (its default score's and
     * its named scores') can ever count again, by persisting that decision
     * ({@link ActivitiesForgotten}). Only under the tenant's real models: under a stand-in (the
     * node still reading its models at start, a stored model it cannot read) it would drop what
     * the real rules still count.
     */
    private ReplyEffect<Event, ContactHistory> onCompact(ContactHistory state) {
        if (!state.exceeds(node.limits()) || !node.catalog().knowsEveryScoreOf(tenant)) {
            return Effect().noReply();
        }
        Instant now = node.clock().instant();
        List<ContactHistory.ForgottenActivity> gone = state.forgettable(node.catalog().modelOf(tenant).model(), now,
                node.limits());
        // Only what no score counts: each named score's model keeps what it needs too.
        for (ModelCatalog.NamedScore named : node.catalog().named(tenant)) {
            if (gone.isEmpty()) {
                break;
            }
            Set<ContactHistory.ForgottenActivity> alsoHere = new HashSet<>(
                    state.forgettable(named.model().model(), now, node.limits()));
            gone = gone.stream().filter(alsoHere::contains).toList();
        }
        if (gone.isEmpty()) {
            return Effect().noReply();
        }
        // The score does not change (forgettable keeps what the model counts); rescoring without
        // a reason moves the call list's copy of the history to the smaller one.
        return Effect().persist((Event) new ActivitiesForgotten(gone))
                .thenRun(after -> rescore(after, null))
                .thenNoReply();
    }

    private void compactIfWorthIt(ContactHistory state) {
        if (state.worthCompacting(node.limits()) && node.catalog().knowsEveryScoreOf(tenant)) {
            context.getSelf().tell(Compact.INSTANCE);
        }
    }

    private void passivate() {
        if (shard != null) {
            shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        }
    }

    /**
     * Scores the contact now against the current model, hands its new place and what changed to
     * the node's {@link ContactEffects} (call list, live changes, webhooks), and arms the timer
     * of its next change.
     *
     * @param reason why the score may have changed; null after recovery, which changes nothing
     */
    private void rescore(ContactHistory state, ScoreChange.Reason reason) {
        rescore(state, reason, null, Long.MIN_VALUE);
    }

    /**
     * @param was      the history the named scores changed from (the one before an event, or the
     *                 same one for a change in time), or null when they did not change: recovery,
     *                 compaction, a change of the default model
     * @param wasNanos when {@code was} scored as it did (epoch nanoseconds), or
     *                 {@link Long#MIN_VALUE} for now
     */
    private void rescore(ContactHistory state, ScoreChange.Reason reason, ContactHistory was, long wasNanos) {
        if (state.isEmpty()) {
            return;
        }
        boolean known = node.catalog().knows(tenant);
        if (!known && reason != null && node.effects().tracksScores()) {
            // The node is still reading the tenant's model (its start): an event's score under a
            // stand-in would be no score to publish. The event is persisted; the contact keeps
            // its place as recovered, and the rescoring under the real model compares with it.
            // A contact without a place is not in the index the rescoring reads: it says it
            // waits, then looks again, so that either it sees the model or the rescoring sees it.
            if (standing.lead() == null) {
                node.effects().awaitingModel(tenant, entityId);
                known = node.catalog().knows(tenant);
            }
            if (!known) {
                standing.provisional();
                return;
            }
        }
        VersionedModel model = node.catalog().modelOf(tenant);
        long version = known ? model.version() : Standing.PROVISIONAL;
        Instant now = node.clock().instant();
        Optional<Instant> nextChangeAt;
        if (!node.effects().tracksScores()) {
            nextChangeAt = Scorer.nextChangeAt(model.model(), state, now);
            standing.place(tenant, null, version, node.placement());
        } else {
            Score score = scoreAt(model, state, now, true);
            nextChangeAt = score.nextChangeAt();
            Lead scored = Lead.of(tenant, entityId, score, state, standing);
            // Placed and published under the standing's monitor, as the node's rescoring places
            // and publishes: the two never interleave, so listeners get the changes in the order
            // the leads were placed, and the newer history wins.
            boolean placedUnderNewerModel;
            synchronized (standing) {
                placedUnderNewerModel = known && standing.scoredVersion() > model.version();
                Standing.Placed placed = placedUnderNewerModel ? null
                        : standing.place(tenant, scored, version, node.placement());
                if (reason != null && placed != null) {
                    Lead before = placed.wasProvisional() ? asRecovered(model, placed.before(), now) : placed.before();
                    // Events that came while the model was being read moved it, not the model.
                    ScoreChange.Reason why = placed.wasProvisional() && (before == null || before.history() != state)
                            ? ScoreChange.Reason.EVENT : reason;
                    ScoreChange change = Lead.changeBetween(before, placed.current(),
                            before == null ? rangeOfZero(model) : null, why, now);
                    if (change != null) {
                        node.effects().changed(change);
                    }
                }
            }
            if (placedUnderNewerModel) {
                // The rescoring placed this contact's previous history under a newer model while
                // it scored under an older one: score again under that model, rather than publish
                // a step back to the older one and then forward again.
                rescore(state, reason, was, wasNanos);
                return;
            }
            if (known && node.catalog().modelOf(tenant).version() > model.version()) {
                // A newer model arrived while this contact scored: the rescoring lists the
                // contacts from the index, and may have read it while this one was moving in it.
                rescore(state, ScoreChange.Reason.MODEL, was, wasNanos);
                return;
            }
            nextChangeAt = earlier(nextChangeAt, namedScores(state, reason, was, wasNanos, now));
        }
        if (nextChange != null && nextChangeAt.isPresent()
                && Instants.nanos(nextChangeAt.get()) == standing.nextChangeNanos()) {
            // Already armed for it, as after most events and model changes: re-arming would leave
            // a cancelled task in the scheduler's wheel until its deadline, per contact.
            return;
        }
        cancelNextChange();
        nextChangeAt.ifPresent(next -> {
            Duration delay = Duration.between(now, next);
            // The change is due at `next` exactly (half-open periods): fire just after it.
            Duration armed = delay.compareTo(LONGEST_TIMER) > 0 ? LONGEST_TIMER : delay.plusMillis(1);
            nextChange = context.scheduleOnce(armed, context.getSelf(), ScoreDue.INSTANCE);
            standing.armedFor(Instants.nanos(next));
        });
    }

    /**
     * The tenant's named scores (issue 16) of this contact now: each change from {@code before}
     * published to live streams and webhooks, as the default score's is; they are not placed in the
     * call list (a named score's list is scored when asked). A named score in the tenant's
     * deletion, or a node still reading its models, has none.
     *
     * @return the first instant one of them changes by itself, for the contact's timer
     */
    private Optional<Instant> namedScores(ContactHistory state, ScoreChange.Reason reason, ContactHistory before,
                                          long beforeNanos, Instant now) {
        List<ModelCatalog.NamedScore> named = node.catalog().named(tenant);
        if (named.isEmpty()) {
            return Optional.empty();
        }
        Instant beforeAt = beforeNanos == Long.MIN_VALUE ? now : Instants.ofNanos(beforeNanos);
        Optional<Instant> next = Optional.empty();
        for (ModelCatalog.NamedScore score : named) {
            // Only live streams and webhooks that follow a named score hear its changes: without
            // them, only its next change is computed (for the timer), as without the call list
            // for the default score.
            if (before == null || reason == null || !node.effects().namedChangesWanted(tenant, score.name())) {
                next = earlier(next, Scorer.nextChangeAt(score.model().model(), state, now));
                continue;
            }
            Score after = Scorer.score(score.model().model(), state, now);
            next = earlier(next, after.nextChangeAt());
            ScoreChange change = NamedScores.change(tenant, entityId.substring(tenant.length() + SEPARATOR.length()),
                    score.name(), Scorer.score(score.model().model(), before, beforeAt), after, reason, now);
            if (change != null) {
                node.effects().changed(change);
            }
        }
        return next;
    }

    private static Optional<Instant> earlier(Optional<Instant> a, Optional<Instant> b) {
        return a.isEmpty() || b.isPresent() && b.get().isBefore(a.get()) ? b : a;
    }

    /**
     * The score at {@code t}: the one kept from an earlier computation while it still holds
     * (same model, same history, before the first instant anything of it may change), or
     * computed. Only a costly score is kept: a contact with thousands of activities under a
     * thousand rules takes most of a second, and would take it again for every GET; a light
     * contact keeps no copy (a million of them are live).
     */
    private Score scoreAt(VersionedModel model, ContactHistory state, Instant t, boolean now) {
        long at = Instants.nanos(t);
        KeptScore k = kept;
        if (k != null && k.model() == model && k.history() == state && at >= k.fromNanos() && at < k.untilNanos()) {
            return k.score();
        }
        Scorer.Stable stable = Scorer.stableScore(model.model(), state, t);
        // A projection to a later instant does not replace the score of now, which the next
        // read will want again; the cost is counted, not timed (a timer would count GC pauses).
        if (now) {
            boolean costly = (long) model.model().rules().size() * state.activityCount() >= KEEP_SCORES_COSTING;
            kept = costly ? new KeptScore(model, state, at, stable.until().map(Instants::nanos).orElse(Long.MAX_VALUE),
                    stable.score()) : null;
        }
        return stable.score();
    }

    /** A score kept by {@link #scoreAt}: valid for {@code model} and {@code history} on [from, until). */
    private record KeptScore(VersionedModel model, ContactHistory history, long fromNanos, long untilNanos,
                             Score score) {
    }

    /**
     * Where a contact scored provisionally (recovered before its node had read the tenant's
     * model) stood, under the real model: its history as recovered, which its provisional
     * place in the call list still holds; null for a contact first seen meanwhile.
     */
    private Lead asRecovered(VersionedModel model, Lead provisional, Instant now) {
        if (provisional == null) {
            return null;
        }
        ContactHistory recovered = provisional.history();
        return Lead.of(tenant, entityId, Scorer.score(model.model(), recovered, now), recovered);
    }

    /** Where a contact never seen stands: score 0 (SCORING.md), in this range, if any. */
    private static String rangeOfZero(VersionedModel model) {
        return model.model().enabled() ? model.model().rangeOf(0).map(ScoreRange::name).orElse(null) : null;
    }

    /** One lambda rather than the handler builder, for the same reason as {@link #commandHandler()}. */
    private void cancelNextChange() {
        if (nextChange != null) {
            nextChange.cancel();
            nextChange = null;
            standing.armedFor(Standing.NO_TIMER);
        }
    }

    /**
     * A fold over the journal and nothing else: no clock, no model. Time comes with the events
     * (when they were recorded); what is forgotten was decided when it was persisted
     * ({@link #onCompact}). Recovering a contact before, after or without its tenant's model
     * gives the same history.
     */
    @Override
    public EventHandler<ContactHistory, Event> eventHandler() {
        return (state, event) -> {
            if (event instanceof ActivitiesForgotten forgotten) {
                return state.forget(forgotten.activities());
            }
            ContactHistory h = state;
            if (event instanceof EventsRecorded recorded) {
                for (ContactEvent e : recorded.events()) {
                    h = h.record(e, recorded.recordedAt(), node.limits());
                }
            } else {
                ContactEvent e = ((EventRecorded) event).event();
                h = h.record(e, e.occurredAt(), node.limits());
            }
            return h;
        };
    }

    /**
     * One partial function rather than the handler builder, whose chain of {@code orElse}
     * wrappers cost about 250 bytes a contact.
     */
    @Override
    public SignalHandler<ContactHistory> signalHandler() {
        return new SignalHandler<>(new Signals());
    }

    private final class Signals extends AbstractPartialFunction<Tuple2<ContactHistory, Signal>, BoxedUnit> {
        @Override
        public boolean isDefinedAt(Tuple2<ContactHistory, Signal> stateAndSignal) {
            Signal signal = stateAndSignal._2();
            return signal instanceof RecoveryCompleted || signal instanceof JournalPersistFailed
                    || signal instanceof JournalPersistRejected || signal instanceof RecoveryFailed
                    || signal instanceof PostStop;
        }

        @Override
        public BoxedUnit apply(Tuple2<ContactHistory, Signal> stateAndSignal) {
            Signal signal = stateAndSignal._2();
            if (signal instanceof RecoveryCompleted) {
                // Timers do not survive a restart: derive the next change again from the recovered history.
                rescore(stateAndSignal._1(), null);
                compactIfWorthIt(stateAndSignal._1());
                if (!stateAndSignal._1().isEmpty()) {
                    back = true;
                    node.recovery().recovered();
                }
            } else if (signal instanceof JournalPersistFailed || signal instanceof JournalPersistRejected) {
                // Its request is told at once (the edge answers 503 and the client resends with
                // the same event ids) rather than waiting out the write timeout.
                node.metrics().journalWriteFailed();
                if (writing != null) {
                    writing.tell(Recorded.failed(entityId));
                    writing = null;
                }
                if (signal instanceof JournalPersistFailed) {
                    // It stops, and the commands that waited behind the write are lost with it:
                    // their requests resend when they see this (ContactFailures).
                    node.failures().stoppedOnJournalFailure();
                }
            } else if (signal instanceof RecoveryFailed) {
                // Likewise the commands that waited for the recovery.
                node.failures().stoppedOnJournalFailure();
            } else if (signal instanceof PostStop) {
                // A stopped contact (moved to another node, passivated) must not get its timer as a
                // dead letter, nor stay in this node's call list.
                cancelNextChange();
                standing.place(tenant, null, standing.scoredVersion(), node.placement());
                if (back) {
                    node.recovery().stopped();
                }
            }
            return BoxedUnit.UNIT;
        }
    }
}

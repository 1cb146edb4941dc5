package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;
import io.leadflame.changes.ScoreChange;
import io.leadflame.webhooks.WebhookOutbox.Command;
import io.leadflame.webhooks.WebhookStatus.Outcome;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import io.leadflame.persistence.JournalEraser;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The persistent half of a tenant's {@link WebhookOutbox}: its webhooks, the deliveries not yet
 * accepted by their receivers, and what became of the latest ones. A crossing is persisted
 * before its first attempt and stays pending until a receiver answers 2xx (then persisted as
 * delivered): a restart or a move to another node resumes every pending delivery, under the
 * same delivery id. Attempts themselves are not persisted: a receiver may get a delivery again
 * after a restart (at least once).
 *
 * <p>Per webhook, up to {@code max-in-flight} attempts run at once while the receiver answers;
 * after a failure the webhook backs off (doubling from {@code min-backoff} up to
 * {@code max-backoff}) and probes with one delivery at a time until one is accepted.
 */
final class WebhookLedger extends EventSourcedBehavior<Command, WebhookLedger.Event, WebhookLedger.State> {

    /**
     * A snapshot every this many events: recovery reads one snapshot and at most this many
     * events. Older events stay in the journal — except after an erasure ({@link #onForget}):
     * then the rows before a fresh snapshot are deleted, and the outbox depends on reading that
     * snapshot (hence its own, strict snapshot store, {@link #snapshotPluginId}).
     */
    private static final int SNAPSHOT_EVERY = 500;
    /** Outcomes kept per webhook for the API. */
    static final int RECENT = 20;
    private static final String BECAUSE = "failed because of ";
    /** The snapshot store of conf/persistence.conf whose snapshots must load. */
    static final String STRICT_SNAPSHOTS = "jdbc-snapshot-store-strict";
    /** The most of a receiver's answer body read (and dropped) before its connection is closed. */
    static final long MAX_ANSWER_BYTES = 64 * 1024;

    /**
     * An attempt ended: {@code status} is the HTTP status, 0 when there was none ({@code error}
     * says why). {@code sender} tells an attempt to a webhook's current address from one to an
     * address since replaced.
     */
    record Attempted(String webhookId, long sender, String deliveryId, int status, String error) implements Command {
    }

    /** A webhook's backoff is over. */
    record RetryDue(String webhookId) implements Command {
    }

    sealed interface Event extends CborSerializable {
    }

    record WebhookSaved(Webhook webhook) implements Event {
    }

    record WebhookDeleted(String webhookId) implements Event {
    }

    record CrossingsRecorded(List<Delivery> deliveries) implements Event {
    }

    /** Deliveries their receivers accepted, recorded together (one journal row for all since the last). */
    record DeliveriesSucceeded(List<Succeeded> deliveries, Instant at) implements Event {
    }

    record Succeeded(String webhookId, String deliveryId, int attempts) implements CborSerializable {
    }

    /**
     * Deliveries and outcomes of an erased contact, by delivery id only (the contact's id is
     * personal data; a delivery id is a hash): dropped from the pending deliveries and the
     * recent outcomes.
     */
    record DeliveriesForgotten(List<String> deliveryIds) implements Event {
    }

    /** Record the deliveries accepted since the last time. */
    private record RecordAccepted() implements Command {
    }

    /** Deliveries given up: still failing {@code give-up-after} after their crossing. */
    record DeliveriesAbandoned(String webhookId, List<Abandoned> deliveries, Instant at, String error)
            implements Event {
    }

    record Abandoned(String deliveryId, int attempts) implements CborSerializable {
    }

    static Behavior<Command> create(String tenant, ActorRef<TriggersReplicator.Command> replicator,
                                    WebhookSettings settings, Clock clock) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new WebhookLedger(ctx, timers, tenant, replicator, settings, clock)));
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String tenant;
    private final ActorRef<TriggersReplicator.Command> replicator;
    private final WebhookSettings settings;
    private final Clock clock;
    private final Http http;
    /** How each webhook's attempts go; not persisted (a restart starts without backoff). */
    private final Map<String, Sending> senders = new HashMap<>();
    /** The sequence number of the last snapshot stored (signalled before a write's side effects run). */
    private long snapshotAt = -1;
    /** Deliveries accepted by their receivers since the last {@link DeliveriesSucceeded} (see {@link RecordAccepted}). */
    private final List<Succeeded> accepted = new ArrayList<>();
    /** The number of the next {@link Sending}. */
    private long nextSender;

    private WebhookLedger(ActorContext<Command> context, TimerScheduler<Command> timers, String tenant,
                          ActorRef<TriggersReplicator.Command> replicator, WebhookSettings settings, Clock clock) {
        // No restart on a journal failure: a restart would replay onto this same (mutable) state.
        // The ledger stops, and its WebhookOutbox starts a new one, which recovers from the journal.
        super(PersistenceId.of(WebhookOutbox.TYPE_KEY.name(), tenant));
        this.context = context;
        this.timers = timers;
        this.tenant = tenant;
        this.replicator = replicator;
        this.settings = settings;
        this.clock = clock;
        this.http = Http.get(context.getSystem());
    }

    @Override
    public State emptyState() {
        return new State();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
    }

    /** The state is mutable (a pending set can be large): the snapshot is an immutable copy, taken in the actor. */
    @Override
    public SnapshotAdapter<State> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(State state) {
                return state.snapshot();
            }

            @Override
            public State fromJournal(Object from) {
                return State.of((Snapshot) from);
            }
        };
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(WebhookOutbox.Save.class, this::onSave)
                .onCommand(WebhookOutbox.Get.class, (state, get) -> {
                    get.replyTo().tell(new WebhookOutbox.Found(
                            state.webhooks.containsKey(get.id()) ? status(state, get.id()) : null));
                    return Effect().none();
                })
                .onCommand(WebhookOutbox.ListAll.class, (state, list) -> {
                    list.replyTo().tell(new WebhookOutbox.Listing(
                            state.webhooks.keySet().stream().map(id -> status(state, id)).toList()));
                    return Effect().none();
                })
                .onCommand(WebhookOutbox.Delete.class, this::onDelete)
                .onCommand(WebhookOutbox.GetTriggers.class, (state, get) -> {
                    get.replyTo().tell(state.triggers());
                    return Effect().none();
                })
                .onCommand(WebhookOutbox.Record.class, this::onRecord)
                .onCommand(WebhookOutbox.ForgetContact.class, this::onForget)
                .onCommand(WebhookOutbox.Compact.class, (state, compact) -> forgetAndCompact(List.of(), compact.replyTo()))
                .onCommand(Attempted.class, this::onAttempted)
                .onCommand(RecordAccepted.class, this::onRecordAccepted)
                .onCommand(RetryDue.class, (state, due) -> {
                    Sending s = senders.get(due.webhookId());
                    if (s != null) {
                        s.retryAt = null;
                    }
                    dispatch(state);
                    return Effect().none();
                })
                .build();
    }

    private Effect<Event, State> onSave(State state, WebhookOutbox.Save save) {
        boolean created = !state.webhooks.containsKey(save.id());
        Webhook webhook = new Webhook(save.id(), save.url(), save.secret(), save.trigger(), clock.instant());
        return Effect().persist((Event) new WebhookSaved(webhook)).thenRun(after -> {
            // Perhaps a new address: no backoff earned by the old one.
            senders.remove(webhook.id());
            timers.cancel(webhook.id());
            // The answer is built here, in the actor: the replicator runs it later, on its own thread.
            WebhookOutbox.Saved saved = new WebhookOutbox.Saved(status(after, webhook.id()), created);
            publishTriggers(after, () -> save.replyTo().tell(saved));
            dispatch(after);
        });
    }

    private Effect<Event, State> onDelete(State state, WebhookOutbox.Delete delete) {
        if (!state.webhooks.containsKey(delete.id())) {
            delete.replyTo().tell(new WebhookOutbox.Deleted(false, 0));
            return Effect().none();
        }
        int dropped = state.pendingOf(delete.id()).size();
        return Effect().persist((Event) new WebhookDeleted(delete.id())).thenRun(after -> {
            senders.remove(delete.id());
            timers.cancel(delete.id());
            publishTriggers(after, () -> delete.replyTo().tell(new WebhookOutbox.Deleted(true, dropped)));
        });
    }

    private Effect<Event, State> onRecord(State state, WebhookOutbox.Record record) {
        Instant now = clock.instant();
        List<Delivery> fresh = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ScoreChange change : record.changes()) {
            for (Webhook webhook : state.webhooks.values()) {
                if (webhook.trigger().firedBy(change)) {
                    Delivery delivery = Delivery.of(webhook.id(), webhook.trigger(), change, now);
                    if (!state.pendingOf(webhook.id()).containsKey(delivery.id()) && ids.add(delivery.id())) {
                        fresh.add(delivery);
                    }
                }
            }
        }
        if (fresh.isEmpty()) {
            record.replyTo().tell(Done.getInstance());
            return Effect().none();
        }
        return Effect().persist((Event) new CrossingsRecorded(fresh)).thenRun(after -> {
            record.replyTo().tell(Done.getInstance());
            dispatch(after);
        });
    }

    private Effect<Event, State> onForget(State state, WebhookOutbox.ForgetContact forget) {
        List<String> ids = new ArrayList<>();
        state.pending.values().forEach(of -> of.values().stream()
                .filter(d -> d.change().contactId().equals(forget.contactId())).forEach(d -> ids.add(d.id())));
        state.tallies.values().forEach(t -> t.recent.stream()
                .filter(o -> o.contactId().equals(forget.contactId())).forEach(o -> ids.add(o.deliveryId())));
        return forgetAndCompact(ids, forget.replyTo());
    }

    /**
     * Drops these deliveries and outcomes (none: only compacts, e.g. once a deleted tenant's
     * webhooks are gone), then deletes every older row: the event is snapshotted
     * ({@link #shouldSnapshot}), and once that snapshot is stored — Pekko signals it before the
     * write's side effects run — the rows before it go, whichever contacts' crossings they
     * recorded (also ones long delivered); then {@code done} is told. An attempt under way
     * finishes (its answer then finds no delivery); no new one starts.
     */
    private Effect<Event, State> forgetAndCompact(List<String> ids, ActorRef<Done> done) {
        return Effect().persist((Event) new DeliveriesForgotten(ids)).thenRun(after -> {
            long at = lastSequenceNumber(context);
            if (snapshotAt != at) {
                // The snapshot failed: the older rows stay (the next erasure compacts them).
                context.getLog().warn("Webhook outbox of {}: no snapshot after forgetting; its older rows stay until "
                        + "the next erasure", tenant);
                done.tell(Done.getInstance());
                return;
            }
            JournalEraser.get(context.getSystem())
                    .compactBefore(PersistenceId.of(WebhookOutbox.TYPE_KEY.name(), tenant), at)
                    .whenComplete((compacted, failure) -> {
                        if (failure != null) {
                            context.getSystem().log().warn("Webhook outbox of {}: its rows before {} were not "
                                    + "deleted: {}", tenant, at, failure.toString());
                        }
                        done.tell(Done.getInstance());
                    });
        });
    }

    /**
     * The outbox's snapshots go to a snapshot store that is not optional: once its older rows are
     * deleted ({@link #forgetAndCompact}), a snapshot that failed to load (a database hiccup) must
     * fail the recovery — the outbox is started again — rather than be skipped for the few events
     * left, which would bring the outbox back without its webhooks.
     */
    @Override
    public String snapshotPluginId() {
        return STRICT_SNAPSHOTS;
    }

    /** A snapshot right after forgetting an erased contact: the rows before it can then go. */
    @Override
    public boolean shouldSnapshot(State state, Event event, long sequenceNr) {
        return event instanceof DeliveriesForgotten;
    }

    private Effect<Event, State> onAttempted(State state, Attempted attempted) {
        Sending s = senders.get(attempted.webhookId());
        Delivery delivery = state.pendingOf(attempted.webhookId()).get(attempted.deliveryId());
        if (s == null || s.id != attempted.sender() || !s.inFlight.remove(attempted.deliveryId()) || delivery == null) {
            // An attempt for an address since replaced, or for a webhook since deleted.
            dispatch(state);
            return Effect().none();
        }
        int attempts = s.attempts.merge(delivery.id(), 1, Integer::sum);
        Instant now = clock.instant();
        if (attempted.status() >= 200 && attempted.status() < 300) {
            s.failures = 0;
            s.lastError = null;
            if (s.retryAt != null) {
                s.retryAt = null;
                timers.cancel(attempted.webhookId());
            }
            s.attempts.remove(delivery.id());
            // Recorded with the others accepted meanwhile, in one journal write: one write per
            // delivery would bound deliveries by the journal's latency. Until then it is not sent again.
            s.accepted.add(delivery.id());
            accepted.add(new Succeeded(attempted.webhookId(), delivery.id(), attempts));
            if (accepted.size() == 1) {
                context.getSelf().tell(new RecordAccepted());
            }
            dispatch(state);
            return Effect().none();
        }
        s.failures++;
        s.lastError = attempted.error() != null ? attempted.error() : "HTTP " + attempted.status();
        Duration wait = settings.backoff(s.failures);
        s.retryAt = now.plus(wait);
        timers.startSingleTimer(attempted.webhookId(), new RetryDue(attempted.webhookId()), wait);
        // Every delivery of this webhook past the give-up age, not only the one just tried: while
        // the receiver is down one is tried per backoff, and the backlog must not outlive its age.
        Instant giveUpBefore = now.minus(settings.giveUpAfter());
        List<Abandoned> expired = new ArrayList<>();
        for (Delivery d : state.pendingOf(attempted.webhookId()).values()) {
            if (!d.recordedAt().isAfter(giveUpBefore) && !s.inFlight.contains(d.id()) && !s.accepted.contains(d.id())) {
                expired.add(new Abandoned(d.id(), s.attempts.getOrDefault(d.id(), 0)));
            }
        }
        if (expired.isEmpty()) {
            return Effect().none();
        }
        expired.forEach(a -> s.attempts.remove(a.deliveryId()));
        return Effect().persist((Event) new DeliveriesAbandoned(attempted.webhookId(), expired, now, s.lastError));
    }

    private Effect<Event, State> onRecordAccepted(State state, RecordAccepted record) {
        if (accepted.isEmpty()) {
            return Effect().none();
        }
        List<Succeeded> batch = List.copyOf(accepted);
        accepted.clear();
        return Effect().persist((Event) new DeliveriesSucceeded(batch, clock.instant())).thenRun(after -> {
            for (Succeeded ok : batch) {
                Sending s = senders.get(ok.webhookId());
                if (s != null) {
                    s.accepted.remove(ok.deliveryId());
                }
            }
            dispatch(after);
        });
    }

    /** Starts the attempts each webhook may make now. */
    private void dispatch(State state) {
        state.pending.forEach((webhookId, deliveries) -> {
            Webhook webhook = state.webhooks.get(webhookId);
            if (webhook == null || deliveries.isEmpty()) {
                return;
            }
            Sending s = senders.computeIfAbsent(webhookId, id -> new Sending(nextSender++));
            if (s.retryAt != null) {
                // Backing off: RetryDue dispatches again.
                return;
            }
            // After a failure, one probe at a time until the receiver accepts one again.
            int limit = s.failures > 0 ? 1 : settings.maxInFlight();
            for (Delivery delivery : deliveries.values()) {
                if (s.inFlight.size() >= limit) {
                    break;
                }
                if (!s.accepted.contains(delivery.id()) && s.inFlight.add(delivery.id())) {
                    attempt(webhook, s.id, delivery);
                }
            }
        });
    }

    private void attempt(Webhook webhook, long sender, Delivery delivery) {
        CompletionStage<Integer> answered;
        try {
            byte[] body = WebhookPayload.body(delivery);
            HttpRequest request = HttpRequest.POST(webhook.url())
                    .withEntity(ContentTypes.APPLICATION_JSON, body)
                    .addHeader(RawHeader.create(WebhookPayload.SIGNATURE_HEADER,
                            WebhookPayload.signature(body, webhook.secret())))
                    .addHeader(RawHeader.create(WebhookPayload.DELIVERY_HEADER, delivery.id()));
            ActorSystem<?> system = context.getSystem();
            answered = http.singleRequest(request, http.defaultClientHttpsContext(),
                    ReceiverAddresses.get(system).poolSettings(system), system.classicSystem().log()).thenApply(response -> {
                // Only the status counts. The answer's body is drained in the background, but no
                // further than MAX_ANSWER_BYTES or the request timeout: a receiver sending an
                // endless answer loses its connection, not this node's.
                response.entity().withSizeLimit(MAX_ANSWER_BYTES).getDataBytes()
                        .completionTimeout(settings.requestTimeout())
                        .runWith(Sink.ignore(), system);
                return response.status().intValue();
            }).toCompletableFuture().orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        context.pipeToSelf(answered, (status, failure) -> new Attempted(webhook.id(), sender, delivery.id(),
                status == null ? 0 : status, failure == null ? null : describe(failure)));
    }

    /** What an operator reads in {@code lastError}: the root cause, without the client's plumbing. */
    static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return "no answer within the request timeout";
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        // Pekko's TCP failures carry the JDK's exception only in their message.
        int because = message.lastIndexOf(BECAUSE);
        return because >= 0 ? message.substring(because + BECAUSE.length()) : message;
    }

    private void publishTriggers(State state, Runnable written) {
        replicator.tell(new TriggersReplicator.Publish(tenant, state.triggers(), written));
    }

    private WebhookStatus status(State state, String id) {
        Webhook webhook = state.webhooks.get(id);
        LinkedHashMap<String, Delivery> pending = state.pendingOf(id);
        Tally tally = state.tallies.getOrDefault(id, new Tally());
        Sending s = senders.getOrDefault(id, new Sending(-1));
        Instant oldest = pending.isEmpty() ? null : pending.values().iterator().next().recordedAt();
        return new WebhookStatus(id, webhook.url(), webhook.trigger(), webhook.updatedAt(), pending.size(),
                tally.delivered, tally.failed, s.failures, s.retryAt, tally.lastDeliveredAt, s.lastError, oldest,
                List.copyOf(tally.recent));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return (state, event) -> {
            state.apply(event);
            return state;
        };
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(SnapshotCompleted.class, (state, completed) ->
                        snapshotAt = completed.metadata().sequenceNr())
                .onSignal(RecoveryCompleted.instance(), state -> {
                    // The triggers may not be known anywhere after a full restart; and every
                    // pending delivery is due again.
                    publishTriggers(state, () -> { });
                    dispatch(state);
                })
                .build();
    }

    /** How one webhook's attempts go, in memory. */
    private static final class Sending {
        final long id;
        final Set<String> inFlight = new HashSet<>();
        /** Accepted by the receiver, not yet recorded as delivered: never sent again meanwhile. */
        final Set<String> accepted = new HashSet<>();
        /** Failed attempts per pending delivery. */
        final Map<String, Integer> attempts = new HashMap<>();
        int failures;
        Instant retryAt;
        String lastError;

        Sending(long id) {
            this.id = id;
        }
    }

    /** What became of a webhook's deliveries. */
    static final class Tally {
        long delivered;
        long failed;
        Instant lastDeliveredAt;
        final ArrayDeque<Outcome> recent = new ArrayDeque<>();

        void add(Outcome outcome) {
            recent.addFirst(outcome);
            if (recent.size() > RECENT) {
                recent.removeLast();
            }
        }
    }

    /** The ledger's state: mutated in place by events, so that a large pending set is not copied per event. */
    static final class State {
        final TreeMap<String, Webhook> webhooks = new TreeMap<>();
        /** Per webhook, in the order recorded. */
        final Map<String, LinkedHashMap<String, Delivery>> pending = new HashMap<>();
        final Map<String, Tally> tallies = new HashMap<>();
        long version;

        LinkedHashMap<String, Delivery> pendingOf(String webhookId) {
            LinkedHashMap<String, Delivery> of = pending.get(webhookId);
            return of == null ? new LinkedHashMap<>() : of;
        }

        TenantTriggers triggers() {
            return new TenantTriggers(version, webhooks.values().stream().map(Webhook::trigger).toList());
        }

        void apply(Event event) {
            if (event instanceof WebhookSaved saved) {
                webhooks.put(saved.webhook().id(), saved.webhook());
                tallies.computeIfAbsent(saved.webhook().id(), id -> new Tally());
                version++;
            } else if (event instanceof WebhookDeleted deleted) {
                webhooks.remove(deleted.webhookId());
                pending.remove(deleted.webhookId());
                tallies.remove(deleted.webhookId());
                version++;
            } else if (event instanceof CrossingsRecorded recorded) {
                for (Delivery d : recorded.deliveries()) {
                    if (webhooks.containsKey(d.webhookId())) {
                        pending.computeIfAbsent(d.webhookId(), id -> new LinkedHashMap<>()).put(d.id(), d);
                    }
                }
            } else if (event instanceof DeliveriesSucceeded ok) {
                for (Succeeded one : ok.deliveries()) {
                    Delivery d = remove(one.webhookId(), one.deliveryId());
                    Tally tally = tallies.get(one.webhookId());
                    if (d != null && tally != null) {
                        tally.delivered++;
                        tally.lastDeliveredAt = ok.at();
                        tally.add(new Outcome(d.id(), d.change().contactId(), "delivered", one.attempts(), ok.at(), null));
                    }
                }
            } else if (event instanceof DeliveriesForgotten forgotten) {
                Set<String> ids = new HashSet<>(forgotten.deliveryIds());
                pending.values().forEach(of -> of.keySet().removeAll(ids));
                tallies.values().forEach(t -> t.recent.removeIf(o -> ids.contains(o.deliveryId())));
            } else if (event instanceof DeliveriesAbandoned gaveUp) {
                Tally tally = tallies.get(gaveUp.webhookId());
                for (Abandoned a : gaveUp.deliveries()) {
                    Delivery d = remove(gaveUp.webhookId(), a.deliveryId());
                    if (d != null && tally != null) {
                        tally.failed++;
                        tally.add(new Outcome(d.id(), d.change().contactId(), "failed", a.attempts(), gaveUp.at(),
                                gaveUp.error()));
                    }
                }
            }
        }

        private Delivery remove(String webhookId, String deliveryId) {
            LinkedHashMap<String, Delivery> of = pending.get(webhookId);
            return of == null ? null : of.remove(deliveryId);
        }

        Snapshot snapshot() {
            List<Delivery> all = new ArrayList<>();
            pending.values().forEach(of -> all.addAll(of.values()));
            List<TallySnapshot> counts = new ArrayList<>();
            tallies.forEach((id, t) -> counts.add(
                    new TallySnapshot(id, t.delivered, t.failed, t.lastDeliveredAt, List.copyOf(t.recent))));
            return new Snapshot(version, List.copyOf(webhooks.values()), all, counts);
        }

        static State of(Snapshot snapshot) {
            State state = new State();
            state.version = snapshot.version();
            snapshot.webhooks().forEach(w -> state.webhooks.put(w.id(), w));
            snapshot.pending().forEach(d ->
                    state.pending.computeIfAbsent(d.webhookId(), id -> new LinkedHashMap<>()).put(d.id(), d));
            snapshot.tallies().forEach(t -> {
                Tally tally = new Tally();
                tally.delivered = t.delivered();
                tally.failed = t.failed();
                tally.lastDeliveredAt = t.lastDeliveredAt();
                tally.recent.addAll(t.recent());
                state.tallies.put(t.webhookId(), tally);
            });
            return state;
        }
    }

    /** The state as stored in a snapshot. */
    record Snapshot(long version, List<Webhook> webhooks, List<Delivery> pending, List<TallySnapshot> tallies)
            implements CborSerializable {
    }

    record TallySnapshot(String webhookId, long delivered, long failed, Instant lastDeliveredAt,
                         List<Outcome> recent) implements CborSerializable {
    }
}

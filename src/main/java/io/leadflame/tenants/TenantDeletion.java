package io.leadflame.tenants;

import io.leadflame.auth.ApiKeysEntity;
import io.leadflame.auth.TenantKey;
import io.leadflame.auth.TenantKeys;
import io.leadflame.cluster.ReachableRegionsAllocation;
import io.leadflame.contact.ContactEntity;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.ScoreNames;
import io.leadflame.model.ScoringModelEntity;
import io.leadflame.serialization.CborSerializable;
import io.leadflame.webhooks.WebhookOutbox;
import io.leadflame.webhooks.WebhookStatus;
import io.leadflame.webhooks.WebhookTriggers;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Deletes a tenant (an account closed): the single driver of one tenant's deletion, which may
 * take minutes for a million contacts and so runs after the request is answered and resumes
 * wherever it is started next (a node lost). In order: the tenant's keys are revoked (nothing
 * more comes in), its webhooks deleted (pending deliveries dropped), its model replaced by the
 * default one (no rules), then every contact the journal holds for it is erased
 * ({@link ContactEntity.Erase}: its rows deleted). Every step finds nothing to do when done
 * before, so running again after an interruption is safe.
 */
public final class TenantDeletion
        extends EventSourcedBehaviorWithEnforcedReplies<TenantDeletion.Command, TenantDeletion.Event, TenantDeletion.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "TenantDeletion");
    private static final int ERASING_AT_ONCE = 8;
    private static final Duration ASK = Duration.ofSeconds(30);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(5);

    public sealed interface Command extends CborSerializable {
    }

    /** Starts a deletion unless one runs; replies with its status. */
    public record Start(ActorRef<Status> replyTo) implements Command {
    }

    public record GetStatus(ActorRef<Status> replyTo) implements Command {
    }

    private record RunEnded(long contacts, Throwable failure) implements Command {
    }

    private record Retry() implements Command {
    }

    /**
     * @param contactsErased contacts erased so far (of the run under way, or of the last one)
     * @param completedAt    empty while running, or when no deletion ever started ({@code startedAt} empty too)
     */
    public record Status(String tenant, Optional<Instant> startedAt, long contactsErased, Optional<Instant> completedAt,
                         Optional<String> lastError) implements CborSerializable {
        public boolean running() {
            return startedAt.isPresent() && completedAt.isEmpty();
        }

        /** A tenant never deleted. */
        public static Status none(String tenant) {
            return new Status(tenant, Optional.empty(), 0, Optional.empty(), Optional.empty());
        }
    }

    public sealed interface Event extends CborSerializable {
    }

    public record Started(Instant at) implements Event {
    }

    public record Completed(long contactsErased, Instant at) implements Event {
    }

    public record State(Optional<Instant> startedAt, long contactsErased, Optional<Instant> completedAt)
            implements CborSerializable {
        static final State NONE = new State(Optional.empty(), 0, Optional.empty());

        boolean running() {
            return startedAt.isPresent() && completedAt.isEmpty();
        }
    }

    public static void init(ActorSystem<?> system) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                ctx -> Behaviors.setup(c -> new TenantDeletion(c, ctx.getEntityId(), Clock.systemUTC())))
                .withAllocationStrategy(ReachableRegionsAllocation.fromConfig(system.settings().config())));
    }

    private final ActorContext<Command> context;
    private final String tenant;
    private final Clock clock;
    private final ClusterSharding sharding;
    /** Contacts erased by the run under way (not persisted: a resumed run counts again from 0). */
    private final AtomicLong erasing = new AtomicLong();
    /** Set when this incarnation stops (a hand-off): its run then stops too, the next one resumes. */
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Whether a run of this incarnation is under way: never two at once. */
    private boolean running;
    private int failures;
    private String lastError;

    private TenantDeletion(ActorContext<Command> context, String tenant, Clock clock) {
        super(PersistenceId.of(TYPE_KEY.name(), tenant));
        this.context = context;
        this.tenant = tenant;
        this.clock = clock;
        this.sharding = ClusterSharding.get(context.getSystem());
    }

    @Override
    public State emptyState() {
        return State.NONE;
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(GetStatus.class, (state, get) -> Effect().reply(get.replyTo(), status(state)))
                .onCommand(Start.class, (state, start) -> state.running()
                        ? Effect().reply(start.replyTo(), status(state))
                        : Effect().persist((Event) new Started(clock.instant()))
                        .thenRun(after -> run())
                        .thenReply(start.replyTo(), this::status))
                .onCommand(RunEnded.class, this::onRunEnded)
                .onCommand(Retry.class, (state, retry) -> {
                    if (state.running()) {
                        run();
                    }
                    return Effect().noReply();
                })
                .build();
    }

    private ReplyEffect<Event, State> onRunEnded(State state, RunEnded ended) {
        running = false;
        if (ended.failure() != null) {
            failures++;
            lastError = ended.failure().getMessage();
            Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 6));
            wait = wait.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : wait;
            context.getLog().warn("Deleting tenant {} failed ({} in a row), trying again in {}: {}", tenant, failures,
                    wait, ended.failure().toString());
            context.scheduleOnce(wait, context.getSelf(), new Retry());
            return Effect().noReply();
        }
        failures = 0;
        lastError = null;
        return Effect().persist((Event) new Completed(ended.contacts(), clock.instant())).thenNoReply();
    }

    private Status status(State state) {
        long erased = state.running() ? erasing.get() : state.contactsErased();
        return new Status(tenant, state.startedAt(), erased, state.completedAt(),
                state.running() ? Optional.ofNullable(lastError) : Optional.empty());
    }

    /** The whole deletion, to its end or its first failure; its outcome comes back as {@link RunEnded}. */
    private void run() {
        if (running) {
            return;
        }
        running = true;
        erasing.set(0);
        CompletionStage<Long> done = revokeKeys()
                .thenCompose(keys -> deleteWebhooks())
                .thenCompose(webhooks -> resetModel())
                .thenCompose(model -> eraseContacts());
        context.pipeToSelf(done, (contacts, failure) -> new RunEnded(contacts == null ? 0 : contacts, failure));
    }

    private CompletionStage<?> revokeKeys() {
        return sharding.entityRefFor(ApiKeysEntity.TYPE_KEY, tenant).<TenantKeys>ask(ApiKeysEntity.Get::new, ASK)
                .thenCompose(keys -> allOf(keys.keys().stream().filter(TenantKey::active)
                        .map(k -> sharding.entityRefFor(ApiKeysEntity.TYPE_KEY, tenant)
                                .<ApiKeysEntity.RevokeResult>ask(replyTo -> new ApiKeysEntity.Revoke(k.id(), replyTo), ASK))));
    }

    /** The webhooks, then every row of the outbox before a fresh snapshot (it recorded the contacts' crossings). */
    private CompletionStage<?> deleteWebhooks() {
        WebhookTriggers triggers = WebhookTriggers.get(context.getSystem());
        if (!triggers.isLoaded()) {
            // At a node's start: whether the tenant has webhooks is not known yet.
            return CompletableFuture.failedFuture(new IllegalStateException("the webhooks are not loaded yet"));
        }
        if (!triggers.has(tenant)) {
            return CompletableFuture.completedFuture(null);
        }
        var outbox = sharding.entityRefFor(WebhookOutbox.TYPE_KEY, tenant);
        return outbox.<WebhookOutbox.Listing>ask(WebhookOutbox.ListAll::new, ASK)
                .thenCompose(listing -> allOf(listing.webhooks().stream().map(WebhookStatus::id)
                        .map(id -> outbox.<WebhookOutbox.Deleted>ask(replyTo -> new WebhookOutbox.Delete(id, replyTo), ASK))))
                .thenCompose(deleted -> outbox.<org.apache.pekko.Done>ask(WebhookOutbox.Compact::new, ASK));
    }

    /**
     * A new version without rules of the default score and of every named score: a tenant
     * deleted scores nothing, and a new start begins from the default without named scores.
     */
    private CompletionStage<?> resetModel() {
        ModelCatalog catalog = ModelCatalog.get(context.getSystem());
        if (!catalog.isLoaded()) {
            // At a node's start: which named scores the tenant has is not known yet.
            return CompletableFuture.failedFuture(new IllegalStateException("the models are not loaded yet"));
        }
        return allOf(Stream.concat(Stream.of(tenant), catalog.namedScores(tenant).keySet().stream()
                        .map(score -> ScoreNames.key(tenant, score)))
                .map(key -> ScoringModelEntity.resetToDefault(sharding, key, Optional.empty(), ASK)));
    }

    /** Every contact of the tenant in the journal, erased a few at a time. */
    private CompletionStage<Long> eraseContacts() {
        String prefix = PersistenceId.of(ContactEntity.TYPE_KEY.name(), ContactEntity.tenantPrefix(tenant)).id();
        JdbcReadJournal journal = PersistenceQuery.get(context.getSystem())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        return journal.currentPersistenceIds()
                .takeWhile(id -> !stopped.get())
                .filter(id -> id.startsWith(prefix))
                .mapAsyncUnordered(ERASING_AT_ONCE, id -> sharding.entityRefFor(ContactEntity.TYPE_KEY,
                                id.substring(ContactEntity.TYPE_KEY.name().length() + 1))
                        .<ContactEntity.ErasureResult>ask(ContactEntity.Erase::new, ASK)
                        .thenApply(result -> {
                            if (result instanceof ContactEntity.ErasureFailed failed) {
                                throw new IllegalStateException("contact " + id + " was not erased: " + failed.reason());
                            }
                            return erasing.incrementAndGet();
                        }))
                .runFold(0L, (n, erased) -> n + 1, context.getSystem())
                .thenApply(n -> {
                    if (stopped.get()) {
                        throw new IllegalStateException("stopped (moved to another node, which resumes it)");
                    }
                    return n;
                });
    }

    private static CompletionStage<?> allOf(java.util.stream.Stream<? extends CompletionStage<?>> stages) {
        return CompletableFuture.allOf(stages.map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Started.class, (state, e) -> new State(Optional.of(e.at()), 0, Optional.empty()))
                .onEvent(Completed.class, (state, e) -> new State(state.startedAt(), e.contactsErased(), Optional.of(e.at())))
                .build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        // A node lost mid-deletion: the next start of this entity (remember-entities) goes on.
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.running()) {
                        run();
                    }
                })
                .onSignal(PostStop.instance(), state -> stopped.set(true))
                .build();
    }
}

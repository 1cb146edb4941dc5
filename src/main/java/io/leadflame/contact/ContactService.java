package io.leadflame.contact;

import io.leadflame.cluster.JournalWatch;
import io.leadflame.config.Settings;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.model.ScoreNames;
import io.leadflame.persistence.StoredEntities;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.webhooks.WebhookOutbox;
import io.leadflame.webhooks.WebhookTriggers;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.persistence.typed.PersistenceId;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What the edge asks of contacts, wherever in the cluster they live: record a request's events
 * and read a contact. The routes parse and answer; this routes to the sharded contacts and
 * gathers their answers.
 */
public final class ContactService {

    /** What a request's events came to once durable. */
    public record Recorded(long accepted, long duplicates) {
    }

    /**
     * The journal counts as down ({@link JournalWatch}): a write is refused before it reaches a
     * contact ({@code partlyApplied} false), or let go while its contacts were writing (true:
     * those that had answered are durable, and a resend counts their events as duplicates).
     */
    public static final class JournalDown extends RuntimeException {
        private final boolean partlyApplied;

        JournalDown(String reason, boolean partlyApplied) {
            super("the journal does not answer (" + reason + ")", null, false, false);
            this.partlyApplied = partlyApplied;
        }

        public boolean partlyApplied() {
            return partlyApplied;
        }
    }

    /**
     * The node is still starting: its contacts start only once it has read the tenants' models,
     * keys and webhooks (DECISIONS.md "Restart at scale"). Nothing was applied.
     */
    public static final class NotStarted extends RuntimeException {
        NotStarted() {
            super("this node's contacts are not started yet", null, false, false);
        }
    }

    /**
     * The journal refused some contact's part of a request (a failed write while the database
     * answers): that part is not recorded, the others may be. Answered at once, not at the
     * write timeout.
     */
    public static final class NotWritten extends RuntimeException {
        NotWritten(int contacts) {
            super("the journal did not take the events of " + contacts + " contact(s)", null, false, false);
        }
    }

    /** Names the reply collectors, which must be unique among the system's actors. */
    private static final AtomicLong WRITES = new AtomicLong();

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Duration askTimeout;
    private final Duration writeTimeout;
    private final Duration resendEvery;
    private final Cluster cluster;
    private final WriteAdmission admission;
    private final Executor executor;
    private final LeadflameMetrics metrics;
    private final StoredEntities stored;
    private final JournalWatch journal;
    private final ContactFailures failures;
    /** Latched once this node's contact region is started (asking sharding builds a set each time). */
    private volatile boolean contactsStarted;

    public ContactService(ActorSystem<?> system, Settings settings) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.askTimeout = settings.askTimeout();
        this.writeTimeout = settings.ingestion().writeTimeout();
        this.resendEvery = settings.ingestion().resendEvery();
        this.cluster = Cluster.get(system);
        this.admission = new WriteAdmission(settings.ingestion().maxInFlightEvents());
        this.executor = system.executionContext();
        this.metrics = LeadflameMetrics.get(system);
        metrics.writesInFlight(admission, WriteAdmission::inFlight);
        this.stored = new StoredEntities(system);
        this.journal = JournalWatch.get(system);
        this.failures = ContactFailures.get(system);
    }

    /** How long {@link #record} may take: the edge waits a little longer for its answer. */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /**
     * Places for a request of at most {@code events} events, or empty when the node already
     * writes as much as it admits: the request must then be refused whole, before anything of
     * it reaches a contact. The caller gives the places back once the request has ended.
     */
    public Optional<WriteAdmission.Ticket> admit(long events) {
        Optional<WriteAdmission.Ticket> ticket = admission.tryAdmit(events);
        if (ticket.isEmpty()) {
            metrics.writeRefused();
        }
        return ticket;
    }

    /**
     * Persists each contact's part of an admitted request and completes when all are durable.
     * Fails with a {@link TimeoutException} when some contact has not confirmed within the write
     * timeout, with {@link NotWritten} as soon as every contact has answered when the journal
     * refused some contact's write, and with {@link JournalDown} at once when the journal counts
     * as down (before anything is sent, or while the contacts write). The contacts answer one
     * collector for the whole request ({@link WriteReplies}). What the contacts that did answer
     * persisted is counted (metrics) even when another failed: those events are in the journal,
     * and a resend counts them as duplicates.
     */
    public CompletionStage<Recorded> record(String tenant, Map<String, List<ContactEvent>> byContact) {
        if (!contactsStarted()) {
            return CompletableFuture.failedFuture(new NotStarted());
        }
        Optional<String> down = journal.down();
        if (down.isPresent()) {
            return CompletableFuture.failedFuture(new JournalDown(down.get(), false));
        }
        CompletableFuture<WriteReplies.Outcome> outcome = new CompletableFuture<>();
        Map<String, List<ContactEvent>> byEntity = new HashMap<>(byContact.size() * 2);
        byContact.forEach((contactId, events) -> byEntity.put(ContactEntity.entityId(tenant, contactId), events));
        ActorRef<Object> collector = system.systemActorOf(
                WriteReplies.collect(byEntity.keySet(), writeTimeout, resendEvery, partsMayBeLostSinceNow(),
                        (entityId, replyTo) -> send(entityId, byEntity.get(entityId), replyTo), outcome),
                "write-" + WRITES.incrementAndGet(), Props.empty());
        AtomicBoolean letGo = new AtomicBoolean();
        Runnable giveUp = () -> {
            letGo.set(true);
            collector.tell(WriteReplies.GiveUp.INSTANCE);
        };
        journal.whileWaiting(giveUp);
        outcome.whenComplete((o, failure) -> journal.doneWaiting(giveUp));
        ActorRef<ContactEntity.Recorded> replies = collector.narrow();
        try {
            byEntity.forEach((entityId, events) -> send(entityId, events, replies));
        } catch (RuntimeException e) {
            collector.tell(WriteReplies.GiveUp.INSTANCE);
            throw e;
        }
        return outcome.thenApplyAsync(o -> {
            metrics.eventsRecorded(o.accepted(), o.duplicates());
            if (!o.complete()) {
                if (letGo.get()) {
                    throw new CompletionException(new JournalDown(journal.down().orElse("it stopped answering"), true));
                }
                throw new CompletionException(o.failed() > 0 ? new NotWritten(o.failed())
                        : new TimeoutException(o.answered() + " of " + o.expected()
                        + " contacts confirmed their events within " + writeTimeout));
            }
            return new Recorded(o.accepted(), o.duplicates());
        }, executor);
    }

    /** The contact, wherever it lives; {@link NotStarted} while this node's contacts are not started. */
    private EntityRef<ContactEntity.Command> contact(String entityId) {
        if (!contactsStarted()) {
            throw new NotStarted();
        }
        return sharding.entityRefFor(ContactEntity.TYPE_KEY, entityId);
    }

    private boolean contactsStarted() {
        if (!contactsStarted && ContactEntity.started(system)) {
            contactsStarted = true;
        }
        return contactsStarted;
    }

    private void send(String entityId, List<ContactEvent> events, ActorRef<ContactEntity.Recorded> replyTo) {
        sharding.entityRefFor(ContactEntity.TYPE_KEY, entityId).tell(new ContactEntity.RecordEvents(events, replyTo));
    }

    /**
     * Whether a part of a request sent now may since have been lost: a node that is a member now
     * has become unreachable or left the cluster (a message to it is lost until the failover
     * moves the shard), or a contact of this node has stopped on a journal failure (what it had
     * stashed is dropped; {@link ContactFailures}). Only the immutable cluster state and a count
     * are kept per request; they are compared when the resend timer asks, not on every write.
     */
    private BooleanSupplier partsMayBeLostSinceNow() {
        CurrentClusterState before = cluster.state();
        BooleanSupplier contactStopped = failures.anyStoppedSinceNow();
        return () -> {
            if (contactStopped.getAsBoolean()) {
                return true;
            }
            CurrentClusterState now = cluster.state();
            if (now == before) {
                return false;
            }
            Set<Address> unreachable = new HashSet<>();
            now.getUnreachable().forEach(member -> unreachable.add(member.address()));
            Set<Address> members = new HashSet<>();
            now.getMembers().forEach(member -> members.add(member.address()));
            for (Member member : before.getMembers()) {
                if (unreachable.contains(member.address()) || !members.contains(member.address())) {
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * The contact as of {@code at} (empty: now), or empty if it never had an event — found out
     * from the journal without starting (and so storing) a contact for a mistyped id.
     *
     * @param key the key of the model to score under: the tenant's for its default score, or a
     *            named score's ({@link ScoreNames})
     */
    public CompletionStage<Optional<ContactEntity.ContactView>> view(String key, String contactId,
                                                                     Optional<Instant> at) {
        return askStored(ScoreNames.tenantOf(key), contactId,
                replyTo -> new ContactEntity.GetContact(at, namedOrNull(key), replyTo), ContactEntity.ContactView.class);
    }

    /**
     * The contact's score over the last {@code days} days under the tenant's current model, or
     * empty if it never had an event (found out without starting a contact for the id).
     *
     * @param key as for {@link #view}
     */
    public CompletionStage<Optional<ContactEntity.ContactTimeline>> history(String key, String contactId, int days) {
        return askStored(ScoreNames.tenantOf(key), contactId,
                replyTo -> new ContactEntity.GetHistory(days, namedOrNull(key), replyTo),
                ContactEntity.ContactTimeline.class);
    }

    /** A contact scores under its tenant's default model unless told a named score's key. */
    private static String namedOrNull(String key) {
        return ScoreNames.isNamed(key) ? key : null;
    }

    /** Asks a contact that has events for a {@code T}; empty for one that never had any. */
    private <T extends ContactEntity.ContactReply> CompletionStage<Optional<T>> askStored(
            String tenant, String contactId,
            Function<ActorRef<ContactEntity.ContactReply>, ContactEntity.Command> ask,
            Class<T> answer) {
        String entityId = ContactEntity.entityId(tenant, contactId);
        return stored.askIfStored(PersistenceId.of(ContactEntity.TYPE_KEY.name(), entityId),
                () -> contact(entityId).<ContactEntity.ContactReply>ask(ask::apply, askTimeout)
                        .thenApply(reply -> answer.isInstance(reply) ? Optional.of(answer.cast(reply))
                                : Optional.<T>empty()),
                () -> CompletableFuture.completedFuture(Optional.empty()));
    }

    /**
     * Erases the contact: its journal rows and call-list entry (see {@link ContactEntity.Erase}).
     * Empty when it never had an event (found out without starting a contact for the id).
     */
    public CompletionStage<Optional<ContactEntity.ErasureResult>> erase(String tenant, String contactId) {
        String entityId = ContactEntity.entityId(tenant, contactId);
        return stored.askIfStored(PersistenceId.of(ContactEntity.TYPE_KEY.name(), entityId),
                () -> contact(entityId)
                        .<ContactEntity.ErasureResult>ask(ContactEntity.Erase::new, askTimeout)
                        .thenCompose(result -> forgetDeliveries(tenant, contactId, result))
                        .thenApply(Optional::of),
                // Already erased: a DELETE sent again after a failed answer still drops the deliveries.
                () -> forgetDeliveries(tenant, contactId, new ContactEntity.Erased(false))
                        .thenApply(done -> Optional.<ContactEntity.ErasureResult>empty()));
    }

    /** After an erasure, the tenant's webhook outbox drops what it still holds of the contact. */
    private CompletionStage<ContactEntity.ErasureResult> forgetDeliveries(String tenant, String contactId,
                                                                          ContactEntity.ErasureResult result) {
        if (!(result instanceof ContactEntity.Erased) || !WebhookTriggers.get(system).has(tenant)) {
            return CompletableFuture.completedFuture(result);
        }
        return sharding.entityRefFor(WebhookOutbox.TYPE_KEY, tenant)
                .<Done>ask(replyTo -> new WebhookOutbox.ForgetContact(contactId, replyTo), askTimeout)
                .thenApply(done -> result);
    }
}

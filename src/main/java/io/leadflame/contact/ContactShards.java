package io.leadflame.contact;

import io.leadflame.config.NodeConfig;
import io.leadflame.persistence.JournalIds;
import io.leadflame.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * How many shards the contacts are spread over, decided at each start before the contact region
 * starts, and recorded in the journal (issue 15).
 *
 * <p>Fewer shards make a failover and a cold start faster: the coordinator places shards one at a
 * time (~40 ms each under load), and a new cluster's first contacts waited for hundreds of them.
 * A new cluster uses {@link #NEW_CLUSTER} (Pekko's rule of thumb: ten per node, up to ten nodes).
 * But two nodes with different counts put one contact in two different shards, so it could run
 * twice; and a cluster that changed its count would keep its old shards too (Pekko remembers every
 * shard it ever placed and starts them all again, empty). So the oldest member of a new cluster
 * records the count, every other node starts its contacts only once that is recorded, and a node
 * set to another count than its cluster's never starts them: it says why in
 * {@code /health/ready}. A cluster that ran before the count was recorded used Pekko's default,
 * {@link #BEFORE_RECORDED}, and keeps it (DECISIONS.md "Shards").
 */
public final class ContactShards {

    private static final Logger LOG = LoggerFactory.getLogger(ContactShards.class);
    /** A new cluster's count, unless configured. */
    public static final int NEW_CLUSTER = 100;
    /** The count of every cluster that ran before it was recorded: Pekko's default. */
    public static final int BEFORE_RECORDED = 1000;
    private static final PersistenceId RECORD = PersistenceId.ofUniqueId("ContactShards|count");
    private static final Duration RETRY_EVERY = Duration.ofSeconds(1);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicLong READS = new AtomicLong();

    /** What a node does with its contacts' shard count. */
    public sealed interface Decision {
        /** Start the contacts in {@code shards} shards, recording the count first if {@code record}. */
        record Use(int shards, boolean record) implements Decision {
        }

        /** Do not start the contacts yet, for this reason; decide again later. */
        record Wait(String reason) implements Decision {
        }
    }

    /**
     * The rule, without a node.
     *
     * @param recorded       the count recorded in the journal, if any
     * @param contactsStored whether the journal holds contacts (with no count recorded: the
     *                       cluster ran before counts were recorded, with {@link #BEFORE_RECORDED})
     * @param configured     this node's setting; empty for {@code auto} (whatever the cluster uses)
     * @param oldest         whether this node is the oldest member of its cluster
     */
    public static Decision decide(OptionalInt recorded, boolean contactsStored, OptionalInt configured,
                                  boolean oldest) {
        OptionalInt cluster = recorded.isPresent() ? recorded
                : contactsStored ? OptionalInt.of(BEFORE_RECORDED) : OptionalInt.empty();
        int wanted = configured.orElse(cluster.orElse(NEW_CLUSTER));
        if (cluster.isEmpty()) {
            return oldest ? new Decision.Use(wanted, true)
                    : new Decision.Wait("The contacts wait for the oldest node to record how many shards they use.");
        }
        if (cluster.getAsInt() != wanted) {
            return new Decision.Wait("The contacts do not start: this cluster keeps them in " + cluster.getAsInt()
                    + " shards and this node is set to " + wanted + " (LEADFLAME_CONTACT_SHARDS). The count of a "
                    + "cluster that has contacts does not change: set it to " + cluster.getAsInt()
                    + " or to auto (OPERATIONS.md).");
        }
        return new Decision.Use(wanted, oldest && recorded.isEmpty());
    }

    private final ActorSystem<?> system;
    private final OptionalInt configured;
    private final JournalIds journalIds;
    /** Why the contacts do not start yet; null once decided or before the first decision. */
    private volatile String waiting;

    public ContactShards(ActorSystem<?> system, JournalIds journalIds) {
        this.system = system;
        this.configured = NodeConfig.contactShards(system.settings().config());
        this.journalIds = journalIds;
    }

    /** Why this node's contacts wait for the shard count, if they do. */
    public Optional<String> waiting() {
        return Optional.ofNullable(waiting);
    }

    /**
     * The count to start the contacts with, once this node may: recorded first when it is the
     * oldest node's to record (a new cluster's, or one that ran before counts were recorded).
     * Decided again every second while it must wait, or a read fails.
     */
    public CompletionStage<Integer> count() {
        CompletableFuture<Integer> decided = new CompletableFuture<>();
        attempt(decided, 0);
        return decided;
    }

    private void attempt(CompletableFuture<Integer> decided, int attempt) {
        readRecord()
                .thenCombine(journalIds.any(ContactEntity.TYPE_KEY.name()),
                        (recorded, stored) -> decide(recorded, stored, configured, isOldest()))
                .thenCompose(decision -> {
                    if (decision instanceof Decision.Use use) {
                        if (!use.record()) {
                            return CompletableFuture.completedFuture(OptionalInt.of(use.shards()));
                        }
                        // Recorded only if none is yet: two nodes that both took themselves for the
                        // oldest (a cluster still forming) start with whichever count was recorded
                        // first, or decide again when it is not theirs.
                        return record(use.shards()).thenApply(recorded ->
                                recorded.isPresent() && recorded.getAsInt() == use.shards()
                                        ? recorded : OptionalInt.empty());
                    }
                    String reason = ((Decision.Wait) decision).reason();
                    if (!reason.equals(waiting) || attempt % 30 == 0) {
                        LOG.warn(reason);
                    }
                    waiting = reason;
                    return CompletableFuture.completedFuture(OptionalInt.empty());
                })
                .whenComplete((shards, failure) -> {
                    if (failure == null && shards.isPresent()) {
                        waiting = null;
                        LOG.info("The contacts use {} shards", shards.getAsInt());
                        decided.complete(shards.getAsInt());
                    } else if (!system.whenTerminated().isCompleted()) {
                        if (failure != null && attempt % 30 == 0) {
                            LOG.warn("Deciding the contacts' shard count failed, retrying every {}: {}", RETRY_EVERY,
                                    failure.toString());
                        }
                        system.scheduler().scheduleOnce(RETRY_EVERY, () -> attempt(decided, attempt + 1),
                                system.executionContext());
                    }
                });
    }

    private boolean isOldest() {
        Member self = Cluster.get(system).selfMember();
        if (self.status() != MemberStatus.up()) {
            return false;
        }
        for (Member member : Cluster.get(system).state().getMembers()) {
            if (!member.equals(self) && member.status() == MemberStatus.up() && member.isOlderThan(self)) {
                return false;
            }
        }
        return true;
    }

    private CompletionStage<OptionalInt> readRecord() {
        return this.<OptionalInt>askRecord(replyTo -> new Read(replyTo));
    }

    private CompletionStage<OptionalInt> record(int shards) {
        return this.<OptionalInt>askRecord(replyTo -> new Write(shards, replyTo));
    }

    /**
     * One short-lived actor per read or write: it recovers the record afresh (another node may
     * have written it since), answers and stops.
     */
    private <R> CompletionStage<R> askRecord(Function<ActorRef<R>, Command> command) {
        ActorRef<Command> record = system.systemActorOf(new CountRecord(), "contact-shards-" + READS.incrementAndGet(),
                Props.empty());
        return AskPattern.ask(record, command::apply, ASK_TIMEOUT, system.scheduler());
    }

    interface Command {
    }

    private record Read(ActorRef<OptionalInt> replyTo) implements Command {
    }

    /** Records {@code shards} unless a count is recorded already; answers the recorded count either way. */
    private record Write(int shards, ActorRef<OptionalInt> replyTo) implements Command {
    }

    /** The event of the record: the contacts use this many shards from now on. */
    public record CountSet(int shards) implements CborSerializable {
    }

    /** The recorded count (0: none), read on each recovery. */
    private static final class CountRecord extends EventSourcedBehavior<Command, CountSet, Integer> {
        CountRecord() {
            super(RECORD);
        }

        @Override
        public Integer emptyState() {
            return 0;
        }

        @Override
        public CommandHandler<Command, CountSet, Integer> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Read.class, (count, read) -> Effect().none()
                            .thenRun(state -> read.replyTo().tell(recorded(state)))
                            .thenStop())
                    .onCommand(Write.class, (count, write) -> (count != 0 ? Effect().none()
                            : Effect().persist(new CountSet(write.shards())))
                            .thenRun(state -> write.replyTo().tell(recorded(state)))
                            .thenStop())
                    .build();
        }

        private static OptionalInt recorded(int count) {
            return count > 0 ? OptionalInt.of(count) : OptionalInt.empty();
        }

        @Override
        public EventHandler<Integer, CountSet> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onEvent(CountSet.class, (count, set) -> set.shards()).build();
        }
    }
}

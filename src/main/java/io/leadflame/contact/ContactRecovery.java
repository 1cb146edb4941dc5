package io.leadflame.contact;

import io.leadflame.cluster.EveryNode;
import io.leadflame.persistence.JournalIds;
import io.leadflame.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the contacts are all back after a start (issue 15). Remember-entities restarts every
 * stored contact when its shard starts, each replaying its journal: a million take minutes, and
 * until then the call list and {@code /stats} silently miss the contacts not yet back. So the
 * node counts the contacts the journal holds (one query, {@link JournalIds#count}, which does
 * not hold up readiness) and, every second, the contacts that have finished their recovery on
 * every node of the cluster; until the second reaches the first, {@code /health/ready} says
 * {@code "recovering"} with both numbers and the call list says it is {@code partial}. Once
 * reached it stays complete for the node's life: from then on a missing contact is a failover's
 * (DECISIONS.md, "Restart at scale").
 *
 * <p>Only contacts that had events when they recovered count as back (one started by a read of a
 * contact that never had one does not), so contacts created meanwhile cannot make up for stored
 * ones still recovering. A contact erased meanwhile is taken off what is awaited on the node that
 * erases it.
 */
public final class ContactRecovery implements Extension {

    private static final Logger LOG = LoggerFactory.getLogger(ContactRecovery.class);
    private static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "contact-recovery");
    private static final Duration EVERY = Duration.ofSeconds(1);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

    private static final ExtensionId<ContactRecovery> ID = new ExtensionId<>() {
        @Override
        public ContactRecovery createExtension(ActorSystem<?> system) {
            return new ContactRecovery();
        }
    };

    /**
     * How far the recovery is.
     *
     * @param complete whether every stored contact has been back at once
     * @param live     contacts with events that have finished recovering, on every node
     * @param stored   contacts the journal held at this node's start; empty while still counted
     */
    public record Progress(boolean complete, long live, Optional<Long> stored) {
    }

    /** Asks a node how many of its contacts are back. */
    public record CountLive(ActorRef<Live> replyTo) implements Command {
    }

    public record Live(long contacts) implements CborSerializable {
    }

    public sealed interface Command extends CborSerializable {
    }

    private enum Tick implements Command {
        INSTANCE
    }

    private record Counted(long live) implements Command {
    }

    /** The journal's count of contacts; negative when the query failed (asked again next tick). */
    private record StoredCounted(long contacts) implements Command {
    }

    /** Contacts with events, recovered and not stopped, on this node. */
    private final AtomicLong liveHere = new AtomicLong();
    private final AtomicLong erased = new AtomicLong();
    private volatile long stored = -1;
    private volatile long liveInCluster;
    private volatile boolean complete;
    private final long startedAt = System.nanoTime();

    private ContactRecovery() {
    }

    public static ContactRecovery get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** A contact with events finished its recovery on this node. */
    void recovered() {
        liveHere.incrementAndGet();
    }

    /** A contact counted by {@link #recovered} stopped (moved to another node, erased, shut down). */
    void stopped() {
        liveHere.decrementAndGet();
    }

    /** A contact stored at the start was erased: it will not come back. */
    void erased() {
        erased.incrementAndGet();
    }

    public Progress progress() {
        long total = stored;
        return new Progress(complete, liveInCluster,
                total < 0 ? Optional.empty() : Optional.of(Math.max(0, total - erased.get())));
    }

    /**
     * One a node: answers the others' counts and, until complete, sums every node's every second.
     *
     * @param storedContacts counts the contacts the journal holds (in production
     *                       {@link JournalIds#count}); asked again every second until it answers
     */
    public Behavior<Command> watch(Supplier<CompletionStage<Long>> storedContacts) {
        return Behaviors.setup(context -> {
            ActorSystem<?> system = context.getSystem();
            system.receptionist().tell(Receptionist.register(KEY, context.getSelf()));
            boolean[] countingStored = {false};
            Runnable countStored = () -> {
                countingStored[0] = true;
                context.pipeToSelf(storedContacts.get(), (contacts, failure) -> {
                    if (failure != null) {
                        LOG.warn("Counting the stored contacts failed, asking again: {}", failure.toString());
                    }
                    return new StoredCounted(failure == null ? contacts : -1);
                });
            };
            countStored.run();
            return Behaviors.withTimers(timers -> {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, EVERY);
                return Behaviors.receive(Command.class)
                        .onMessage(CountLive.class, ask -> {
                            ask.replyTo().tell(new Live(liveHere.get()));
                            return Behaviors.same();
                        })
                        .onMessage(StoredCounted.class, counted -> {
                            countingStored[0] = false;
                            if (counted.contacts() >= 0) {
                                stored = counted.contacts();
                                LOG.info("{} stored contacts to bring back, counted {} s after the start",
                                        stored, (System.nanoTime() - startedAt) / 1_000_000_000);
                                if (stored == 0) {
                                    // A new node, or one whose contacts were all erased: nothing to wait for.
                                    complete = true;
                                }
                            }
                            return Behaviors.same();
                        })
                        .onMessageEquals(Tick.INSTANCE, () -> {
                            if (stored < 0 && !countingStored[0]) {
                                countStored.run();
                            }
                            if (complete) {
                                timers.cancel(Tick.INSTANCE);
                            } else if (stored >= 0) {
                                context.pipeToSelf(countEverywhere(system), (live, failure) ->
                                        // A node that did not answer in time: try again next second.
                                        failure == null ? new Counted(live) : new Counted(-1));
                            }
                            return Behaviors.same();
                        })
                        .onMessage(Counted.class, counted -> {
                            if (counted.live() >= 0 && !complete) {
                                liveInCluster = counted.live();
                                long awaited = progress().stored().orElse(Long.MAX_VALUE);
                                if (counted.live() >= awaited) {
                                    complete = true;
                                    LOG.info("Every stored contact is back: {} of {} live, {} s after the start",
                                            counted.live(), awaited, (System.nanoTime() - startedAt) / 1_000_000_000);
                                }
                            }
                            return Behaviors.same();
                        })
                        .build();
            });
        });
    }

    private static CompletionStage<Long> countEverywhere(ActorSystem<?> system) {
        return EveryNode.ask(system, KEY, ASK_TIMEOUT,
                        node -> AskPattern.<Command, Live>ask(node, CountLive::new, ASK_TIMEOUT, system.scheduler()),
                        system.executionContext())
                .thenApply(answers -> answers.stream().mapToLong(Live::contacts).sum());
    }
}

package io.leadflame.leads;

import io.leadflame.changes.ScoreChange;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * One tenant's score changes as this node's live listeners receive them: subscribed to the
 * tenant's topic once for all of them, numbering each change ({@code id:} of the Server-Sent
 * Event, {@code <feed>-<n>}) and keeping the last {@link #KEEP} of them for {@link #RESUME_WINDOW},
 * so that a client reconnecting with {@code Last-Event-ID} gets exactly what it missed, or is
 * told it must reload when that is no longer here (another node, an older feed, too long ago).
 *
 * <p>A listener is answered only once the subscription is in place on every node (see
 * {@link ScoreChanges#confirmHeard}): a change made right after the answer is never missed. The
 * feed stops after {@link #RESUME_WINDOW} without listeners.
 */
public final class ScoreChangeFeed {

    /** Changes kept for resuming; fewer than a listener's buffer, so a resume never overflows it. */
    static final int KEEP = 500;
    static final Duration RESUME_WINDOW = Duration.ofMinutes(5);
    private static final Duration IDLE_CHECK = Duration.ofSeconds(30);

    public sealed interface Command {
    }

    /**
     * A listener to add: changes after {@code lastEventId} (if given) first, then every new one,
     * each as a {@link Numbered}. Answered with {@link Listening} once it is in place.
     */
    record Listen(ActorRef<Object> listener, Optional<String> lastEventId, ActorRef<Listening> replyTo)
            implements Command {
    }

    /** A listener's answer: {@code failure} when the subscription could not be confirmed everywhere. */
    public record Listening(Optional<String> mustReload, Optional<String> failure) {
    }

    /** A change as sent to a listener, with the id a client resumes from. */
    public record Numbered(String id, ScoreChange change) {
    }

    private record Changed(ScoreChange change) implements Command {
    }

    private record Confirmed(boolean ok, String why) implements Command {
    }

    private record ListenerGone(ActorRef<Object> listener) implements Command {
    }

    private enum IdleCheck implements Command {
        INSTANCE
    }

    private record Kept(long n, Numbered numbered, long atNanos) {
    }

    /**
     * @param confirm asks every node whether its contacts now publish to this node (started
     *                once the local subscription is in place; run again after a failure)
     * @param onStop  called as the feed stops for want of listeners
     */
    static Behavior<Command> create(String tenant, ActorRef<Topic.Command<ScoreChange>> topic,
                                    Supplier<CompletionStage<?>> confirm, Runnable onStop) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, IDLE_CHECK);
            ActorRef<ScoreChange> changes = context.messageAdapter(ScoreChange.class, Changed::new);
            topic.tell(Topic.subscribe(changes));
            return new Feed(tenant, confirm, onStop, context).confirming();
        }));
    }

    private static final class Feed {
        /** Tells the numbers of one feed from those of another (a restart, another node). */
        private final String name = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        private final ArrayDeque<Kept> kept = new ArrayDeque<>();
        private final Set<ActorRef<Object>> listeners = new HashSet<>();
        private final List<Listen> waiting = new ArrayList<>();
        private final String tenant;
        private final Supplier<CompletionStage<?>> confirm;
        private final Runnable onStop;
        private final org.apache.pekko.actor.typed.javadsl.ActorContext<Command> context;
        private long last;
        private boolean confirmed;
        private boolean confirming;
        private long idleSince = System.nanoTime();

        Feed(String tenant, Supplier<CompletionStage<?>> confirm, Runnable onStop,
             org.apache.pekko.actor.typed.javadsl.ActorContext<Command> context) {
            this.tenant = tenant;
            this.confirm = confirm;
            this.onStop = onStop;
            this.context = context;
        }

        Behavior<Command> confirming() {
            startConfirming();
            return Behaviors.receive(Command.class)
                    .onMessage(Listen.class, this::listen)
                    .onMessage(Confirmed.class, this::confirmed)
                    .onMessage(Changed.class, this::changed)
                    .onMessage(ListenerGone.class, gone -> {
                        listeners.remove(gone.listener());
                        if (listeners.isEmpty()) {
                            idleSince = System.nanoTime();
                        }
                        return Behaviors.same();
                    })
                    .onMessageEquals(IdleCheck.INSTANCE, this::idleCheck)
                    .build();
        }

        private void startConfirming() {
            if (confirming) {
                return;
            }
            confirming = true;
            context.pipeToSelf(confirm.get(), (ok, failure) -> failure == null ? new Confirmed(true, "")
                    : new Confirmed(false, String.valueOf(failure.getMessage())));
        }

        private Behavior<Command> listen(Listen listen) {
            if (!confirmed) {
                waiting.add(listen);
                startConfirming();
                return Behaviors.same();
            }
            add(listen);
            return Behaviors.same();
        }

        private Behavior<Command> confirmed(Confirmed result) {
            confirming = false;
            if (result.ok()) {
                confirmed = true;
                waiting.forEach(this::add);
            } else {
                context.getLog().warn("Score changes of tenant {} could not be subscribed on every node: {}",
                        tenant, result.why());
                waiting.forEach(listen -> listen.replyTo().tell(new Listening(Optional.empty(),
                        Optional.of("the live score changes could not be subscribed on every node"))));
            }
            waiting.clear();
            return Behaviors.same();
        }

        /** Replays what the listener missed, then keeps it: one actor, so nothing falls in between. */
        private void add(Listen listen) {
            Optional<String> mustReload = Optional.empty();
            if (listen.lastEventId().isPresent()) {
                mustReload = resumeAfter(listen.lastEventId().get(), listen.listener());
            }
            listeners.add(listen.listener());
            context.watchWith(listen.listener(), new ListenerGone(listen.listener()));
            listen.replyTo().tell(new Listening(mustReload, Optional.empty()));
        }

        /** Sends the kept changes after {@code lastEventId}; empty, or why the client must reload instead. */
        private Optional<String> resumeAfter(String lastEventId, ActorRef<Object> listener) {
            int dash = lastEventId.lastIndexOf('-');
            long after;
            try {
                after = dash < 0 ? -1 : Long.parseLong(lastEventId.substring(dash + 1));
            } catch (NumberFormatException e) {
                after = -1;
            }
            if (dash < 0 || after < 0 || !lastEventId.substring(0, dash).equals(name)) {
                return Optional.of("Last-Event-ID " + lastEventId + " is not one of this node's current "
                        + "stream: reload the call list");
            }
            expire();
            long oldest = kept.isEmpty() ? last + 1 : kept.peekFirst().n();
            if (after > last || after < oldest - 1) {
                return Optional.of("the changes after " + lastEventId + " are no longer kept (the last "
                        + KEEP + " for " + RESUME_WINDOW.toMinutes() + " minutes are): reload the call list");
            }
            for (Kept k : kept) {
                if (k.n() > after) {
                    listener.tell(k.numbered());
                }
            }
            return Optional.empty();
        }

        private Behavior<Command> changed(Changed changed) {
            last++;
            Numbered numbered = new Numbered(name + "-" + last, changed.change());
            kept.addLast(new Kept(last, numbered, System.nanoTime()));
            if (kept.size() > KEEP) {
                kept.removeFirst();
            }
            listeners.forEach(listener -> listener.tell(numbered));
            return Behaviors.same();
        }

        private void expire() {
            long oldestKept = System.nanoTime() - RESUME_WINDOW.toNanos();
            while (!kept.isEmpty() && kept.peekFirst().atNanos() - oldestKept < 0) {
                kept.removeFirst();
            }
        }

        private Behavior<Command> idleCheck() {
            expire();
            if (listeners.isEmpty() && waiting.isEmpty()
                    && System.nanoTime() - idleSince > RESUME_WINDOW.toNanos()) {
                onStop.run();
                return Behaviors.stopped();
            }
            return Behaviors.same();
        }
    }
}

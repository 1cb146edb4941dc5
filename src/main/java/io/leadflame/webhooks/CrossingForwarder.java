package io.leadflame.webhooks;

import io.leadflame.changes.ScoreChange;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Carries this node's crossings to their tenants' outboxes: a batch per tenant at a time (up to
 * {@link #BATCH}), the next only once the outbox answers that the batch is persisted, the same
 * batch again when it does not answer (the outbox moving, restarting its ledger, a journal
 * failure; delivery ids make a batch sent twice harmless). A crossing is only lost if this node
 * dies before its batch is persisted. At a node's shutdown the outboxes get what is held
 * before sharding stops ({@link Drain}).
 */
public final class CrossingForwarder extends AbstractBehavior<CrossingForwarder.Command> {

    static final int BATCH = 1_000;
    /** Crossings held at most (the outboxes cannot persist: a journal outage); beyond, dropped with an error. */
    static final int MAX_HELD = 1_000_000;
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    public sealed interface Command {
    }

    /** A change that crossed one of its tenant's triggers (see {@link WebhookTriggers}). */
    public record Forward(ScoreChange change) implements Command {
    }

    /** Answers once nothing is held (shutdown). */
    public record Drain(ActorRef<Done> replyTo) implements Command {
    }

    private record Persisted(String tenant) implements Command {
    }

    private record NotPersisted(String tenant, String why) implements Command {
    }

    private record Retry(String tenant) implements Command {
    }

    /** A tenant's crossings: waiting, and the batch its outbox has not answered yet (null: none). */
    private static final class Queue {
        final ArrayDeque<ScoreChange> waiting = new ArrayDeque<>();
        List<ScoreChange> sent;
    }

    public static Behavior<Command> create() {
        return Behaviors.setup(CrossingForwarder::new);
    }

    private final ClusterSharding sharding;
    private final Map<String, Queue> queues = new HashMap<>();
    private final List<ActorRef<Done>> drained = new ArrayList<>();
    private long held;
    private long dropped;

    private CrossingForwarder(ActorContext<Command> context) {
        super(context);
        this.sharding = ClusterSharding.get(context.getSystem());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Forward.class, this::onForward)
                .onMessage(Persisted.class, persisted -> {
                    Queue queue = queues.get(persisted.tenant());
                    held -= queue.sent.size();
                    queue.sent = null;
                    send(persisted.tenant(), queue);
                    return answerDrains();
                })
                .onMessage(NotPersisted.class, this::onNotPersisted)
                .onMessage(Retry.class, retry -> {
                    send(retry.tenant(), queues.get(retry.tenant()));
                    return this;
                })
                .onMessage(Drain.class, drain -> {
                    drained.add(drain.replyTo());
                    return answerDrains();
                })
                .build();
    }

    private Behavior<Command> onForward(Forward forward) {
        if (held >= MAX_HELD) {
            if (dropped++ % 10_000 == 0) {
                getContext().getLog().error("{} webhook crossings dropped: {} are waiting for their outboxes",
                        dropped, held);
            }
            return this;
        }
        String tenant = forward.change().tenant();
        Queue queue = queues.computeIfAbsent(tenant, t -> new Queue());
        queue.waiting.add(forward.change());
        held++;
        send(tenant, queue);
        return this;
    }

    private void send(String tenant, Queue queue) {
        if (queue.sent != null || queue.waiting.isEmpty()) {
            return;
        }
        List<ScoreChange> batch = new ArrayList<>(Math.min(BATCH, queue.waiting.size()));
        while (batch.size() < BATCH && !queue.waiting.isEmpty()) {
            batch.add(queue.waiting.poll());
        }
        queue.sent = batch;
        getContext().pipeToSelf(sharding.entityRefFor(WebhookOutbox.TYPE_KEY, tenant)
                        .<Done>ask(replyTo -> new WebhookOutbox.Record(batch, replyTo), ASK_TIMEOUT),
                (done, failure) -> failure == null ? new Persisted(tenant) : new NotPersisted(tenant, failure.toString()));
    }

    private Behavior<Command> onNotPersisted(NotPersisted failed) {
        getContext().getLog().warn("{} crossings of {} not persisted by its outbox, sent again in {}: {}",
                queues.get(failed.tenant()).sent.size(), failed.tenant(), RETRY_AFTER, failed.why());
        Queue queue = queues.get(failed.tenant());
        List<ScoreChange> batch = queue.sent;
        for (int i = batch.size() - 1; i >= 0; i--) {
            queue.waiting.addFirst(batch.get(i));
        }
        queue.sent = null;
        getContext().scheduleOnce(RETRY_AFTER, getContext().getSelf(), new Retry(failed.tenant()));
        return this;
    }

    private Behavior<Command> answerDrains() {
        if (held == 0 && !drained.isEmpty()) {
            drained.forEach(d -> d.tell(Done.getInstance()));
            drained.clear();
        }
        return this;
    }
}

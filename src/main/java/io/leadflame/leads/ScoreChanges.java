package io.leadflame.leads;

import io.leadflame.model.ScoreNames;
import io.leadflame.changes.ScoreChange;
import io.leadflame.cluster.EveryNode;
import io.leadflame.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.AskTimeoutException;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.StreamSupport;

/**
 * The score changes of each tenant, across the cluster: one pub-sub {@link Topic} per tenant,
 * whose instance on this node contacts publish to and live listeners subscribe to. The topics
 * of the nodes find one another through the receptionist, so a listener on one node hears the
 * contacts of all nodes.
 *
 * <p>Most of the time nobody listens: a contact then publishes nothing at all (a topic would
 * hand each change to dead letters). Whether anyone listens anywhere is asked of each topic
 * every {@link #CHECK_LISTENERS_EVERY}; a new listener is answered only once every node has been
 * told ({@link #confirmHeard}), so that it misses no change made after its answer.
 *
 * <p>The listeners of a tenant on this node share one {@link ScoreChangeFeed}, which numbers the
 * changes and keeps the last few for clients that reconnect with {@code Last-Event-ID}.
 */
public final class ScoreChanges implements Extension {

    static final Duration CHECK_LISTENERS_EVERY = Duration.ofMillis(500);
    private static final Duration HEARING_POLL = Duration.ofMillis(25);
    private static final ServiceKey<Hear> HEARING = ServiceKey.create(Hear.class, "score-changes-hearing");

    /** Asks a node to publish the tenant's changes as soon as its topic knows of a listener anywhere. */
    public record Hear(String tenant, ActorRef<Heard> replyTo) implements CborSerializable {
    }

    /** The node's contacts of the tenant now publish to every listener's node. */
    public record Heard(String tenant) implements CborSerializable {
    }

    private static final ExtensionId<ScoreChanges> ID = new ExtensionId<>() {
        @Override
        public ScoreChanges createExtension(ActorSystem<?> system) {
            return new ScoreChanges(system);
        }
    };

    public static ScoreChanges get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** A tenant's topic on this node, and whether it knows of a listener on any node. */
    private static final class TenantTopic {
        final ActorRef<Topic.Command<ScoreChange>> topic;
        volatile boolean heard;
        /** When a listener was last confirmed heard: an older "nobody listens" must not undo it. */
        volatile long heardConfirmedAt;

        TenantTopic(ActorRef<Topic.Command<ScoreChange>> topic) {
            this.topic = topic;
        }
    }

    private final ActorSystem<?> system;
    private final ConcurrentHashMap<String, TenantTopic> topics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ActorRef<ScoreChangeFeed.Command>> feeds = new ConcurrentHashMap<>();

    private ScoreChanges(ActorSystem<?> system) {
        this.system = system;
        system.scheduler().scheduleAtFixedRate(CHECK_LISTENERS_EVERY, CHECK_LISTENERS_EVERY,
                this::checkListeners, system.executionContext());
        ActorRef<Hear> hearing = system.systemActorOf(Behaviors.receive(Hear.class)
                .onMessage(Hear.class, hear -> {
                    hearing(hear.tenant()).thenRun(() -> hear.replyTo().tell(new Heard(hear.tenant())));
                    return Behaviors.same();
                })
                .build(), "score-changes-hearing", Props.empty());
        system.receptionist().tell(Receptionist.register(HEARING, hearing));
    }

    /**
     * Adds a live listener of the tenant's changes on this node (a stream's actor, receiving
     * {@link ScoreChangeFeed.Numbered}), resuming after {@code lastEventId} when given. Completes
     * once the listener hears every node, or fails with a {@link TimeoutException}.
     */
    public CompletionStage<ScoreChangeFeed.Listening> listen(String tenant, ActorRef<Object> listener,
                                                            Optional<String> lastEventId, Duration timeout) {
        return askFeed(tenant, listener, lastEventId, timeout).exceptionallyCompose(failure ->
                // A feed that stopped for want of listeners as this one came: a new feed takes it.
                failure instanceof AskTimeoutException || failure.getCause() instanceof AskTimeoutException
                        ? askFeed(tenant, listener, lastEventId, timeout)
                        : CompletableFuture.failedFuture(failure));
    }

    private CompletionStage<ScoreChangeFeed.Listening> askFeed(String tenant, ActorRef<Object> listener,
                                                              Optional<String> lastEventId, Duration timeout) {
        ActorRef<ScoreChangeFeed.Command> feed = feeds.computeIfAbsent(tenant, t -> {
            String name = "score-change-feed-" + t + "-" + System.nanoTime();
            ActorRef<ScoreChangeFeed.Command>[] self = new ActorRef[1];
            self[0] = system.systemActorOf(ScoreChangeFeed.create(t, topic(t), () -> confirmHeard(t, timeout),
                    () -> feeds.remove(t, self[0])), name, Props.empty());
            return self[0];
        });
        return AskPattern.ask(feed, replyTo -> new ScoreChangeFeed.Listen(listener, lastEventId, replyTo),
                timeout.plus(timeout), system.scheduler());
    }

    /**
     * Completes once this node's topic has the tenant's feed subscribed and every node's contacts
     * publish to it: each node confirms that its topic instance knows of a listener. A node whose
     * confirming actor the receptionist does not list yet (a node just joined) would be skipped:
     * asked again until as many nodes answer as the cluster has members up.
     */
    private CompletionStage<?> confirmHeard(String tenant, Duration timeout) {
        long giveUpAt = System.nanoTime() + timeout.toNanos();
        return hearing(tenant).thenCompose(here -> confirmEveryNode(tenant, timeout, giveUpAt));
    }

    private CompletionStage<?> confirmEveryNode(String tenant, Duration timeout, long giveUpAt) {
        return EveryNode.ask(system, HEARING, timeout,
                        node -> AskPattern.<Hear, Heard>ask(node, replyTo -> new Hear(tenant, replyTo), timeout,
                                system.scheduler()), system.executionContext())
                .thenCompose(heard -> {
                    long up = membersUp();
                    if (heard.size() >= up) {
                        return CompletableFuture.completedFuture(heard);
                    }
                    if (System.nanoTime() - giveUpAt > 0) {
                        return CompletableFuture.failedFuture(new TimeoutException(heard.size() + " of " + up
                                + " nodes confirmed within " + timeout));
                    }
                    CompletableFuture<Object> again = new CompletableFuture<>();
                    system.scheduler().scheduleOnce(HEARING_POLL.multipliedBy(4), () ->
                            confirmEveryNode(tenant, timeout, giveUpAt).whenComplete((ok, failure) -> {
                                if (failure == null) {
                                    again.complete(ok);
                                } else {
                                    again.completeExceptionally(failure);
                                }
                            }), system.executionContext());
                    return again;
                });
    }

    /** The cluster's members that are up (1 outside a cluster: the tests of a lone contact). */
    private long membersUp() {
        if (!"cluster".equals(system.settings().config().getString("pekko.actor.provider"))) {
            return 1;
        }
        return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
                .filter(member -> member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp())
                .count();
    }

    /**
     * Completes once the tenant's topic on this node knows of a listener (here or on another
     * node), with this node's contacts publishing to it from then on; polled, since Pekko's topic
     * learns of the others through the receptionist. Never completes for a tenant nobody listens
     * to: the asker's timeout ends the wait.
     */
    private CompletionStage<Void> hearing(String tenant) {
        TenantTopic tenantTopic = tenantTopic(tenant);
        CompletableFuture<Void> heard = new CompletableFuture<>();
        pollHearing(tenantTopic, heard, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        return heard;
    }

    private void pollHearing(TenantTopic tenant, CompletableFuture<Void> heard, long giveUpAt) {
        AskPattern.<Topic.Command<ScoreChange>, Topic.TopicStats>ask(tenant.topic, Topic::getTopicStats,
                        HEARING_POLL.multipliedBy(40), system.scheduler())
                .whenComplete((stats, failure) -> {
                    if (stats != null && listened(stats)) {
                        tenant.heardConfirmedAt = System.nanoTime();
                        tenant.heard = true;
                        heard.complete(null);
                    } else if (System.nanoTime() - giveUpAt < 0) {
                        system.scheduler().scheduleOnce(HEARING_POLL,
                                () -> pollHearing(tenant, heard, giveUpAt), system.executionContext());
                    } else {
                        heard.completeExceptionally(new TimeoutException("no listener known to the topic"));
                    }
                });
    }

    /** This node's instance of the tenant's topic, started on first use. */
    public ActorRef<Topic.Command<ScoreChange>> topic(String tenant) {
        return tenantTopic(tenant).topic;
    }

    private TenantTopic tenantTopic(String tenant) {
        return topics.computeIfAbsent(tenant, t -> new TenantTopic(system.systemActorOf(
                Topic.create(ScoreChange.class, "score-changes-" + t), "score-changes-" + t, Props.empty())));
    }

    /**
     * Whether anyone listens to the changes of the score of {@code key} on any node: a change
     * published now is heard. Each score has a topic of its own: the key of its model (the
     * tenant's name for its default score; {@link ScoreNames}).
     */
    public boolean heard(String key) {
        TenantTopic topic = topics.get(key);
        return topic != null && topic.heard;
    }

    /** Publishes the change if anyone listens to its score on any node. */
    public void publish(ScoreChange change) {
        TenantTopic tenant = tenantTopic(change.scoreName() == null ? change.tenant()
                : ScoreNames.key(change.tenant(), change.scoreName()));
        if (tenant.heard) {
            tenant.topic.tell(Topic.publish(change));
        }
    }

    /** Whether the topic knows of a listener: one here, or another node's topic instance. */
    private static boolean listened(Topic.TopicStats stats) {
        return stats.topicInstanceCount() > 0 || stats.localSubscriberCount() > 0;
    }

    private void checkListeners() {
        topics.values().forEach(tenant -> {
            long askedAt = System.nanoTime();
            AskPattern.<Topic.Command<ScoreChange>, Topic.TopicStats>ask(tenant.topic,
                            Topic::getTopicStats, CHECK_LISTENERS_EVERY, system.scheduler())
                    .whenComplete((stats, failure) -> {
                        if (stats == null) {
                            return;
                        }
                        boolean listened = listened(stats);
                        if (listened || askedAt - tenant.heardConfirmedAt > 0) {
                            tenant.heard = listened;
                        }
                    });
        });
    }
}

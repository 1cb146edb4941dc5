package io.leadflame.leads;

import io.leadflame.changes.ScoreChange;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The score changes of each tenant, across the cluster: one pub-sub {@link Topic} per tenant,
 * whose instance on this node contacts publish to and live listeners subscribe to. The topics
 * of the nodes find one another through the receptionist, so a listener on one node hears the
 * contacts of all nodes.
 *
 * <p>Most of the time nobody listens: a contact then publishes nothing at all (a topic would
 * hand each change to dead letters). Whether anyone listens anywhere is asked of each topic
 * every {@link #CHECK_LISTENERS_EVERY}, so a new listener hears this node's contacts within
 * about that.
 */
public final class ScoreChanges implements Extension {

    static final Duration CHECK_LISTENERS_EVERY = Duration.ofMillis(500);

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

        TenantTopic(ActorRef<Topic.Command<ScoreChange>> topic) {
            this.topic = topic;
        }
    }

    private final ActorSystem<?> system;
    private final ConcurrentHashMap<String, TenantTopic> topics = new ConcurrentHashMap<>();

    private ScoreChanges(ActorSystem<?> system) {
        this.system = system;
        system.scheduler().scheduleAtFixedRate(CHECK_LISTENERS_EVERY, CHECK_LISTENERS_EVERY,
                this::checkListeners, system.executionContext());
    }

    /** This node's instance of the tenant's topic, started on first use. */
    public ActorRef<Topic.Command<ScoreChange>> topic(String tenant) {
        return tenantTopic(tenant).topic;
    }

    private TenantTopic tenantTopic(String tenant) {
        return topics.computeIfAbsent(tenant, t -> new TenantTopic(system.systemActorOf(
                Topic.create(ScoreChange.class, "score-changes-" + t), "score-changes-" + t, Props.empty())));
    }

    /** Publishes the change if anyone listens to its tenant on any node. */
    public void publish(ScoreChange change) {
        TenantTopic tenant = tenantTopic(change.tenant());
        if (tenant.heard) {
            tenant.topic.tell(Topic.publish(change));
        }
    }

    private void checkListeners() {
        topics.values().forEach(tenant -> AskPattern.<Topic.Command<ScoreChange>, Topic.TopicStats>ask(tenant.topic,
                        Topic::getTopicStats, CHECK_LISTENERS_EVERY, system.scheduler())
                .whenComplete((stats, failure) -> {
                    if (stats != null) {
                        tenant.heard = stats.topicInstanceCount() > 0 || stats.localSubscriberCount() > 0;
                    }
                }));
    }
}

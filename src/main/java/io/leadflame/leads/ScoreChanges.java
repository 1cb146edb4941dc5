package io.leadflame.leads;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The score changes of each tenant, across the cluster: one pub-sub {@link Topic} per tenant,
 * whose instance on this node contacts publish to and live listeners subscribe to. The topics
 * of the nodes find one another through the receptionist, so a listener on one node hears the
 * contacts of all nodes. A topic with no subscriber anywhere drops what it is sent.
 */
public final class ScoreChanges implements Extension {

    private static final ExtensionId<ScoreChanges> ID = new ExtensionId<>() {
        @Override
        public ScoreChanges createExtension(ActorSystem<?> system) {
            return new ScoreChanges(system);
        }
    };

    public static ScoreChanges get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    private final ActorSystem<?> system;
    private final ConcurrentHashMap<String, ActorRef<Topic.Command<ScoreChange>>> topics = new ConcurrentHashMap<>();

    private ScoreChanges(ActorSystem<?> system) {
        this.system = system;
    }

    /** This node's instance of the tenant's topic, started on first use. */
    public ActorRef<Topic.Command<ScoreChange>> topic(String tenant) {
        return topics.computeIfAbsent(tenant, t -> system.systemActorOf(
                Topic.create(ScoreChange.class, "score-changes-" + t), "score-changes-" + t, Props.empty()));
    }

    public void publish(ScoreChange change) {
        topic(change.tenant()).tell(Topic.publish(change));
    }
}

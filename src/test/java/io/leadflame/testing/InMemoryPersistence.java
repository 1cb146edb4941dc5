package io.leadflame.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * An actor system for entity tests: the in-memory journal and snapshot store of the
 * persistence testkit, with the service's own serialization bindings so that every command,
 * event and state is checked for serialization as it would be across nodes.
 */
public final class InMemoryPersistence {

    private InMemoryPersistence() {
    }

    public static ActorTestKit testKit() {
        return ActorTestKit.create(config());
    }

    /**
     * The in-memory journal with the service's serialization bindings, to build on; the webhook
     * outboxes' strict snapshot store is the in-memory one too.
     */
    public static Config config() {
        return ConfigFactory.parseString("jdbc-snapshot-store-strict = ${pekko.persistence.testkit.snapshotstore.pluginid}")
                .withFallback(ConfigFactory.parseResources("serialization.conf"))
                .withFallback(EventSourcedBehaviorTestKit.config())
                .resolve();
    }
}

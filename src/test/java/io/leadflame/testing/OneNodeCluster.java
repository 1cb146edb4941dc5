package io.leadflame.testing;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.util.Map;

/**
 * An actor system that is a one-node cluster (joined to itself, on a free port), with the
 * service's serialization bindings: for tests of actors that talk to sharded entities.
 */
public final class OneNodeCluster {

    private OneNodeCluster() {
    }

    public static ActorTestKit testKit() {
        ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0))
                .withFallback(ConfigFactory.parseResources("serialization.conf")));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        return testKit;
    }
}

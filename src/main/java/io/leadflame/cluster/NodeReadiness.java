package io.leadflame.cluster;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The node's {@link Readiness}, held per actor system so that code Pekko instantiates by class
 * name ({@link ManagementReadinessCheck}) answers exactly what {@code /health/ready} answers.
 * Until Main {@linkplain #set sets} it (the node is still starting) the node is not ready.
 */
public final class NodeReadiness implements Extension {

    private static final ExtensionId<NodeReadiness> ID = new ExtensionId<>() {
        @Override
        public NodeReadiness createExtension(ActorSystem<?> system) {
            return new NodeReadiness();
        }
    };

    private volatile Readiness readiness;

    private NodeReadiness() {
    }

    public static NodeReadiness get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** Called once by Main when every part that readiness checks has been started. */
    public void set(Readiness readiness) {
        this.readiness = readiness;
    }

    public CompletionStage<Readiness.Result> check() {
        Readiness current = readiness;
        return current == null
                ? CompletableFuture.completedFuture(Readiness.Result.notReady("The node is still starting."))
                : current.check();
    }
}

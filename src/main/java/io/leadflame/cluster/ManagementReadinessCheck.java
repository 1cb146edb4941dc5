package io.leadflame.cluster;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Pekko Management's readiness check ({@code /ready} on the management port), configured by
 * class name under {@code pekko.management.health-checks.readiness-checks}: it answers the same
 * {@link Readiness} as {@code /health/ready} on the API port, so Kubernetes probes and load
 * balancers may use either. A node that is not ready fails the stage with the reason, which
 * Pekko Management puts in its 500 answer.
 */
public final class ManagementReadinessCheck implements Supplier<CompletionStage<Boolean>> {

    private final NodeReadiness readiness;

    /** Pekko Management instantiates this reflectively with the node's (classic) actor system. */
    public ManagementReadinessCheck(ActorSystem system) {
        this.readiness = NodeReadiness.get(Adapter.toTyped(system));
    }

    @Override
    public CompletionStage<Boolean> get() {
        return readiness.check().thenCompose(result -> result.ready()
                ? CompletableFuture.completedFuture(true)
                : CompletableFuture.failedFuture(new NotReady(result.reason())));
    }

    /** The reason a node is not ready, without a stack trace: it is an answer, not a bug. */
    static final class NotReady extends RuntimeException {
        NotReady(String reason) {
            super(reason, null, false, false);
        }
    }
}

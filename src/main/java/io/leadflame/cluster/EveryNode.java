package io.leadflame.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Asks the one actor each node registered under a receptionist key and gathers every answer:
 * how the call list, the stats and the restart progress see the whole cluster. Fails when the
 * receptionist or one of the actors does not answer in time, so a caller never mistakes a silent
 * node for an empty one.
 */
public final class EveryNode {

    private EveryNode() {
    }

    /** The actor each node registered under {@code key}, as the receptionist lists them now. */
    public static <T> CompletionStage<List<ActorRef<T>>> instances(ActorSystem<?> system, ServiceKey<T> key,
                                                                  Duration timeout) {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(key, replyTo), timeout, system.scheduler())
                .thenApply(listing -> List.copyOf(listing.getServiceInstances(key)));
    }

    public static <T, R> CompletionStage<List<R>> ask(ActorSystem<?> system, ServiceKey<T> key, Duration timeout,
                                                      Function<ActorRef<T>, CompletionStage<R>> ask,
                                                      Executor executor) {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(key, replyTo), timeout, system.scheduler())
                .thenComposeAsync(listing -> {
                    List<CompletableFuture<R>> answers = listing.getServiceInstances(key).stream()
                            .map(instance -> ask.apply(instance).toCompletableFuture()).toList();
                    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                            .thenApplyAsync(done -> answers.stream().map(CompletableFuture::join).toList(), executor);
                }, executor);
    }
}

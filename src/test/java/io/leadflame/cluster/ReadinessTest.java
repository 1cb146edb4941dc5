package io.leadflame.cluster;

import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node is not ready while one of its supervised singletons (the model replicator, the
 * rescorer) is restarting after a failure: it does not answer a ping until it runs again.
 */
class ReadinessTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static ActorTestKit testKit;

    private sealed interface Command {
    }

    private record Ping(ActorRef<Done> replyTo) implements Command {
    }

    private record Fail() implements Command {
    }

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static Behavior<Command> answering() {
        return Behaviors.receiveMessage(command -> {
            if (command instanceof Fail) {
                throw new IllegalStateException("a failure, on purpose");
            }
            ((Ping) command).replyTo().tell(Done.getInstance());
            return Behaviors.same();
        });
    }

    private static Readiness.Result check(Readiness.Check check) throws Exception {
        return check.run().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void anActorRestartingWithBackoffMakesTheNodeNotReadyUntilItRunsAgain() throws Exception {
        ActorRef<Command> actor = testKit.spawn(Behaviors.supervise(answering())
                .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(2), Duration.ofSeconds(2), 0)));
        Readiness.Check answers = Readiness.answers(testKit.system(), "replicator", actor, Ping::new, TIMEOUT);
        assertTrue(check(answers).ready());

        actor.tell(new Fail());
        Readiness.Result during = check(answers);
        assertFalse(during.ready());
        assertTrue(during.reason().contains("replicator"), during.reason());

        io.leadflame.testing.Eventually.eventually(Duration.ofSeconds(10), () -> assertTrue(check(answers).ready()));
    }

    @Test
    void checksInOrderStopAtTheFirstThatFails() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Readiness.Check fails = () -> {
            ran.incrementAndGet();
            return CompletableFuture.completedFuture(Readiness.Result.notReady("first"));
        };
        Readiness.Check second = () -> {
            ran.incrementAndGet();
            return CompletableFuture.completedFuture(Readiness.Result.ok());
        };
        assertEquals("first", check(Readiness.inOrder(second, fails, second)).reason());
        assertEquals(2, ran.get(), "the check after the failing one is not run");
        assertTrue(check(Readiness.inOrder(second, second)).ready());
    }
}

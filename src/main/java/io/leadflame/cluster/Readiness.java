package io.leadflame.cluster;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Whether this node should receive traffic: it is Up in the cluster and its journal answers a
 * query. Further conditions (sharding started, models loaded) are added with {@link #and}.
 * Checks run on every call, in order, and stop at the first that fails.
 */
public final class Readiness {

    /** A persistence id nothing ever writes: looking it up is a primary-key probe of the journal table. */
    static final String PROBE_PERSISTENCE_ID = "leadflame-readiness-probe";

    /**
     * The outcome of a check.
     *
     * @param ready  whether the condition holds
     * @param reason why not, for the 503 body and the log; empty when ready
     */
    public record Result(boolean ready, String reason) {
        public Result {
            Objects.requireNonNull(reason, "reason");
        }

        public static Result ok() {
            return new Result(true, "");
        }

        public static Result notReady(String reason) {
            return new Result(false, reason);
        }
    }

    /** One condition for readiness; must answer promptly and never fail its stage. */
    @FunctionalInterface
    public interface Check {
        CompletionStage<Result> run();
    }

    private final List<Check> checks;
    private final Executor executor;

    private Readiness(List<Check> checks, Executor executor) {
        this.checks = List.copyOf(checks);
        this.executor = executor;
    }

    /** Membership Up, then a journal probe bounded by {@code journalTimeout}. */
    public static Readiness forNode(ActorSystem<?> system, Duration journalTimeout) {
        return new Readiness(List.of(memberUp(system), journalAnswers(system, journalTimeout)),
                system.executionContext());
    }

    /** This node's own member is Up: it has joined and is not leaving. */
    public static Check memberUp(ActorSystem<?> system) {
        Cluster cluster = Cluster.get(system);
        return () -> {
            MemberStatus status = cluster.selfMember().status();
            return CompletableFuture.completedFuture(status == MemberStatus.up()
                    ? Result.ok()
                    : Result.notReady("This node is not Up in the cluster (it is " + status + ")."));
        };
    }

    /**
     * The journal answers a primary-key lookup within {@code timeout}: the database is
     * reachable, the journal table exists and the plugin's connection pool is not saturated.
     */
    public static Check journalAnswers(ActorSystem<?> system, Duration timeout) {
        JdbcReadJournal journal = PersistenceQuery.get(system)
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        Executor executor = system.executionContext();
        return () -> {
            // A future of our own: the timeout must not depend on how the plugin's stage behaves.
            CompletableFuture<Result> result = new CompletableFuture<>();
            journal.currentLastSequenceNumberByPersistenceId(PROBE_PERSISTENCE_ID)
                    .whenCompleteAsync((answer, failure) -> result.complete(failure == null
                            ? Result.ok()
                            : Result.notReady("The journal failed: " + describe(failure))), executor);
            return result.completeOnTimeout(
                    Result.notReady("The journal did not answer within " + timeout + "."),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
        };
    }

    /**
     * {@code actor} answers a ping within {@code timeout}: it runs (a supervised actor restarting
     * with backoff after a failure does not answer meanwhile, and the node is then not ready).
     *
     * @param what what the actor is, for the reason
     * @param ping the actor's ping message, answering {@code Done} to the given reference
     */
    public static <T> Check answers(ActorSystem<?> system, String what, ActorRef<T> actor,
                                    Function<ActorRef<Done>, T> ping, Duration timeout) {
        Executor executor = system.executionContext();
        return () -> AskPattern.<T, Done>ask(actor, ping::apply, timeout, system.scheduler())
                .handleAsync((done, failure) -> failure == null ? Result.ok()
                        : Result.notReady("The " + what + " does not answer (restarting after a failure?)."), executor);
    }

    /**
     * This node's actor for {@code key} is listed by the receptionist: what other parts of the
     * node (and the other nodes) find it through. A registration becomes visible only after the
     * receptionist's next replication tick (a few hundred ms after the node's start, measured), and
     * a call list asked meanwhile heard no node and answered empty, not partial.
     */
    public static <T> Check listed(ActorSystem<?> system, String what, ServiceKey<T> key, Duration timeout) {
        Executor executor = system.executionContext();
        return () -> AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(key, replyTo), timeout, system.scheduler())
                .handleAsync((listing, failure) -> failure == null && listing.getServiceInstances(key).stream()
                        .anyMatch(ref -> ref.path().address().hasLocalScope())
                        ? Result.ok() : Result.notReady("The " + what + " is not registered yet."), executor);
    }

    /** One check made of {@code checks}, run in order up to the first that fails. */
    public static Check inOrder(Check... checks) {
        return () -> {
            CompletionStage<Result> result = CompletableFuture.completedFuture(Result.ok());
            for (Check next : checks) {
                result = result.thenCompose(r -> r.ready() ? next.run() : CompletableFuture.completedFuture(r));
            }
            return result;
        };
    }

    /** A readiness that also requires {@code check}, run after the existing ones. */
    public Readiness and(Check check) {
        List<Check> more = new ArrayList<>(checks);
        more.add(check);
        return new Readiness(more, executor);
    }

    public CompletionStage<Result> check() {
        CompletionStage<Result> result = CompletableFuture.completedFuture(Result.ok());
        for (Check next : checks) {
            result = result.thenComposeAsync(r -> r.ready() ? next.run() : CompletableFuture.completedFuture(r),
                    executor);
        }
        return result;
    }

    private static String describe(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t instanceof CompletionException) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}

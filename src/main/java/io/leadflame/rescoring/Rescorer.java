package io.leadflame.rescoring;

import io.leadflame.changes.ScoreChange;
import io.leadflame.contact.ContactEffects;
import io.leadflame.contact.ContactEntity;
import io.leadflame.leads.Lead;
import io.leadflame.leads.NamedScores;
import io.leadflame.leads.LeadIndex;
import io.leadflame.leads.Standing;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.PublishedModel;
import io.leadflame.model.ScoreNames;
import io.leadflame.model.ScoringModelEntity;
import io.leadflame.model.VersionedModel;
import io.leadflame.scoring.Instants;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.Scorer;
import io.leadflame.scoring.ScoringModel;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Rescores this node's contacts of a tenant after its model changed. Remember-entities keeps
 * every contact live and each live contact with events has its place in the node's
 * {@link LeadIndex}, so the contacts to rescore are read from there. Each lead carries the
 * history it was scored from and its contact's {@link Standing}, so the rescoring scores it
 * itself, in chunks on the node's dispatcher, and places the new lead through the standing,
 * without a message to the contact (a message and its answer per contact were two thirds of a
 * rescoring of a million). A contact is sent a message only when it must act: its timer is
 * armed later than the new model's next change, or it was scored provisionally and compares
 * with its history as recovered. Progress is reported to the tenant's
 * {@link ScoringModelEntity}, which adds up the nodes for {@code GET /model/rescoring}.
 * (Without the call list, a measurement switch, the index is empty and so is a rescoring:
 * scores are computed when read.)
 */
public final class Rescorer extends AbstractBehavior<Rescorer.Command> {

    private static final Duration REPORT_INTERVAL = Duration.ofMillis(250);
    /** A contact rescores in microseconds to a second (a costly model): minutes mean it is not there. */
    private static final Duration ANSWER_DEADLINE = Duration.ofSeconds(30);
    private static final int ATTEMPTS = 3;
    /**
     * Leads a chunk scores: a few milliseconds of work, so that a chunk at a time per core
     * leaves the dispatcher to the node's other actors between chunks.
     */
    private static final int CHUNK = 1_000;

    public sealed interface Command {
    }

    /** Answers {@code Done}: the node's readiness asks whether this actor runs. */
    public record Ping(ActorRef<Done> replyTo) implements Command {
    }

    /** The tenant's model changed to this version on this node: rescore its local contacts. */
    public record RescoreTenant(PublishedModel model) implements Command {
    }

    private record ContactRescored(ContactEntity.Rescored rescored) implements Command {
    }

    /**
     * A chunk of a job's leads, scored and placed off this actor: how many counted, how many
     * were listed twice, and the numbers still to ask by message.
     */
    private record ChunkScored(Job job, int from, int to, int rescored, int listedTwice, int[] toAsk, int askCount,
                               Throwable failure) implements Command {
    }

    private enum ReportTick implements Command {
        INSTANCE
    }

    /**
     * A tenant's rescoring on this node. A newer version replaces the job of an older one. Its
     * contacts are numbered (the index's leads, then those awaiting the model). The leads are
     * scored in chunks off this actor; a contact that must be asked (see the class comment) and
     * each one awaiting the model get a request that carries its number and the job's id back
     * in its answer, so that an answer is a bit cleared, with no entity id compared or hashed.
     * A contact listed twice (the index read while it moved from one score to another, or
     * awaiting the model and then placed) is found out by its standing, which remembers the job
     * and number it was counted under, and counts once.
     */
    private static final class Job {
        final int id;
        final String tenant;
        final long version;
        /** The contacts of the node's index, each with its actor to ask directly: numbers 0 to placed.length - 1. */
        final Lead[] placed;
        /**
         * The contacts taken from those awaiting the model, asked through sharding: the numbers
         * after those. A job that replaces this one asks them too.
         */
        final List<String> awaitingModel;
        /** The next of {@link #placed} to hand to a chunk, and the chunks being scored. */
        int nextPlaced;
        int chunksRunning;
        /** Set when a newer version replaces this job: its chunks stop early. */
        volatile boolean replaced;
        /** The numbers to ask by message, in order: a queue in {@code toAsk[askHead..askTail)}. */
        int[] toAsk = new int[16];
        int askHead;
        int askTail;
        /** The numbers asked and not yet answered: only their answers count (not late ones of an older job). */
        final BitSet inFlight = new BitSet();
        int inFlightCount;
        /** When each number was last asked ({@code System.nanoTime}), and how often. */
        final long[] askedAt;
        final byte[] attempts;
        long rescored;
        /** Numbers answered by a contact that answered under another number. */
        int listedTwice;

        Job(int id, String tenant, long version, Lead[] placed, List<String> awaitingModel) {
            this.id = id;
            this.tenant = tenant;
            this.version = version;
            this.placed = placed;
            this.awaitingModel = awaitingModel;
            this.askedAt = new long[listed()];
            this.attempts = new byte[listed()];
            for (int seq = placed.length; seq < listed(); seq++) {
                enqueue(seq);
            }
        }

        void enqueue(int seq) {
            if (askTail == toAsk.length) {
                toAsk = Arrays.copyOf(toAsk, toAsk.length * 2);
            }
            toAsk[askTail++] = seq;
        }

        /** The numbers: the contacts as listed, some perhaps twice. */
        int listed() {
            return placed.length + awaitingModel.size();
        }

        long contacts() {
            return listed() - listedTwice;
        }

        String entityId(int seq) {
            return seq < placed.length ? placed[seq].entityId() : awaitingModel.get(seq - placed.length);
        }

        boolean done() {
            return nextPlaced >= placed.length && chunksRunning == 0 && rescored >= contacts();
        }

        long remaining() {
            return contacts() - rescored;
        }
    }

    /**
     * @param catalog the node's models: a rescorer restarted by its supervisor lost its jobs, so
     *                it rescores every tenant whose model the node knows (at a node's first start
     *                there is none yet)
     */
    public static Behavior<Command> create(int parallelism, Clock clock, ModelCatalog catalog) {
        return create(parallelism, clock, catalog, ANSWER_DEADLINE);
    }

    /** @param answerDeadline how long a contact may take to answer before it is asked again */
    static Behavior<Command> create(int parallelism, Clock clock, ModelCatalog catalog, Duration answerDeadline) {
        return Behaviors.setup(ctx -> {
            catalog.current().forEach(model -> ctx.getSelf().tell(new RescoreTenant(model.published())));
            return Behaviors.withTimers(timers -> new Rescorer(ctx, timers, parallelism, clock, catalog, answerDeadline));
        });
    }

    private final TimerScheduler<Command> timers;
    private final int parallelism;
    private final Clock clock;
    private final ClusterSharding sharding;
    private final String node;
    private final ActorRef<ContactEntity.Rescored> rescoredAdapter;
    private final Map<String, Job> jobs = new HashMap<>();
    /** The version of each named score's model seen last here: what its next version changes from. */
    private final Map<String, VersionedModel> namedSeen = new HashMap<>();
    private final LeadflameMetrics metrics;
    private final LeadIndex leads;
    private final ModelCatalog catalog;
    /** Where a rescoring places leads and publishes the changes, as the contacts do. */
    private final ContactEffects effects;
    private final Standing.Placement placement;
    /**
     * Where chunks are scored: the node's dispatcher, a chunk at a time per core over all jobs
     * (a node's start rescores every tenant at once), so that its actors keep threads.
     */
    private final Executor chunkExecutor;
    private final int chunksAtOnce = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** Chunks being scored, of every job (those of replaced jobs included, until they stop). */
    private int chunksRunning;
    private final long answerDeadlineNanos;
    /**
     * Job ids: random, so that a contact that moved to another node does not take a request of
     * this node's job for one of that node's (it remembers the last job it answered, see
     * {@link ContactEntity.Rescore}).
     */
    private final Random jobIds = new Random();

    private Rescorer(ActorContext<Command> context, TimerScheduler<Command> timers, int parallelism, Clock clock,
                     ModelCatalog catalog, Duration answerDeadline) {
        super(context);
        this.catalog = catalog;
        this.effects = ContactEffects.of(context.getSystem());
        this.placement = effects::placed;
        this.chunkExecutor = context.getExecutionContext();
        this.answerDeadlineNanos = answerDeadline.toNanos();
        this.timers = timers;
        this.parallelism = parallelism;
        this.clock = clock;
        this.sharding = ClusterSharding.get(context.getSystem());
        this.node = Cluster.get(context.getSystem()).selfMember().address().toString();
        this.rescoredAdapter = context.messageAdapter(ContactEntity.Rescored.class, ContactRescored::new);
        this.metrics = LeadflameMetrics.get(context.getSystem());
        this.leads = LeadIndex.get(context.getSystem());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Ping.class, ping -> {
                    ping.replyTo().tell(Done.getInstance());
                    return this;
                })
                .onMessage(RescoreTenant.class, this::onRescoreTenant)
                .onMessage(ContactRescored.class, this::onContactRescored)
                .onMessage(ChunkScored.class, this::onChunkScored)
                .onMessage(ReportTick.class, tick -> {
                    publishPending();
                    for (Job job : List.copyOf(jobs.values())) {
                        askAgainOrGiveUp(job);
                        if (!job.done()) {
                            report(job);
                        }
                        finishIfDone(job);
                    }
                    return this;
                })
                .build();
    }

    private Behavior<Command> onRescoreTenant(RescoreTenant cmd) {
        PublishedModel model = cmd.model();
        if (ScoreNames.isNamed(model.tenant())) {
            return onNamedScoreModel(model);
        }
        Job existing = jobs.get(model.tenant());
        if (existing != null && existing.version >= model.version()) {
            return this;
        }
        // This node's contacts of the tenant are those in its call-list index, read in the
        // index's order: each contact moves its lead from one place of the index to another,
        // and contacts taken in that order find the index's nodes they touch already in the
        // processor's cache (at 1,000,000 contacts a move in random order took 4x as long).
        // Listing the shards' entities instead cost a quarter of a rescoring. A contact not in
        // the index either starts after the model changed (and scores under it), is moving in
        // the index while scoring under the old model (it scores again when it sees the newer
        // one, see ContactEntity.rescore), or awaits the model and is taken from that list.
        List<String> awaiting = leads.takeAwaitingModel(model.tenant());
        // Those taken out by a replaced job may not have been asked yet.
        List<String> awaitingModel = existing == null ? awaiting : concat(existing.awaitingModel, awaiting);
        List<Lead> placed = new ArrayList<>();
        leads.all(model.tenant()).forEach(placed::add);
        Job job = new Job(newJobId(), model.tenant(), model.version(), placed.toArray(new Lead[0]), awaitingModel);
        if (existing != null) {
            existing.replaced = true;
        }
        jobs.put(model.tenant(), job);
        publishPending();
        dispatch(job);
        report(job);
        if (!timers.isTimerActive(ReportTick.INSTANCE)) {
            timers.startTimerAtFixedRate(ReportTick.INSTANCE, REPORT_INTERVAL);
        }
        return finishIfDone(job);
    }

    /**
     * A named score's new version: its score is computed from the histories whenever it is read
     * (NamedScores), so nothing waits to be rescored and every contact of the tenant here counts
     * as done. What it changed is published as a model change, when anyone hears it.
     */
    private Behavior<Command> onNamedScoreModel(PublishedModel model) {
        String key = model.tenant();
        String tenant = ScoreNames.tenantOf(key);
        List<Lead> here = new ArrayList<>();
        leads.all(tenant).forEach(here::add);
        sharding.entityRefFor(ScoringModelEntity.TYPE_KEY, key).tell(new ScoringModelEntity.RescoringReport(
                model.version(), node, here.size(), here.size(), true, clock.instant()));
        VersionedModel current = catalog.modelOf(key);
        if (current.version() != model.version()) {
            return this;
        }
        VersionedModel before = namedSeen.put(key, current);
        Instant now = clock.instant();
        // A deletion (the default model) publishes no drop to 0: the score is gone, not cold.
        boolean publish = before != null && before.version() < current.version() && !current.published().isDefault()
                && effects.namedChangesWanted(tenant, ScoreNames.scoreOf(key));
        CompletableFuture.runAsync(() -> {
            if (publish) {
                NamedScores.modelChanged(here, ScoreNames.scoreOf(key), before.model(), current.model(), now)
                        .forEach(effects::changed);
            }
            wakeSooner(here, current.model(), now);
        }, chunkExecutor);
        return this;
    }

    /**
     * Contacts whose timer would fire after the next change of a named score's new model re-arm
     * it: a new expiry or decay of that score changes them in time, as the contacts' own scores do.
     */
    private static void wakeSooner(List<Lead> leads, ScoringModel model, Instant now) {
        for (Lead lead : leads) {
            Standing standing = lead.standing();
            if (standing == null || lead.history() == null) {
                continue;
            }
            long next = Scorer.nextChangeAt(model, lead.history(), now).map(Instants::nanos).orElse(Standing.NO_TIMER);
            if (next < standing.nextChangeNanos()) {
                standing.contact().<ContactEntity.Command>unsafeUpcast().tell(ContactEntity.ScoreDue.INSTANCE);
            }
        }
    }

    private int newJobId() {
        int id;
        do {
            id = jobIds.nextInt();
        } while (id == 0 || jobWithId(id) != null);
        return id;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> both = new ArrayList<>(a);
        both.addAll(b);
        return both;
    }

    private Behavior<Command> onContactRescored(ContactRescored msg) {
        ContactEntity.Rescored answer = msg.rescored();
        Job job = jobWithId(answer.job());
        int seq = answer.seq();
        if (job == null || seq < 0 || !job.inFlight.get(seq)) {
            return this;
        }
        if (answer.listedTwice()) {
            answered(job, seq);
            job.listedTwice++;
        } else if (answer.version() >= job.version) {
            answered(job, seq);
            job.rescored++;
            metrics.contactRescored();
        } else {
            // Scored under an older version: asked again after the deadline.
            return this;
        }
        dispatch(job);
        return finishIfDone(job);
    }

    private Job jobWithId(int id) {
        for (Job job : jobs.values()) {
            if (job.id == id) {
                return job;
            }
        }
        return null;
    }

    /**
     * Derived from the jobs each time: a replaced job's leftovers leave the gauge with it. At a
     * job's start and end and every report tick, not per answer.
     */
    private void publishPending() {
        long remaining = 0;
        for (Job job : jobs.values()) {
            remaining += job.remaining();
        }
        metrics.rescoringPending(remaining);
    }

    private void dispatch(Job job) {
        while (chunksRunning < chunksAtOnce && job.nextPlaced < job.placed.length) {
            int from = job.nextPlaced;
            int to = Math.min(job.placed.length, from + CHUNK);
            job.nextPlaced = to;
            job.chunksRunning++;
            chunksRunning++;
            getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> scoreChunk(job, from, to), chunkExecutor),
                    (scored, failure) -> failure == null ? scored
                            : new ChunkScored(job, from, to, 0, 0, null, 0, failure));
        }
        while (job.inFlightCount < parallelism && job.askHead < job.askTail) {
            int seq = job.toAsk[job.askHead++];
            Standing standing = seq < job.placed.length ? job.placed[seq].standing() : null;
            ask(job, seq, standing == null ? null : standing.contact());
        }
    }

    /**
     * Scores leads {@code from} to {@code to} of the job under the tenant's current model and
     * places each new lead through its contact's standing, which takes it only if the lead the
     * job read still stands (else the contact scored itself meanwhile, under this model or
     * about to see it, see {@code ContactEntity.rescore}). Runs off the actor: it touches only
     * the job's immutable parts, the standings (under their monitors) and thread-safe sinks.
     */
    private ChunkScored scoreChunk(Job job, int from, int to) {
        VersionedModel model = catalog.modelOf(job.tenant);
        // A tenant whose model the node does not know for sure (its newest stored version cannot
        // be read): its contacts decide for themselves, as they did before.
        boolean direct = catalog.knows(job.tenant) && model.version() >= job.version;
        Instant now = clock.instant();
        int rescored = 0;
        int listedTwice = 0;
        int[] toAsk = new int[16];
        int askCount = 0;
        for (int seq = from; seq < to && !job.replaced; seq++) {
            Standing standing = job.placed[seq].standing();
            boolean ask = !direct || standing == null;
            if (!ask) {
                if (!standing.countIn(job.id, seq)) {
                    listedTwice++;
                    continue;
                }
                switch (rescore(job.tenant, model, standing, now)) {
                    case PLACED, MOVED_ON -> rescored++;
                    case ASK -> ask = true;
                }
            }
            if (ask) {
                if (askCount == toAsk.length) {
                    toAsk = Arrays.copyOf(toAsk, askCount * 2);
                }
                toAsk[askCount++] = seq;
            }
        }
        metrics.contactsRescored(rescored);
        return new ChunkScored(job, from, to, rescored, listedTwice, toAsk, askCount, null);
    }

    private enum Outcome {
        /** The new lead stands (or the old one, showing the same). */
        PLACED,
        /** The contact stopped or scored itself meanwhile: its own scoring counts. */
        MOVED_ON,
        /** The contact must rescore itself: ask it. */
        ASK
    }

    private Outcome rescore(String tenant, VersionedModel model, Standing standing, Instant now) {
        Lead read = standing.lead();
        long scoredVersion = standing.scoredVersion();
        if (read == null || scoredVersion >= model.version()) {
            return Outcome.MOVED_ON;
        }
        if (scoredVersion == Standing.PROVISIONAL) {
            return Outcome.ASK;
        }
        Score score = Scorer.score(model.model(), read.history(), now);
        Lead lead = Lead.of(tenant, read.entityId(), score, read.history(), standing);
        // The change is published under the standing's monitor too: a contact placing its next
        // lead waits, so its change (from this lead) is never published before this one.
        synchronized (standing) {
            if (!standing.rescored(tenant, read, lead, model.version(), placement)) {
                return Outcome.MOVED_ON;
            }
            ScoreChange change = Lead.changeBetween(read, lead, null, ScoreChange.Reason.MODEL, now);
            if (change != null) {
                effects.changed(change);
            }
        }
        long next = score.nextChangeAt().map(Instants::nanos).orElse(Standing.NO_TIMER);
        if (next < standing.nextChangeNanos()) {
            // The contact's timer would fire after the new model's next change: it re-arms.
            standing.contact().<ContactEntity.Command>unsafeUpcast().tell(ContactEntity.ScoreDue.INSTANCE);
        }
        return Outcome.PLACED;
    }

    private Behavior<Command> onChunkScored(ChunkScored chunk) {
        chunksRunning--;
        Job job = chunk.job();
        if (jobs.get(job.tenant) != job) {
            // Replaced: the newer job lists the index again. Its place goes to another chunk.
            List.copyOf(jobs.values()).forEach(this::dispatch);
            return this;
        }
        job.chunksRunning--;
        if (chunk.failure() != null) {
            getContext().getLog().error("Rescoring leads {} to {} of tenant {} failed; those contacts are asked instead",
                    chunk.from(), chunk.to(), job.tenant, chunk.failure());
            for (int seq = chunk.from(); seq < chunk.to(); seq++) {
                job.enqueue(seq);
            }
        } else {
            job.rescored += chunk.rescored();
            job.listedTwice += chunk.listedTwice();
            for (int i = 0; i < chunk.askCount(); i++) {
                job.enqueue(chunk.toAsk()[i]);
            }
        }
        dispatch(job);
        finishIfDone(job);
        // The chunk's place is free: another tenant's job may take it.
        List.copyOf(jobs.values()).forEach(this::dispatch);
        return this;
    }

    /**
     * @param contact the contact's actor on this node, or null to ask through sharding (which
     *                finds the contact wherever it is, and starts it if it has stopped): an
     *                actor that stopped since it placed its lead lets the request go to dead
     *                letters, and the contact is asked again after the deadline, through sharding
     */
    private void ask(Job job, int seq, ActorRef<?> contact) {
        if (!job.inFlight.get(seq)) {
            job.inFlight.set(seq);
            job.inFlightCount++;
        }
        job.askedAt[seq] = System.nanoTime();
        job.attempts[seq]++;
        ContactEntity.Rescore rescore = new ContactEntity.Rescore(job.version, job.id, seq, rescoredAdapter);
        if (contact != null) {
            contact.<ContactEntity.Command>unsafeUpcast().tell(rescore);
        } else {
            sharding.entityRefFor(ContactEntity.TYPE_KEY, job.entityId(seq)).tell(rescore);
        }
    }

    private static void answered(Job job, int seq) {
        job.inFlight.clear(seq);
        job.inFlightCount--;
    }

    /**
     * A contact that does not answer in time (it stopped with the request in its mailbox, it
     * moved to another node) is asked again; after {@link #ATTEMPTS} it is counted as done, so
     * that the job ends: a contact that starts again scores under the current model anyway.
     */
    private void askAgainOrGiveUp(Job job) {
        long now = System.nanoTime();
        for (int seq = job.inFlight.nextSetBit(0); seq >= 0; seq = job.inFlight.nextSetBit(seq + 1)) {
            if (now - job.askedAt[seq] <= answerDeadlineNanos) {
                continue;
            }
            if (job.attempts[seq] < ATTEMPTS) {
                ask(job, seq, null);
            } else {
                answered(job, seq);
                job.rescored++;
                getContext().getLog().warn("Contact {} did not answer its rescoring for model version {} after {} "
                        + "attempts; it scores under that version when it next starts", job.entityId(seq), job.version,
                        ATTEMPTS);
            }
        }
        dispatch(job);
    }

    private Behavior<Command> finishIfDone(Job job) {
        if (job.done()) {
            report(job);
            jobs.remove(job.tenant);
            publishPending();
            if (jobs.isEmpty()) {
                timers.cancel(ReportTick.INSTANCE);
            }
        }
        return this;
    }

    private void report(Job job) {
        sharding.entityRefFor(ScoringModelEntity.TYPE_KEY, job.tenant).tell(new ScoringModelEntity.RescoringReport(
                job.version, node, job.contacts(), job.rescored, job.done(), clock.instant()));
    }
}

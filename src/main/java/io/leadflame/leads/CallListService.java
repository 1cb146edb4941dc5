package io.leadflame.leads;

import io.leadflame.cluster.EveryNode;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.ScoreNames;
import io.leadflame.model.StoredModel;
import io.leadflame.model.VersionedModel;
import io.leadflame.scoring.AccountRollup;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.ScoringModel;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A tenant's call list, distribution and model preview, gathered from the {@link LeadsReader} of
 * every node: each answers from its in-memory {@link LeadIndex}, never from the journal. A node
 * that does not answer fails the request (a call list silently missing a node's contacts would
 * mislead); the edge makes that a 503 and the client retries.
 */
public final class CallListService {

    /** The histogram's buckets between 0 and the ideal score (plus one below and one at or above). */
    static final int BUCKETS = 10;
    /** Scoring every contact of a node under a candidate takes seconds at a million contacts. */
    public static final Duration PREVIEW_TIMEOUT = Duration.ofSeconds(60);

    /** What a call-list page asks for; {@code after} null for the first page. */
    public record Query(int minFlames, Optional<ScoreRange> range, long minScore, LeadIndex.Cursor after, int limit) {
    }

    /** A page in call-list order, and where the next one starts when there is one. */
    public record Page(List<Lead> leads, Optional<LeadIndex.Cursor> next) {
    }

    /** The tenant's contacts counted by flames, range and score bucket ({@code bounds}) under {@code model}. */
    public record Distribution(VersionedModel model, long[] bounds, LeadsReader.Counts counts) {
    }

    /** The distribution now and under a candidate, and the contacts that would move most. */
    public record PreviewOutcome(Distribution current, long[] previewBounds, Preview.Result result) {
    }

    private final ActorSystem<?> system;
    private final Duration askTimeout;
    private final Executor executor;
    private final ModelCatalog catalog;
    private final int perNodePage;
    private static final String PER_NODE_PAGE = "leadflame.leads.per-node-page";

    public CallListService(ActorSystem<?> system, Duration askTimeout) {
        this.system = system;
        this.askTimeout = askTimeout;
        com.typesafe.config.Config config = system.settings().config();
        this.perNodePage = config.hasPath(PER_NODE_PAGE) ? Math.max(1, config.getInt(PER_NODE_PAGE)) : 400;
        this.executor = system.executionContext();
        this.catalog = ModelCatalog.get(system);
    }

    /**
     * One more than the page from every node, merged: whether there is a next page is then known.
     * Another node sends at most {@code perNodePage} leads at a time (its answer must fit a frame
     * between nodes); it is asked for more, after its last, while that last may still be in the
     * page. This node's reader answers in memory, so it sends its part at once (a round of a named
     * score's page is a scoring pass).
     *
     * @param key   the model's key: the tenant's for its default score ({@link ScoreNames})
     * @param model the current model of that key
     */
    public CompletionStage<Page> page(String key, VersionedModel model, Query query) {
        String tenant = ScoreNames.tenantOf(key);
        LeadFilter filter = new LeadFilter(query.minFlames(), query.range().map(ScoreRange::name).orElse(null),
                query.minScore(), scanFloor(model.model(), query.minFlames(), query.minScore(), query.range()));
        String scoredBy = scoredBy(key, model);
        int limit = query.limit();
        return EveryNode.instances(system, LeadsReader.KEY, askTimeout).thenComposeAsync(readers -> {
            List<NodeLeads> nodes = readers.stream().map(reader -> new NodeLeads(reader,
                    reader.path().address().hasLocalScope() ? limit + 1 : Math.min(limit + 1, perNodePage))).toList();
            return gather(tenant, filter, scoredBy, query.after(), limit, nodes, nodes);
        }, executor).thenApply(all -> {
            if (all.size() <= limit) {
                return new Page(all, Optional.empty());
            }
            Lead last = all.get(limit - 1);
            return new Page(List.copyOf(all.subList(0, limit)),
                    Optional.of(new LeadIndex.Cursor(last.score(), last.contactId())));
        });
    }

    /** What one node has sent of a page so far. */
    private static final class NodeLeads {
        final ActorRef<LeadsReader.Command> reader;
        /** How many leads it is asked for at a time. */
        final int chunk;
        final List<Lead> leads = new ArrayList<>();
        boolean exhausted;

        NodeLeads(ActorRef<LeadsReader.Command> reader, int chunk) {
            this.reader = reader;
            this.chunk = chunk;
        }
    }

    /** Asks {@code asking} for their next chunk, then again whichever may still hold leads of the page. */
    private CompletionStage<List<Lead>> gather(String tenant, LeadFilter filter, String scoredBy,
                                               LeadIndex.Cursor after, int limit, List<NodeLeads> nodes,
                                               List<NodeLeads> asking) {
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        for (NodeLeads node : asking) {
            LeadIndex.Cursor from = node.leads.isEmpty() ? after : cursorOf(node.leads.get(node.leads.size() - 1));
            answers.add(AskPattern.<LeadsReader.Command, LeadsReader.Page>ask(node.reader,
                            replyTo -> new LeadsReader.GetPage(tenant, from, node.chunk, filter, scoredBy, replyTo),
                            scoredBy == null ? askTimeout : PREVIEW_TIMEOUT, system.scheduler())
                    .thenAccept(page -> {
                        synchronized (node) {
                            node.leads.addAll(page.leads());
                            node.exhausted = page.leads().size() < node.chunk;
                        }
                    }).toCompletableFuture());
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenComposeAsync(done -> {
            List<Lead> all = new ArrayList<>();
            nodes.forEach(n -> all.addAll(n.leads));
            all.sort(LeadIndex.ORDER);
            // A node whose last lead sorts before the (limit + 1)th may hold more of the first
            // limit + 1; one whose last is that lead or after holds only leads after it. (Asking
            // again when it was that lead cost a round per page: a named score's is a scoring pass.)
            Lead bound = all.size() > limit ? all.get(limit) : null;
            List<NodeLeads> more = nodes.stream().filter(n -> !n.exhausted && (bound == null
                    || LeadIndex.ORDER.compare(n.leads.get(n.leads.size() - 1), bound) < 0)).toList();
            return more.isEmpty() ? CompletableFuture.completedFuture(all)
                    : gather(tenant, filter, scoredBy, after, limit, nodes, more);
        }, executor);
    }

    /**
     * What the nodes score a named score's leads under when asked ({@link NamedScores}); null for
     * the default score, whose leads the index holds scored.
     */
    private static String scoredBy(String key, VersionedModel model) {
        return ScoreNames.isNamed(key) ? model.published().stored() : null;
    }

    private static LeadIndex.Cursor cursorOf(Lead lead) {
        return new LeadIndex.Cursor(lead.score(), lead.contactId());
    }

    /**
     * The lowest score a lead passing the filters can have under the current model: the index
     * is in descending score order, so a node's scan ends below it.
     */
    static long scanFloor(ScoringModel model, int minFlames, long minScore, Optional<ScoreRange> range) {
        long floor = minScore;
        if (model.enabled() && minFlames > 0) {
            // flames = floor(5 * score / idealScore) >= minFlames  <=>  score >= ceil(minFlames * idealScore / 5)
            floor = Math.max(floor, Math.floorDiv(minFlames * (long) model.idealScore() + 4, 5));
        }
        if (range.isPresent()) {
            floor = Math.max(floor, range.get().min());
        }
        return floor;
    }

    /**
     * The leads heating up fastest ({@link Heating}): every node's first {@code limit + 1} after
     * {@code after}, merged; one more than asked says whether there is a next page.
     */
    public CompletionStage<List<Heating.HeatingLead>> heating(String key, VersionedModel model, Query query,
                                                              long minVelocity, Heating.After after) {
        String tenant = ScoreNames.tenantOf(key);
        String scoredBy = scoredBy(key, model);
        LeadFilter filter = new LeadFilter(query.minFlames(), query.range().map(ScoreRange::name).orElse(null),
                query.minScore(), Long.MIN_VALUE);
        String stored = model.published().stored();
        int limit = query.limit();
        return askAll(reader -> AskPattern.<LeadsReader.Command, Heating.HeatingPage>ask(reader,
                        replyTo -> new LeadsReader.GetHeating(tenant, stored, filter, minVelocity, after, limit + 1,
                                scoredBy, replyTo), PREVIEW_TIMEOUT, system.scheduler()))
                .thenApply(pages -> {
                    List<Heating.HeatingLead> all = new ArrayList<>();
                    pages.forEach(p -> all.addAll(p.leads()));
                    all.sort(Heating.ORDER);
                    return List.copyOf(all.subList(0, Math.min(limit + 1, all.size())));
                });
    }

    /** The tenant's accounts under {@code rollup}, from every node's live contacts; partial if a node held back. */
    public record AccountList(List<Accounts.Account> accounts, boolean truncated) {
    }

    /**
     * @param key    the model's key: the tenant's for its default score ({@link ScoreNames})
     * @param model  its current model, which rolls contacts up as {@code rollup} says
     */
    public CompletionStage<AccountList> accounts(String key, VersionedModel model, AccountRollup rollup) {
        String tenant = ScoreNames.tenantOf(key);
        String scoredBy = scoredBy(key, model);
        int keep = Math.max(rollup.top(), Accounts.HOTTEST);
        return askAll(reader -> AskPattern.<LeadsReader.Command, Accounts.Parts>ask(reader,
                        replyTo -> new LeadsReader.GetAccounts(tenant, rollup.field(), keep, scoredBy, replyTo),
                        PREVIEW_TIMEOUT, system.scheduler()))
                .thenApply(parts -> new AccountList(Accounts.merge(parts, rollup),
                        parts.stream().anyMatch(Accounts.Parts::truncated)));
    }

    /** @param key the model's key: the tenant's for its default score ({@link ScoreNames}) */
    public CompletionStage<Distribution> distribution(String key) {
        String tenant = ScoreNames.tenantOf(key);
        VersionedModel model = catalog.modelOf(key);
        long[] bounds = bucketBounds(model.model().idealScore());
        String scoredBy = scoredBy(key, model);
        return askAll(reader -> AskPattern.<LeadsReader.Command, LeadsReader.Counts>ask(reader,
                        replyTo -> new LeadsReader.GetCounts(tenant, bounds, scoredBy, replyTo),
                        scoredBy == null ? askTimeout : PREVIEW_TIMEOUT, system.scheduler()))
                .thenApply(counts -> {
                    LeadsReader.Counts total = LeadsReader.Counts.empty(bounds.length + 1);
                    for (LeadsReader.Counts c : counts) {
                        total = total.plus(c);
                    }
                    return new Distribution(model, bounds, total);
                });
    }

    /**
     * What {@code candidate} would do, computed by every node over its live contacts without
     * changing anything, with the {@code movers} contacts whose score would change most.
     */
    public CompletionStage<PreviewOutcome> preview(String key, ScoringModel candidate, int movers) {
        String tenant = ScoreNames.tenantOf(key);
        VersionedModel current = catalog.modelOf(key);
        String scoredBy = scoredBy(key, current);
        long[] currentBounds = bucketBounds(current.model().idealScore());
        long[] previewBounds = bucketBounds(candidate.idealScore());
        String candidateStored = StoredModel.write(candidate);
        return askAll(reader -> AskPattern.<LeadsReader.Command, Preview.Result>ask(reader,
                        replyTo -> new LeadsReader.GetPreview(tenant, candidateStored, currentBounds, previewBounds,
                                movers, scoredBy, replyTo), PREVIEW_TIMEOUT, system.scheduler()))
                .thenApply(results -> {
                    Preview.Result total = new Preview.Result(LeadsReader.Counts.empty(currentBounds.length + 1),
                            LeadsReader.Counts.empty(previewBounds.length + 1), List.of());
                    for (Preview.Result r : results) {
                        total = total.plus(r, movers);
                    }
                    return new PreviewOutcome(new Distribution(current, currentBounds, total.current()),
                            previewBounds, total);
                });
    }

    /**
     * The lower bounds of the histogram's buckets after the first (scores below 0): 0, then
     * steps of a tenth of the ideal score (at least 1) up to the ideal score, whose bucket holds
     * every score at or above it.
     */
    static long[] bucketBounds(int idealScore) {
        long step = Math.max(1, (idealScore + BUCKETS - 1) / BUCKETS);
        List<Long> bounds = new ArrayList<>();
        for (long b = 0; b < idealScore; b += step) {
            bounds.add(b);
        }
        bounds.add((long) idealScore);
        return bounds.stream().mapToLong(Long::longValue).toArray();
    }

    /** Asks every node's reader; fails when one does not answer in time. */
    private <R> CompletionStage<List<R>> askAll(Function<ActorRef<LeadsReader.Command>, CompletionStage<R>> ask) {
        return EveryNode.ask(system, LeadsReader.KEY, askTimeout, ask, executor);
    }
}

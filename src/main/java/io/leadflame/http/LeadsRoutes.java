package io.leadflame.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.config.Settings;
import io.leadflame.leads.Lead;
import io.leadflame.leads.LeadFilter;
import io.leadflame.leads.LeadIndex;
import io.leadflame.leads.LeadsReader;
import io.leadflame.leads.Preview;
import io.leadflame.changes.ScoreChange;
import io.leadflame.leads.ScoreChanges;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.StoredModel;
import io.leadflame.model.VersionedModel;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.api.EventJson;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Accept;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.MediaRange;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Source;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The call list ({@code GET /leads}), the distribution ({@code GET /stats}) and the live score
 * changes ({@code GET /score-changes}) of a tenant,
 * merged from the {@link LeadsReader} of every node: each node answers from its in-memory
 * {@link LeadIndex}, never from the journal. A node that does not answer makes the request a
 * {@code 503} (a call list silently missing a node's contacts would mislead), and the client
 * retries.
 */
final class LeadsRoutes extends AllDirectives {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** The histogram's buckets between 0 and the ideal score (plus one below and one at or above). */
    static final int BUCKETS = 10;
    /** Score changes a live listener may be behind by before it is disconnected. */
    static final int CHANGES_BUFFER = 1000;
    /** Ends a live stream's listener whose response never started. */
    private static final Object END = new Object();
    static final int DEFAULT_MOVERS = 20;
    static final int MAX_MOVERS = 1000;
    /** Scoring every contact of a node under a candidate takes seconds at a million contacts. */
    static final Duration PREVIEW_TIMEOUT = Duration.ofSeconds(60);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ActorSystem<?> system;
    private final Settings settings;
    private final ModelCatalog catalog;
    private final Executor executor;
    private final Materializer materializer;
    private final ScoreChanges changes;
    /** Ends every live stream when the node shuts down, as a normal end rather than an aborted connection. */
    private final SharedKillSwitch liveStreams = KillSwitches.shared("score-changes");
    /** Bounds the live streams, so that they never take every connection of the port. */
    private final StreamBudget streams;
    private final LeadflameMetrics metrics;

    LeadsRoutes(ActorSystem<?> system, Settings settings) {
        this.system = system;
        this.streams = new StreamBudget(settings.maxStreams(), settings.maxStreamsPerTenant());
        this.metrics = LeadflameMetrics.get(system);
        metrics.liveStreams(streams, StreamBudget::open);
        this.settings = settings;
        this.catalog = ModelCatalog.get(system);
        this.executor = system.executionContext();
        this.materializer = Materializer.matFromSystem(system);
        this.changes = ScoreChanges.get(system);
        // After the port is unbound (no new listener), before open connections are cut.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "end-score-changes", () -> {
            liveStreams.shutdown();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
    }

    // ---- GET /leads

    Route callList(String tenant) {
        return parameterMap(params -> {
            VersionedModel model = catalog.modelOf(tenant);
            List<ApiError.Detail> problems = new ArrayList<>();
            int minFlames = (int) wholeNumber(params, "minFlames", 0, 0, 5, problems);
            long minScore = wholeNumber(params, "minScore", Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, problems);
            int limit = (int) wholeNumber(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, problems);
            Optional<ScoreRange> range = range(params.get("range"), model.model(), problems);
            LeadIndex.Cursor after = params.containsKey("after") ? cursor(params.get("after"), problems) : null;
            if (!problems.isEmpty()) {
                return complete(invalidQuery(problems));
            }
            LeadFilter filter = new LeadFilter(minFlames, range.map(ScoreRange::name).orElse(null), minScore,
                    scanFloor(model.model(), minFlames, minScore, range));
            return onSuccess(page(tenant, after, limit, filter), leads -> {
                ObjectNode out = F.objectNode();
                ArrayNode list = out.putArray("leads");
                leads.stream().limit(limit).forEach(lead -> list.add(LeadsJson.lead(lead, model.model())));
                if (leads.size() > limit) {
                    Lead last = leads.get(limit - 1);
                    out.put("next", encodeCursor(new LeadIndex.Cursor(last.score(), last.contactId())));
                } else {
                    out.putNull("next");
                }
                return complete(JsonResponses.ok(out));
            });
        });
    }

    /** One more than the page from every node, merged: whether there is a next page is then known. */
    private CompletionStage<List<Lead>> page(String tenant, LeadIndex.Cursor after, int limit, LeadFilter filter) {
        return askAll(reader -> AskPattern.<LeadsReader.Command, LeadsReader.Page>ask(reader,
                        replyTo -> new LeadsReader.GetPage(tenant, after, limit + 1, filter, replyTo),
                        settings.askTimeout(), system.scheduler()))
                .thenApply(pages -> {
                    List<Lead> all = new ArrayList<>();
                    pages.forEach(p -> all.addAll(p.leads()));
                    all.sort(LeadIndex.ORDER);
                    return all.size() > limit + 1 ? all.subList(0, limit + 1) : all;
                });
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

    // ---- GET /stats

    Route stats(String tenant) {
        VersionedModel model = catalog.modelOf(tenant);
        long[] bounds = bucketBounds(model.model().idealScore());
        return onSuccess(askAll(reader -> AskPattern.<LeadsReader.Command, LeadsReader.Counts>ask(reader,
                        replyTo -> new LeadsReader.GetCounts(tenant, bounds, replyTo),
                        settings.askTimeout(), system.scheduler())),
                counts -> {
                    LeadsReader.Counts total = LeadsReader.Counts.empty(bounds.length + 1);
                    for (LeadsReader.Counts c : counts) {
                        total = total.plus(c);
                    }
                    return complete(JsonResponses.ok(LeadsJson.stats(total, bounds, model.model(), model.version())));
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

    // ---- POST /model/preview

    /**
     * What {@code candidate} would do, computed by every node over its live contacts without
     * changing anything: the distribution now and under the candidate (each in the shape of
     * {@code /stats}) and the {@code movers} contacts whose score would change most.
     */
    Route preview(String tenant, ScoringModel candidate, Optional<String> moversParam) {
        List<ApiError.Detail> problems = new ArrayList<>();
        int movers = (int) wholeNumber(moversParam.map(m -> Map.of("movers", m)).orElse(Map.of()), "movers",
                DEFAULT_MOVERS, 0, MAX_MOVERS, problems);
        if (!problems.isEmpty()) {
            return complete(invalidQuery(problems));
        }
        VersionedModel current = catalog.modelOf(tenant);
        long[] currentBounds = bucketBounds(current.model().idealScore());
        long[] previewBounds = bucketBounds(candidate.idealScore());
        String candidateStored = StoredModel.write(candidate);
        return onSuccess(askAll(reader -> AskPattern.<LeadsReader.Command, Preview.Result>ask(reader,
                        replyTo -> new LeadsReader.GetPreview(tenant, candidateStored, currentBounds, previewBounds,
                                movers, replyTo), PREVIEW_TIMEOUT, system.scheduler())),
                results -> {
                    Preview.Result total = new Preview.Result(LeadsReader.Counts.empty(currentBounds.length + 1),
                            LeadsReader.Counts.empty(previewBounds.length + 1), List.of());
                    for (Preview.Result r : results) {
                        total = total.plus(r, movers);
                    }
                    ObjectNode out = F.objectNode();
                    out.set("current", LeadsJson.stats(total.current(), currentBounds, current.model(), current.version()));
                    out.set("preview", LeadsJson.stats(total.preview(), previewBounds, candidate, null));
                    ArrayNode list = out.putArray("movers");
                    total.movers().forEach(m -> list.add(LeadsJson.mover(m)));
                    return complete(JsonResponses.ok(out));
                });
    }

    // ---- GET /score-changes

    /**
     * Server-Sent Events, one per score change of the tenant's contacts on any node (filtered on
     * {@code minFlames} and {@code range}: a change is sent when the contact is in view before or
     * after it), with a heartbeat comment when nothing happens. A client that cannot keep up
     * with its buffer is disconnected: contacts publish without waiting for anyone.
     */
    Route scoreChanges(String tenant) {
        return extractRequest(request -> acceptsEventStream(request) ? scoreChangeStream(tenant)
                // Refused before a place is taken: a stream that cannot be sent must not hold one.
                : complete(ApiError.of(ApiError.NOT_ACCEPTABLE, "score changes are sent as text/event-stream only")
                        .toResponse(StatusCodes.NOT_ACCEPTABLE)));
    }

    private static boolean acceptsEventStream(HttpRequest request) {
        Optional<Accept> accept = request.getHeader(Accept.class);
        if (accept.isEmpty()) {
            return true;
        }
        for (MediaRange range : accept.get().getMediaRanges()) {
            if (range.matches(MediaTypes.TEXT_EVENT_STREAM)) {
                return true;
            }
        }
        return false;
    }

    private Route scoreChangeStream(String tenant) {
        return parameterMap(params -> {
            VersionedModel model = catalog.modelOf(tenant);
            List<ApiError.Detail> problems = new ArrayList<>();
            int minFlames = (int) wholeNumber(params, "minFlames", 0, 0, 5, problems);
            Optional<ScoreRange> range = range(params.get("range"), model.model(), problems);
            if (!problems.isEmpty()) {
                return complete(invalidQuery(problems));
            }
            Optional<HttpResponse> refused = streams.acquire(tenant);
            if (refused.isPresent()) {
                metrics.liveStreamRefused();
                return complete(refused.get());
            }
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean released = new AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    streams.release(tenant);
                }
            };
            String rangeName = range.map(ScoreRange::name).orElse(null);
            Pair<org.apache.pekko.actor.ActorRef, Source<Object, NotUsed>> listener = Source.<Object>actorRef(
                            message -> message == END ? Optional.of(CompletionStrategy.immediately()) : Optional.empty(),
                            message -> Optional.empty(), CHANGES_BUFFER, OverflowStrategy.fail())
                    .preMaterialize(materializer);
            // The place is given back when the stream ends; a response that never starts streaming
            // (refused by content negotiation, a client gone before it was sent) gives it back
            // and ends its listener after the same delay as a client that went away mid-stream.
            system.scheduler().scheduleOnce(settings.streamHeartbeat().multipliedBy(2), () -> {
                if (!started.get()) {
                    release.run();
                    listener.first().tell(END, org.apache.pekko.actor.ActorRef.noSender());
                }
            }, system.executionContext());
            changes.topic(tenant).tell(Topic.subscribe(Adapter.<ScoreChange>toTyped(listener.first())));
            Source<ServerSentEvent, NotUsed> events = listener.second()
                    .map(message -> (ScoreChange) message)
                    .filter(change -> change.concerns(minFlames, rangeName))
                    .map(change -> ServerSentEvent.create(LeadsJson.change(change).toString()))
                    // A heartbeat (Pekko's: an event with empty data, which an EventSource
                    // ignores) keeps proxies from closing a quiet stream.
                    .keepAlive(settings.streamHeartbeat(), ServerSentEvent::heartbeat)
                    .via(liveStreams.flow())
                    .watchTermination((notUsed, ended) -> {
                        started.set(true);
                        ended.whenComplete((done, failure) -> release.run());
                        return notUsed;
                    });
            return completeOK(events, EventStreamMarshalling.toEventStream());
        });
    }

    // ---- every node

    /** Asks every node's reader; fails (503) when one does not answer in time. */
    private <R> CompletionStage<List<R>> askAll(Function<ActorRef<LeadsReader.Command>, CompletionStage<R>> ask) {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(LeadsReader.KEY, replyTo), settings.askTimeout(), system.scheduler())
                .thenComposeAsync(listing -> {
                    Set<ActorRef<LeadsReader.Command>> readers = listing.getServiceInstances(LeadsReader.KEY);
                    List<CompletableFuture<R>> answers = readers.stream()
                            .map(reader -> ask.apply(reader).toCompletableFuture()).toList();
                    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                            .thenApplyAsync(done -> answers.stream().map(CompletableFuture::join).toList(), executor);
                }, executor);
    }

    // ---- parameters

    /** 400 with one detail per bad parameter; the message is the problem itself when there is one. */
    private static HttpResponse invalidQuery(List<ApiError.Detail> problems) {
        return ApiError.invalid(problems.size() == 1 ? problems.get(0).message()
                : "the query has " + problems.size() + " problems: see details", problems);
    }

    private static long wholeNumber(Map<String, String> params, String name, long absent, long min, long max,
                                    List<ApiError.Detail> problems) {
        String value = params.get(name);
        if (value == null) {
            return absent;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(new ApiError.Detail(name, max == Long.MAX_VALUE
                ? name + " must be a whole number"
                : name + " must be a whole number from " + min + " to " + max));
        return absent;
    }

    private static Optional<ScoreRange> range(String name, ScoringModel model, List<ApiError.Detail> problems) {
        if (name == null) {
            return Optional.empty();
        }
        Optional<ScoreRange> found = model.ranges().stream().filter(r -> r.name().equals(name)).findFirst();
        if (found.isEmpty()) {
            problems.add(new ApiError.Detail("range", model.ranges().isEmpty()
                    ? "the tenant's model has no ranges: range cannot be used"
                    : "range must be one of the model's ranges: "
                    + String.join(", ", model.ranges().stream().map(ScoreRange::name).toList())));
        }
        return found;
    }

    /** The {@code next} of a page: opaque to clients, the score and contact id of its last lead. */
    static String encodeCursor(LeadIndex.Cursor cursor) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((cursor.score() + ":" + cursor.contactId()).getBytes(StandardCharsets.UTF_8));
    }

    static LeadIndex.Cursor cursor(String encoded, List<ApiError.Detail> problems) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            String contactId = text.substring(colon + 1);
            if (colon > 0 && EventJson.isValidContactId(contactId)) {
                return new LeadIndex.Cursor(Long.parseLong(text.substring(0, colon)), contactId);
            }
        } catch (IllegalArgumentException e) {
            // reported below (NumberFormatException is one)
        }
        problems.add(new ApiError.Detail("after", "after must be the next value of a previous page, as it was given"));
        return null;
    }
}

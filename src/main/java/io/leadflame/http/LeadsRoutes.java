package io.leadflame.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.config.Settings;
import io.leadflame.contact.ContactRecovery;
import io.leadflame.leads.Accounts;
import io.leadflame.leads.CallListService;
import io.leadflame.leads.Heating;
import io.leadflame.leads.LeadIndex;
import io.leadflame.leads.ScoreChangeFeed;
import io.leadflame.leads.ScoreChanges;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.ScoreNames;
import io.leadflame.model.VersionedModel;
import io.leadflame.scoring.AccountRollup;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.ScoringModel;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.HttpHeader;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The call list ({@code GET /leads}), the distribution ({@code GET /stats}), the model preview
 * and the live score changes ({@code GET /score-changes}) of a tenant: parameters checked here,
 * answers gathered from every node by the {@link CallListService}. A node that does not answer
 * makes the request a {@code 503} (a call list silently missing a node's contacts would
 * mislead), and the client retries.
 */
final class LeadsRoutes extends AllDirectives {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** Score changes a live listener may be behind by before it is disconnected. */
    static final int CHANGES_BUFFER = 1000;
    /** Ends a live stream's listener whose response never started. */
    private static final Object END = new Object();
    static final int DEFAULT_MOVERS = 20;
    static final int MAX_MOVERS = 1000;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ActorSystem<?> system;
    private final Settings settings;
    private final ModelCatalog catalog;
    private final Materializer materializer;
    private final ScoreChanges changes;
    /** Ends every live stream when the node shuts down, as a normal end rather than an aborted connection. */
    private final SharedKillSwitch liveStreams = KillSwitches.shared("score-changes");
    /** Bounds the live streams, so that they never take every connection of the port. */
    private final StreamBudget streams;
    private final LeadflameMetrics metrics;
    private final CallListService callList;
    /** Whether stored contacts are still coming back after the start: the answers say they are partial. */
    private final ContactRecovery recovery;

    LeadsRoutes(ActorSystem<?> system, Settings settings) {
        this.system = system;
        this.streams = new StreamBudget(settings.maxStreams(), settings.maxStreamsPerTenant(), settings.maxStreamsPerKey());
        this.metrics = LeadflameMetrics.get(system);
        metrics.liveStreams(streams, StreamBudget::open);
        this.settings = settings;
        this.catalog = ModelCatalog.get(system);
        this.materializer = Materializer.matFromSystem(system);
        this.changes = ScoreChanges.get(system);
        this.callList = new CallListService(system, settings.askTimeout());
        this.recovery = ContactRecovery.get(system);
        // After the port is unbound (no new listener), before open connections are cut.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "end-score-changes", () -> {
            liveStreams.shutdown();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
    }

    // ---- GET /leads

    /** @param key the model's key: the tenant's for its default score, or a named score's ({@link ScoreNames}) */
    Route callList(String key) {
        return parameterMap(params -> {
            VersionedModel model = catalog.modelOf(key);
            List<ApiError.Detail> problems = new ArrayList<>();
            int minFlames = (int) wholeNumber(params, "minFlames", 0, 0, 5, problems);
            long minScore = wholeNumber(params, "minScore", Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, problems);
            int limit = (int) wholeNumber(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, problems);
            Optional<ScoreRange> range = range(params.get("range"), model.model(), problems);
            String sort = params.getOrDefault("sort", "score");
            if (!sort.equals("score") && !sort.equals("velocity")) {
                problems.add(new ApiError.Detail("sort", "sort must be score or velocity"));
            }
            if (sort.equals("velocity")) {
                long minVelocity = wholeNumber(params, "minVelocity", Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE,
                        problems);
                Heating.After from = after(params, Heating.After::decode, problems);
                if (!problems.isEmpty()) {
                    return complete(invalidQuery(problems));
                }
                return heating(key, model, new CallListService.Query(minFlames, range, minScore, null, limit),
                        minVelocity, from);
            }
            if (params.containsKey("minVelocity")) {
                problems.add(new ApiError.Detail("minVelocity", "minVelocity goes with sort=velocity"));
            }
            LeadIndex.Cursor after = after(params, LeadIndex.Cursor::decode, problems);
            if (!problems.isEmpty()) {
                return complete(invalidQuery(problems));
            }
            return onSuccess(callList.page(key, model,
                    new CallListService.Query(minFlames, range, minScore, after, limit)), page -> {
                ObjectNode out = F.objectNode();
                ArrayNode list = out.putArray("leads");
                page.leads().forEach(lead -> list.add(LeadsJson.lead(lead, model.model())));
                out.put("next", page.next().map(LeadIndex.Cursor::encode).orElse(null));
                LeadsJson.putPartial(out, recovery.progress());
                return complete(JsonResponses.ok(out));
            });
        });
    }

    /** The leads heating up fastest, each with its velocity ({@link Heating}). */
    private Route heating(String key, VersionedModel model, CallListService.Query query, long minVelocity,
                          Heating.After after) {
        return onSuccess(callList.heating(key, model, query, minVelocity, after), found -> {
            ObjectNode out = F.objectNode();
            ArrayNode list = out.putArray("leads");
            found.stream().limit(query.limit()).forEach(h ->
                    list.add(LeadsJson.lead(h.lead(), model.model()).put("velocity7Days", h.velocity())));
            Heating.HeatingLead last = found.size() > query.limit() ? found.get(query.limit() - 1) : null;
            out.put("next", last == null ? null
                    : new Heating.After(last.velocity(), last.lead().score(), last.lead().contactId()).encode());
            LeadsJson.putPartial(out, recovery.progress());
            return complete(JsonResponses.ok(out));
        });
    }

    // ---- GET /accounts

    /**
     * The tenant's accounts, hottest first, as the model rolls its contacts up ({@code accounts}
     * in the model); 409 when it does not.
     */
    /** @param key as for {@link #callList} */
    Route accounts(String key) {
        return parameterMap(params -> {
            VersionedModel current = catalog.modelOf(key);
            ScoringModel model = current.model();
            if (model.accounts().isEmpty()) {
                return complete(noAccounts());
            }
            List<ApiError.Detail> problems = new ArrayList<>();
            int limit = (int) wholeNumber(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, problems);
            Accounts.After after = after(params, Accounts.After::decode, problems);
            if (!problems.isEmpty()) {
                return complete(invalidQuery(problems));
            }
            Accounts.After from = after;
            return onSuccess(callList.accounts(key, current, model.accounts().get()), list -> {
                List<Accounts.Account> page = Accounts.page(list.accounts(), from, limit);
                ObjectNode out = F.objectNode();
                ArrayNode accounts = out.putArray("accounts");
                page.stream().limit(limit).forEach(a -> {
                    ObjectNode o = accounts.addObject().put("account", a.account()).put("score", a.score())
                            .put("contacts", a.contacts());
                    ArrayNode hottest = o.putArray("hottest");
                    a.hottest().forEach(m -> hottest.addObject().put("contactId", m.contactId())
                            .put("score", m.score()));
                });
                Accounts.Account last = page.size() > limit ? page.get(limit - 1) : null;
                out.put("next", last == null ? null : new Accounts.After(last.score(), last.account()).encode());
                LeadsJson.putPartial(out, recovery.progress());
                if (list.truncated()) {
                    out.put("partial", true);
                }
                return complete(JsonResponses.ok(out));
            });
        });
    }

    private static HttpResponse noAccounts() {
        return ApiError.conflict(StatusCodes.CONFLICT, "this score's model rolls no contacts up into accounts: set "
                + "\"accounts\" in the model, e.g. {\"field\": \"company\", \"score\": \"sum\"}");
    }

    // ---- GET /stats

    /** @param key as for {@link #callList} */
    Route stats(String key) {
        return onSuccess(callList.distribution(key), d -> {
            ObjectNode out = stats(d);
            LeadsJson.putPartial(out, recovery.progress());
            return complete(JsonResponses.ok(out));
        });
    }

    private static ObjectNode stats(CallListService.Distribution d) {
        return LeadsJson.stats(d.counts(), d.bounds(), d.model().model(), d.model().version());
    }

    // ---- POST /model/preview

    /**
     * What {@code candidate} would do, computed by every node over its live contacts without
     * changing anything: the distribution now and under the candidate (each in the shape of
     * {@code /stats}) and the {@code movers} contacts whose score would change most.
     */
    Route preview(String key, ScoringModel candidate, Optional<String> moversParam) {
        List<ApiError.Detail> problems = new ArrayList<>();
        int movers = (int) wholeNumber(moversParam.map(m -> Map.of("movers", m)).orElse(Map.of()), "movers",
                DEFAULT_MOVERS, 0, MAX_MOVERS, problems);
        if (!problems.isEmpty()) {
            return complete(invalidQuery(problems));
        }
        return onSuccess(callList.preview(key, candidate, movers), outcome -> {
            ObjectNode out = F.objectNode();
            // Both over the contacts that are live: partial alike while stored ones are coming back.
            ContactRecovery.Progress progress = recovery.progress();
            ObjectNode current = stats(outcome.current());
            LeadsJson.putPartial(current, progress);
            out.set("current", current);
            ObjectNode preview = LeadsJson.stats(outcome.result().preview(), outcome.previewBounds(), candidate, null);
            LeadsJson.putPartial(preview, progress);
            out.set("preview", preview);
            ArrayNode list = out.putArray("movers");
            outcome.result().movers().forEach(m -> list.add(LeadsJson.mover(m)));
            return complete(JsonResponses.ok(out));
        });
    }

    // ---- GET /score-changes

    /**
     * Server-Sent Events, one per score change of the tenant's contacts on any node (filtered on
     * {@code minFlames} and {@code range}: a change is sent when the contact is in view before or
     * after it), with a heartbeat comment when nothing happens. A client that cannot keep up
     * with its buffer is disconnected: contacts publish without waiting for anyone.
     *
     * @param model the key of the score followed: the tenant's for its default score ({@link ScoreNames})
     * @param key   the API key's id (its streams are bounded)
     */
    Route scoreChanges(String model, String key, BooleanSupplier stillAllowed) {
        return extractRequest(request -> acceptsEventStream(request) ? scoreChangeStream(request, model, key, stillAllowed)
                // Refused before a place is taken: a stream that cannot be sent must not hold one.
                : complete(notAnEventStream()));
    }

    private static HttpResponse notAnEventStream() {
        return ApiError.of(ApiError.NOT_ACCEPTABLE, "score changes are sent as text/event-stream only")
                .toResponse(StatusCodes.NOT_ACCEPTABLE);
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

    private Route scoreChangeStream(HttpRequest request, String modelKey, String key, BooleanSupplier stillAllowed) {
        // Each stream follows one score, the default one's or a named score's (issue 16): its
        // listener hears that score's topic only (ScoreChanges), so no change needs filtering out.
        return parameterMap(params -> {
            VersionedModel model = catalog.modelOf(modelKey);
            List<ApiError.Detail> problems = new ArrayList<>();
            int minFlames = (int) wholeNumber(params, "minFlames", 0, 0, 5, problems);
            Optional<ScoreRange> range = range(params.get("range"), model.model(), problems);
            if (!problems.isEmpty()) {
                return complete(invalidQuery(problems));
            }
            String rangeName = range.map(ScoreRange::name).orElse(null);
            Optional<String> lastEventId = request.getHeader("Last-Event-ID").map(HttpHeader::value)
                    .map(String::strip).filter(id -> !id.isEmpty());
            return liveStream(modelKey, key, stillAllowed, lastEventId, (listening, changes) -> {
                Source<ServerSentEvent, NotUsed> reload = listening.mustReload()
                        .map(why -> Source.single(ServerSentEvent.create(LeadsJson.reload(why).toString(), "reload")))
                        .orElse(Source.empty());
                return reload.concat(changes
                        .filter(numbered -> numbered.change().concerns(minFlames, rangeName))
                        .map(numbered -> ServerSentEvent.create(LeadsJson.change(numbered.change()).toString(),
                                Optional.empty(), Optional.of(numbered.id()), OptionalInt.empty())));
            });
        });
    }

    // ---- GET /accounts/changes

    /** Contact changes arriving together make one new account list, at most this often. */
    private static final Duration ACCOUNTS_SETTLE = Duration.ofSeconds(1);
    /** How often an account stream takes the list anew without any score change. */
    private static final Duration ACCOUNTS_REFRESH = Duration.ofSeconds(10);

    /**
     * Server-Sent Events of the tenant's account scores (issue 16): after its contacts' score
     * changes (at most once a second), and every 10 seconds (a contact may move to another
     * account without a score change), each account whose score or number of contacts moved,
     * {@code {"account", "score", "previous", "contacts"}}; an account left without contacts
     * goes to 0. Each new list is computed as {@code GET /accounts} is, so a stream costs a pass
     * over the tenant's live contacts per second while its contacts change, and every 10 seconds
     * while they do not. No resume: a client
     * that reconnects reloads the list. 409 when the score's model rolls no contacts up.
     *
     * @param model the key of the score whose accounts are followed ({@link ScoreNames})
     * @param key   the API key's id (its streams are bounded)
     */
    Route accountChanges(String model, String key, BooleanSupplier stillAllowed) {
        Optional<AccountRollup> rollup = catalog.modelOf(model).model().accounts();
        if (rollup.isEmpty()) {
            return complete(noAccounts());
        }
        return extractRequest(request -> !acceptsEventStream(request) ? complete(notAnEventStream())
                : liveStream(model, key, stillAllowed, Optional.empty(), (listening, changes) ->
                        Source.completionStage(accountsNow(model))
                                .concat(changes.<Object>map(numbered -> numbered)
                                        // A contact that moves to another account without a score
                                        // change publishes nothing: the list is also taken anew
                                        // every ACCOUNTS_REFRESH while the stream is open.
                                        .merge(Source.tick(ACCOUNTS_REFRESH, ACCOUNTS_REFRESH, (Object) ACCOUNTS_REFRESH),
                                                true)
                                        .groupedWithin(10_000, ACCOUNTS_SETTLE)
                                        .mapAsync(1, batch -> accountsNow(model)))
                                .statefulMapConcat(() -> {
                                    // The first list is where the stream starts from: nothing moved yet.
                                    java.util.concurrent.atomic.AtomicReference<Map<String, Accounts.Account>> before =
                                            new java.util.concurrent.atomic.AtomicReference<>();
                                    return now -> {
                                        Map<String, Accounts.Account> was = before.getAndSet(now);
                                        return was == null ? List.<ServerSentEvent>of() : accountsMoved(was, now);
                                    };
                                })));
    }

    /** The score's accounts now, by name: none when its model no longer rolls contacts up. */
    private CompletionStage<Map<String, Accounts.Account>> accountsNow(String model) {
        VersionedModel current = catalog.modelOf(model);
        if (current.model().accounts().isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return callList.accounts(model, current, current.model().accounts().get()).thenApply(list -> {
            Map<String, Accounts.Account> byName = new java.util.LinkedHashMap<>();
            list.accounts().forEach(a -> byName.put(a.account(), a));
            return byName;
        });
    }

    /** One event per account whose score or contacts moved from {@code before} to {@code now}. */
    private static List<ServerSentEvent> accountsMoved(Map<String, Accounts.Account> before,
                                                       Map<String, Accounts.Account> now) {
        List<ServerSentEvent> moved = new ArrayList<>();
        now.forEach((name, a) -> {
            Accounts.Account was = before.get(name);
            if (was == null || was.score() != a.score() || was.contacts() != a.contacts()) {
                moved.add(ServerSentEvent.create(LeadsJson.accountChange(name, a.score(), was == null ? 0 : was.score(),
                        a.contacts()).toString()));
            }
        });
        before.forEach((name, was) -> {
            if (!now.containsKey(name)) {
                moved.add(ServerSentEvent.create(LeadsJson.accountChange(name, 0, was.score(), 0).toString()));
            }
        });
        return moved;
    }

    /**
     * A live stream of the score of {@code modelKey}, answered once its listener hears every node
     * (a change made after the answer is never missed): {@code events} turns the listener's
     * changes into what is sent. Bounded per node, tenant and key; heartbeats; ended by the key's
     * revocation and the node's shutdown.
     */
    private Route liveStream(String modelKey, String key, BooleanSupplier stillAllowed, Optional<String> lastEventId,
                             java.util.function.BiFunction<ScoreChangeFeed.Listening,
                                     Source<ScoreChangeFeed.Numbered, NotUsed>, Source<ServerSentEvent, NotUsed>> events) {
        String tenant = ScoreNames.tenantOf(modelKey);
        Optional<HttpResponse> refused = streams.acquire(tenant, key);
        if (refused.isPresent()) {
            metrics.liveStreamRefused();
            return complete(refused.get());
        }
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                streams.release(tenant, key);
            }
        };
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
        return onComplete(changes.listen(modelKey, Adapter.toTyped(listener.first()), lastEventId,
                settings.askTimeout()), listening -> {
            if (listening.isFailure() || listening.get().failure().isPresent()) {
                release.run();
                listener.first().tell(END, org.apache.pekko.actor.ActorRef.noSender());
                return complete(ApiError.overloaded("The live score changes could not be subscribed on "
                        + "every node; retry later."));
            }
            Source<ServerSentEvent, NotUsed> sent = events.apply(listening.get(),
                            listener.second().map(message -> (ScoreChangeFeed.Numbered) message))
                    // A heartbeat (Pekko's: an event with empty data, which an EventSource
                    // ignores) keeps proxies from closing a quiet stream.
                    .keepAlive(settings.streamHeartbeat(), ServerSentEvent::heartbeat)
                    // A key revoked while its stream is open ends it, at the next change or
                    // heartbeat: a leaked key stops receiving within one heartbeat.
                    .takeWhile(event -> stillAllowed.getAsBoolean())
                    .via(liveStreams.flow())
                    .watchTermination((notUsed, ended) -> {
                        started.set(true);
                        ended.whenComplete((done, failure) -> release.run());
                        return notUsed;
                    });
            return completeOK(sent, EventStreamMarshalling.toEventStream());
        });
    }

    // ---- parameters

    /** 400 with one detail per bad parameter; the message is the problem itself when there is one. */
    static HttpResponse invalidQuery(List<ApiError.Detail> problems) {
        return ApiError.invalid(problems.size() == 1 ? problems.get(0).message()
                : "the query has " + problems.size() + " problems: see details", problems);
    }

    static long wholeNumber(Map<String, String> params, String name, long absent, long min, long max,
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

    /** The {@code after} parameter as {@code decode} reads it; null when absent, and a problem when unreadable. */
    static <T> T after(Map<String, String> params, Function<String, Optional<T>> decode,
                       List<ApiError.Detail> problems) {
        if (!params.containsKey("after")) {
            return null;
        }
        Optional<T> after = decode.apply(params.get("after"));
        if (after.isEmpty()) {
            problems.add(new ApiError.Detail("after", "after must be the next value of a previous page, as it was given"));
        }
        return after.orElse(null);
    }
}

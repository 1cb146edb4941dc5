package io.leadflame.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.auth.ApiKeys;
import io.leadflame.auth.Caller;
import io.leadflame.auth.KeyRateLimits;
import io.leadflame.auth.Role;
import io.leadflame.config.Settings;
import io.leadflame.contact.ContactEntity;
import io.leadflame.contact.ContactService;
import io.leadflame.contact.WriteAdmission;
import io.leadflame.leads.CallListService;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.ModelHistory;
import io.leadflame.model.PublishedModel;
import io.leadflame.model.RescoringStatus;
import io.leadflame.model.ScoreNames;
import io.leadflame.model.ScoringModelEntity;
import io.leadflame.model.StoredModel;
import io.leadflame.persistence.StoredEntities;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.tenants.TenantDeletion;
import io.leadflame.scoring.Validated;
import io.leadflame.api.EventJson;
import io.leadflame.api.ModelJson;
import io.leadflame.api.Tenants;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.Materializer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The tenant API of API.md under {@code /api/v1/tenants/{tenant}}: events in, contacts and
 * scores out, the call list and distribution ({@link LeadsRoutes}), the scoring model and its
 * rescoring. Requests are routed to the sharded contact
 * and model actors; every answer that is not a success has the error shape of {@link ApiError}.
 */
public final class ApiRoutes extends AllDirectives {

    private static final long MAX_MODEL_BYTES = 1024 * 1024;
    private static final long MAX_WEBHOOK_BYTES = 16 * 1024;
    /** How far back a contact's score history reaches: the activities' retention (400 days). */
    private static final int MAX_HISTORY_DAYS = 400;
    /** An {@code at} this close before now means now (clocks of client and server differ). */
    private static final Duration AT_TOLERANCE = Duration.ofSeconds(1);
    /**
     * Beyond the write timeout and the time reading the body may take (the ask timeout): a write
     * that times out is answered by its own 503, not the server's.
     */
    private static final Duration WRITE_ANSWER_MARGIN = Duration.ofSeconds(5);

    private final ClusterSharding sharding;
    private final Settings settings;
    private final Clock clock;
    private final Materializer materializer;
    private final Executor executor;
    private final LeadflameMetrics metrics;
    private final ContactService contacts;
    private final LeadsRoutes leads;
    private final WebhookRoutes webhooks;
    private final KeyRoutes keys;
    private final Access access;
    private final ModelCatalog catalog;
    private final StoredEntities stored;
    private final ModelHistoryRoutes history;

    public ApiRoutes(ActorSystem<?> system, Settings settings, Clock clock, ContactService contacts) {
        this.sharding = ClusterSharding.get(system);
        this.settings = settings;
        this.clock = clock;
        this.materializer = Materializer.matFromSystem(system);
        this.executor = system.executionContext();
        this.metrics = LeadflameMetrics.get(system);
        this.contacts = contacts;
        this.leads = new LeadsRoutes(system, settings);
        this.webhooks = new WebhookRoutes(system, settings);
        this.keys = new KeyRoutes(system, settings);
        this.access = new Access(ApiKeys.get(system), KeyRateLimits.from(system.settings().config()));
        this.catalog = ModelCatalog.get(system);
        this.stored = new StoredEntities(system);
        this.history = new ModelHistoryRoutes(new ModelHistory(system));
    }

    /**
     * Every route asks for a key when keys are on ({@link Access}): 401 before anything else is
     * looked at, then 403 unless the key is the operator's or one of the tenant's whose role
     * allows the route: {@code ingest} for {@code POST /events}, {@code read} for reads,
     * {@code admin} for changes of the model, webhooks and keys (and for everything).
     */
    public Route routes() {
        return concat(tenantApi(), keapReads());
    }

    private Route tenantApi() {
        return pathPrefix("api", () -> access.authenticated(caller -> concat(
                path(PathMatchers.segment("v1").slash("whoami"), () -> get(() -> complete(
                        JsonResponses.ok(ScoreJson.caller(caller))))),
                pathPrefix(PathMatchers.segment("v1").slash("tenants").slash(PathMatchers.segment()),
                tenant -> validTenant(tenant, () -> concat(
                        pathEnd(() -> delete(() -> access.operatorOnly(caller, "delete a tenant", () -> deleteTenant(tenant)))),
                        path("deletion", () -> get(() -> access.operatorOnly(caller, "follow a tenant's deletion", () -> deletionStatus(tenant)))),
                        path("events", () -> post(() -> access.allowed(caller, tenant, Role.INGEST,
                                () -> withRequestTimeout(contacts.writeTimeout().plus(settings.askTimeout())
                                        .plus(WRITE_ANSWER_MARGIN), () -> events(tenant))))),
                        pathPrefix("contacts", () -> contactRoutes(tenant, tenant, caller)),
                        callListRoutes(tenant, caller),
                        pathPrefix("model", () -> modelRoutes(tenant, tenant, caller)),
                        pathPrefix("scores", () -> scoreRoutes(tenant, caller)),
                        pathPrefix("keys", () -> access.allowed(caller, tenant, Role.ADMIN,
                                () -> keyRoutes(tenant)))))))));
    }

    /**
     * Keap-compatible reads (issue 16): what an Infusionsoft/Keap integration reads of a
     * contact's lead score, in Keap's REST v2 shape, under a base URL that names the tenant
     * ({@code /keap/{tenant}/crm/rest} where Keap's is {@code https://api.infusionsoft.com/crm/rest}).
     * The same keys and roles as the tenant API; errors in this API's shape (README "Keap").
     */
    private Route keapReads() {
        return pathPrefix(PathMatchers.segment("keap").slash(PathMatchers.segment()), tenant ->
                access.authenticated(caller -> validTenant(tenant, () -> path(
                        PathMatchers.segment("crm").slash("rest").slash("v2").slash("contacts")
                                .slash(PathMatchers.segment()).slash("leadScore"),
                        contactId -> get(() -> access.allowed(caller, tenant, Role.READ,
                                () -> validContact(contactId, () -> keapLeadScore(tenant, contactId))))))));
    }

    private Route keapLeadScore(String tenant, String contactId) {
        return onSuccess(contacts.view(tenant, contactId, Optional.empty()), view -> view
                .map(v -> complete(JsonResponses.ok(ScoreJson.keapLeadScore(v, catalog.modelOf(tenant).published()))))
                .orElseGet(() -> complete(ApiError.notFound("no event was ever recorded for contact " + contactId))));
    }

    /** 202 at once: the deletion runs on (minutes for a million contacts); GET .../deletion follows it. */
    private Route deleteTenant(String tenant) {
        return onSuccess(sharding.entityRefFor(TenantDeletion.TYPE_KEY, tenant)
                        .<TenantDeletion.Status>ask(TenantDeletion.Start::new, settings.askTimeout()),
                status -> respondWithHeader(RawHeader.create("Location", "/api/v1/tenants/" + tenant + "/deletion"),
                        () -> complete(JsonResponses.of(StatusCodes.ACCEPTED, ScoreJson.deletion(status)))));
    }

    /** Without starting (and remembering) a deletion entity for a tenant never deleted. */
    private Route deletionStatus(String tenant) {
        CompletionStage<TenantDeletion.Status> status = stored.askIfStored(
                PersistenceId.of(TenantDeletion.TYPE_KEY.name(), tenant),
                () -> sharding.entityRefFor(TenantDeletion.TYPE_KEY, tenant)
                        .<TenantDeletion.Status>ask(TenantDeletion.GetStatus::new, settings.askTimeout()),
                () -> CompletableFuture.completedFuture(TenantDeletion.Status.none(tenant)));
        return onSuccess(status, s -> complete(JsonResponses.ok(ScoreJson.deletion(s))));
    }

    /**
     * A contact's routes, scored under the model of {@code key}: the tenant's default score's
     * (the tenant's own name) or a named score's ({@link ScoreNames}). A contact is erased
     * through the default score's route only: it is one contact whatever scores it.
     */
    private Route contactRoutes(String tenant, String key, Caller caller) {
        return pathPrefix(PathMatchers.segment(), contactId -> validContact(contactId, () -> concat(
                pathEnd(() -> concat(
                        get(() -> access.allowed(caller, tenant, Role.READ, () -> contact(key, contactId))),
                        ScoreNames.isNamed(key) ? reject()
                                : delete(() -> access.allowed(caller, tenant, Role.ADMIN, () -> erase(tenant, contactId))))),
                path("score", () -> get(() -> access.allowed(caller, tenant, Role.READ,
                        () -> parameterOptional("at", at -> score(key, contactId, at))))),
                path("history", () -> get(() -> access.allowed(caller, tenant, Role.READ,
                        () -> parameterOptional("days", days -> history(key, contactId, days))))))));
    }

    /** The routes of the model of {@code key} (see {@link #contactRoutes}), its versions and its preview. */
    private Route modelRoutes(String tenant, String key, Caller caller) {
        return concat(
                pathEnd(() -> concat(
                        get(() -> access.allowed(caller, tenant, Role.READ, () -> getModel(key))),
                        put(() -> access.allowed(caller, tenant, Role.ADMIN, () -> putModel(key, caller))))),
                pathPrefix("versions", () -> concat(
                        pathEndOrSingleSlash(() -> get(() -> access.allowed(caller, tenant, Role.READ,
                                () -> history.list(key)))),
                        pathPrefix(PathMatchers.longSegment(), version -> concat(
                                pathEnd(() -> get(() -> access.allowed(caller, tenant, Role.READ,
                                        () -> history.version(key, version)))),
                                path("diff", () -> get(() -> access.allowed(caller, tenant, Role.READ,
                                        () -> history.diff(key, version)))),
                                path("restore", () -> post(() -> access.allowed(caller, tenant, Role.ADMIN,
                                        () -> restore(key, version, caller)))))))),
                path("rescoring", () -> get(() -> access.allowed(caller, tenant, Role.READ, () -> rescoring(key)))),
                path("preview", () -> !settings.callList() ? reject() : post(() -> access.allowed(caller, tenant,
                        Role.ADMIN, () -> parameterOptional("movers", movers -> withRequestTimeout(
                                CallListService.PREVIEW_TIMEOUT, () -> validModel(candidate ->
                                        leads.preview(key, candidate, movers))))))));
    }

    /**
     * Named scores (issue 16): {@code GET /scores} lists the tenant's scores; under
     * {@code /scores/{score}} are the model routes, the contact reads, the call list and the
     * distribution of one of them, {@code default} being the tenant's default score. A named
     * score is created by the first PUT of its model and deleted by {@code DELETE /scores/{score}}.
     */
    private Route scoreRoutes(String tenant, Caller caller) {
        return concat(
                pathEndOrSingleSlash(() -> get(() -> access.allowed(caller, tenant, Role.READ, () -> scores(tenant)))),
                pathPrefix(PathMatchers.segment(), score -> validScore(score, () -> {
                    String key = ScoreNames.key(tenant, score);
                    return concat(
                            pathEnd(() -> delete(() -> access.allowed(caller, tenant, Role.ADMIN,
                                    () -> deleteScore(tenant, score, caller)))),
                            pathPrefix("model", () -> modelRoutes(tenant, key, caller)),
                            // Whether a score exists is told only to those who may read the tenant.
                            access.allowed(caller, tenant, Role.READ, () -> scoreExists(tenant, score, () -> concat(
                                    pathPrefix("contacts", () -> contactRoutes(tenant, key, caller)),
                                    !settings.callList() ? reject() : concat(
                                            path("leads", () -> get(() -> access.allowed(caller, tenant, Role.READ,
                                                    () -> leads.callList(key)))),
                                            path("stats", () -> get(() -> access.allowed(caller, tenant, Role.READ,
                                                    () -> leads.stats(key)))),
                                            path("accounts", () -> get(() -> access.allowed(caller, tenant,
                                                    Role.READ, () -> leads.accounts(key)))),
                                            path(PathMatchers.segment("accounts").slash("changes"), () -> get(() ->
                                                    access.allowed(caller, tenant, Role.READ,
                                                            () -> leads.accountChanges(key, caller.keyId(),
                                                                    () -> access.stillValid(caller))))),
                                            path("score-changes", () -> get(() -> access.allowed(caller, tenant,
                                                    Role.READ, () -> leads.scoreChanges(key, caller.keyId(),
                                                            () -> access.stillValid(caller))))))))));
                })));
    }

    private Route validScore(String score, Supplier<Route> inner) {
        return ScoreNames.isValid(score) ? inner.get() : complete(ApiError.invalid(ScoreNames.RULE));
    }

    /** 404 for a named score the tenant does not have: a mistyped name must not list every contact at 0. */
    private Route scoreExists(String tenant, String score, Supplier<Route> inner) {
        return catalog.hasScore(tenant, score) ? inner.get()
                : complete(ApiError.notFound("this tenant has no score named " + score
                        + ": GET /scores lists them, and a PUT of /scores/" + score + "/model creates it"));
    }

    /**
     * A version of the model of {@code key} that would create a named score (a PUT, a restore of
     * a deleted one) only while the tenant has fewer than {@link ScoreNames#MAX_NAMED}; 409 beyond.
     */
    private Route withinNamedScores(String key, Supplier<Route> inner) {
        String tenant = ScoreNames.tenantOf(key);
        int named = catalog.named(tenant).size();
        if (catalog.hasScore(tenant, ScoreNames.scoreOf(key)) || named < ScoreNames.MAX_NAMED) {
            return inner.get();
        }
        return complete(ApiError.conflict(StatusCodes.CONFLICT, "this tenant has " + named
                + " named scores, the most it may have: delete one (DELETE /scores/{score}) before creating another"));
    }

    /** The default score and every named score of the tenant, by name. */
    private Route scores(String tenant) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode list = out.putArray("scores");
        list.add(ScoreJson.scoreSummary(ScoreNames.DEFAULT, catalog.modelOf(tenant)));
        catalog.namedScores(tenant).forEach((name, model) -> list.add(ScoreJson.scoreSummary(name, model)));
        return complete(JsonResponses.ok(out));
    }

    /**
     * A named score's model back to the default (no rules): it leaves the list of scores, its
     * versions stay in its history (a restore brings it back). 204; 404 for a score the tenant
     * does not have; the default score itself is changed, never deleted (400).
     */
    private Route deleteScore(String tenant, String score, Caller caller) {
        if (score.equals(ScoreNames.DEFAULT)) {
            return complete(ApiError.invalid("the default score cannot be deleted: PUT /model changes it"));
        }
        return scoreExists(tenant, score, () -> onSuccess(ScoringModelEntity.resetToDefault(sharding,
                        ScoreNames.key(tenant, score), caller.author(), settings.askTimeout()),
                reset -> complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))));
    }

    /** Absent (404) on a node measured without the call list ({@code leadflame.leads.index = off}). */
    private Route callListRoutes(String tenant, Caller caller) {
        return !settings.callList() ? reject() : concat(
                path("leads", () -> get(() -> access.allowed(caller, tenant, Role.READ, () -> leads.callList(tenant)))),
                path("stats", () -> get(() -> access.allowed(caller, tenant, Role.READ, () -> leads.stats(tenant)))),
                path("accounts", () -> get(() -> access.allowed(caller, tenant, Role.READ,
                        () -> leads.accounts(tenant)))),
                path(PathMatchers.segment("accounts").slash("changes"), () -> get(() -> access.allowed(caller,
                        tenant, Role.READ, () -> leads.accountChanges(tenant, caller.keyId(),
                                () -> access.stillValid(caller))))),
                path("score-changes", () -> get(() -> access.allowed(caller, tenant, Role.READ,
                        () -> leads.scoreChanges(tenant, caller.keyId(), () -> access.stillValid(caller))))),
                pathPrefix("webhooks", () -> webhookRoutes(tenant, caller)));
    }

    private Route webhookRoutes(String tenant, Caller caller) {
        return concat(
                pathEndOrSingleSlash(() -> get(() -> access.allowed(caller, tenant, Role.READ,
                        () -> webhooks.list(tenant)))),
                path(PathMatchers.segment(), id -> webhooks.validId(id, () -> concat(
                        get(() -> access.allowed(caller, tenant, Role.READ, () -> webhooks.get(tenant, id))),
                        put(() -> access.allowed(caller, tenant, Role.ADMIN, () -> jsonBody("the webhook",
                                MAX_WEBHOOK_BYTES, json -> webhooks.save(tenant, id, json)))),
                        delete(() -> access.allowed(caller, tenant, Role.ADMIN, () -> webhooks.delete(tenant, id)))))));
    }

    private Route keyRoutes(String tenant) {
        return concat(
                pathEndOrSingleSlash(() -> concat(
                        get(() -> keys.list(tenant)),
                        post(() -> jsonBody("the key", KeyRoutes.MAX_BODY_BYTES, json -> keys.create(tenant, json))))),
                path(PathMatchers.segment(), id -> delete(() -> keys.revoke(tenant, id))));
    }

    private Route validTenant(String tenant, Supplier<Route> inner) {
        return Tenants.isValid(tenant) ? inner.get() : complete(ApiError.invalid(Tenants.RULE));
    }

    private Route validContact(String contactId, Supplier<Route> inner) {
        return EventJson.isValidContactId(contactId) ? inner.get()
                : complete(ApiError.invalid("contactId must be 1 to 128 characters of A-Z, a-z, 0-9 and ._:@+-"));
    }

    // ---- events

    private Route events(String tenant) {
        return extractRequestEntity(entity -> {
            String mediaType = mediaType(entity.getContentType());
            boolean ndjson = mediaType.equals("application/x-ndjson");
            if (!ndjson && !mediaType.equals("application/json")) {
                return complete(ApiError.unsupportedMediaType(
                        "send events as application/json (an event or an array) or application/x-ndjson"));
            }
            Instant receivedAt = clock.instant();
            Optional<EntityStreamSizeException> tooLarge = declaredTooLarge(entity, settings.maxRequestBytes());
            if (tooLarge.isPresent()) {
                // Too large whatever the load: 413, not a 503 to retry.
                return failWith(tooLarge.get());
            }
            // Admitted (or refused) before the body is parsed: a refusal costs no parsing.
            Optional<WriteAdmission.Ticket> admitted = contacts.admit(
                    WriteAdmission.mostEvents(entity.getContentLengthOption(), settings.maxEventsPerRequest()));
            if (admitted.isEmpty()) {
                return onSuccess(entity.discardBytes(materializer).completionStage(), read -> complete(
                        ApiError.overloaded("The node is writing as many events as it takes at once; nothing of "
                                + "this request was applied: send it again after Retry-After.")));
            }
            WriteAdmission.Ticket ticket = admitted.get();
            CompletionStage<HttpResponse> answer;
            try {
                answer = strictBody(entity, settings.maxRequestBytes())
                        .thenComposeAsync(body -> recordBody(tenant, body, ndjson, receivedAt, ticket), executor);
            } catch (RuntimeException e) {
                ticket.release();
                throw e;
            }
            // The places are given back when the writes have ended, whatever the client was answered.
            answer.whenComplete((response, failure) -> ticket.release());
            return onSuccess(answer, this::complete);
        });
    }

    /** The events of {@code body}, once durable: 202 with the counts; 400 or 413 for a body that cannot be taken. */
    private CompletionStage<HttpResponse> recordBody(String tenant, byte[] body, boolean ndjson, Instant receivedAt,
                                                     WriteAdmission.Ticket ticket) {
        EventBatch batch;
        try {
            batch = ndjson ? EventBatch.fromNdjson(body, receivedAt, settings.maxEventsPerRequest())
                    : EventBatch.fromJson(body, receivedAt, settings.maxEventsPerRequest());
        } catch (EventBatch.Unreadable e) {
            return CompletableFuture.completedFuture(
                    e.tooLarge ? ApiError.tooLarge(e.getMessage()) : ApiError.invalid(e.getMessage()));
        }
        metrics.eventsRejected(batch.rejected().size());
        if (batch.validCount() == 0) {
            return CompletableFuture.completedFuture(ApiError.invalid(batch.size() == 0 ? "no events in the request"
                    : "no event in the request is valid: see rejected", ingestionCounts(0, 0, batch)));
        }
        ticket.keep(batch.validCount());
        return contacts.record(tenant, batch.byContact()).thenApply(recorded -> JsonResponses.of(
                StatusCodes.ACCEPTED, ingestionCounts(recorded.accepted(), recorded.duplicates(), batch)));
    }

    private static ObjectNode ingestionCounts(long accepted, long duplicates, EventBatch batch) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("accepted", accepted);
        out.put("duplicates", duplicates);
        ArrayNode rejected = out.putArray("rejected");
        batch.rejected().forEach(r -> rejected.addObject().put("index", r.index()).put("error", r.error()));
        return out;
    }

    // ---- contacts

    /** @param key the key of the model to score under ({@link #contactRoutes}) */
    private Route contact(String key, String contactId) {
        return onSuccess(contacts.view(key, contactId, Optional.empty()), view -> view
                .map(v -> complete(JsonResponses.ok(ScoreJson.named(ScoreJson.contact(v), key))))
                .orElseGet(() -> complete(ApiError.notFound("no event was ever recorded for contact " + contactId))));
    }

    /** The contact's score over the last {@code days} (30 unless given, at most 400) under the current model. */
    private Route history(String key, String contactId, Optional<String> daysParam) {
        int days = 30;
        if (daysParam.isPresent()) {
            try {
                days = Integer.parseInt(daysParam.get().trim());
            } catch (NumberFormatException e) {
                days = -1;
            }
            if (days < 1 || days > MAX_HISTORY_DAYS) {
                return complete(ApiError.invalid("days must be a whole number from 1 to " + MAX_HISTORY_DAYS));
            }
        }
        return onSuccess(contacts.history(key, contactId, days), timeline -> timeline
                .map(t -> complete(JsonResponses.ok(ScoreJson.named(ScoreJson.history(t), key))))
                .orElseGet(() -> complete(ApiError.notFound("no event was ever recorded for contact " + contactId))));
    }

    /** 204 once the contact's rows are gone from the journal; 404 for one never seen. */
    private Route erase(String tenant, String contactId) {
        return onSuccess(contacts.erase(tenant, contactId), result -> {
            if (result.isEmpty() || result.get() instanceof ContactEntity.Erased erased && !erased.existed()) {
                return complete(ApiError.notFound("no event was ever recorded for contact " + contactId));
            }
            if (result.get() instanceof ContactEntity.ErasureFailed) {
                return complete(ApiError.overloaded("the journal did not take the erasure; nothing was erased: "
                        + "send the DELETE again"));
            }
            return complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
        });
    }

    private Route score(String key, String contactId, Optional<String> atParam) {
        Optional<Instant> at = Optional.empty();
        if (atParam.isPresent()) {
            Optional<Instant> parsed = EventJson.instant(atParam.get());
            if (parsed.isEmpty()) {
                return complete(ApiError.invalid("at must be an ISO-8601 instant like 2026-11-23T10:00:00Z"));
            }
            if (parsed.get().isBefore(clock.instant().minus(AT_TOLERANCE))) {
                return complete(ApiError.invalid("at is in the past: a score can be asked for now or later"));
            }
            at = parsed;
        }
        return onSuccess(contacts.view(key, contactId, at), view -> view
                .map(v -> complete(JsonResponses.ok(ScoreJson.named(ScoreJson.score(v), key))))
                .orElseGet(() -> complete(ApiError.notFound("no event was ever recorded for contact " + contactId))));
    }

    // ---- scoring model

    /**
     * Asks the model entity of {@code key} (a tenant's default score, or a named score:
     * {@link ScoreNames}), or answers {@code never} without starting it when it never stored a
     * model: this node knows none for it, and neither does the journal.
     */
    private <T> CompletionStage<T> askModel(String key, Function<ActorRef<T>, ScoringModelEntity.Command> ask,
                                            T never) {
        CompletionStage<Boolean> stored = catalog.modelOf(key).version() > 0 || catalog.unreadable().containsKey(key)
                ? CompletableFuture.completedFuture(true)
                : this.stored.exist(PersistenceId.of(ScoringModelEntity.TYPE_KEY.name(), key));
        return stored.thenComposeAsync(exists -> exists
                ? sharding.entityRefFor(ScoringModelEntity.TYPE_KEY, key).ask(ask::apply, settings.askTimeout())
                : CompletableFuture.completedFuture(never), executor);
    }

    private Route getModel(String key) {
        return onSuccess(askModel(key, ScoringModelEntity.Get::new, PublishedModel.initial(key)), this::model);
    }

    /**
     * A model version as the API shows it, or 500 for a stored version that this release cannot
     * read (its score's next valid PUT replaces it; /health/ready lists it meanwhile).
     */
    private Route model(PublishedModel published) {
        ObjectNode json;
        try {
            json = ScoreJson.model(published);
        } catch (RuntimeException unreadable) {
            return complete(ApiError.unreadableModel(published.version()));
        }
        return respondWithHeader(etag(published.version()), () -> complete(JsonResponses.ok(json)));
    }

    private Route putModel(String key, Caller caller) {
        return ifMatch(expected -> validModel(model ->
                publish(key, StoredModel.write(model), expected, caller, Optional.empty())));
    }

    /**
     * Publishes an earlier version again, as a new version (its history says which it restored):
     * the contacts are rescored under it as after any change. 404 for a version never published,
     * 409 for one this release cannot read.
     */
    private Route restore(String key, long version, Caller caller) {
        return ifMatch(expected -> history.withVersion(key, version, earlier -> {
            ScoringModel model;
            try {
                model = earlier.published(key).parse();
            } catch (RuntimeException unreadable) {
                return complete(ApiError.conflict(StatusCodes.CONFLICT, "version " + version + " was stored by a "
                        + "release whose form this one cannot read, so it cannot be restored"));
            }
            // Stored again in this release's form, whatever form the earlier version was stored in.
            return publish(key, StoredModel.write(model), expected, caller, Optional.of(version));
        }));
    }

    /** The request's {@code If-Match} version for {@code inner}, if any; 400 for one that is no version. */
    private Route ifMatch(Function<Optional<Long>, Route> inner) {
        return optionalHeaderValueByName("If-Match", ifMatch -> {
            Optional<Long> expected = Optional.empty();
            if (ifMatch.isPresent()) {
                expected = parseVersion(ifMatch.get());
                if (expected.isEmpty()) {
                    return complete(ApiError.invalid("If-Match must be a model version in quotes, like \"3\""));
                }
            }
            return inner.apply(expected);
        });
    }

    /** A new version of the model of {@code key}, answered as {@code GET /model} shows it, or 412. */
    private Route publish(String key, String stored, Optional<Long> expectedVersion, Caller caller,
                          Optional<Long> restoredFrom) {
        return withinNamedScores(key, () -> onSuccess(sharding.entityRefFor(ScoringModelEntity.TYPE_KEY, key)
                        .<ScoringModelEntity.PutResult>ask(replyTo -> new ScoringModelEntity.Put(stored,
                                expectedVersion, caller.author(), restoredFrom, replyTo), settings.askTimeout()),
                result -> {
                    if (result instanceof ScoringModelEntity.Published p) {
                        return model(p.model());
                    }
                    long current = ((ScoringModelEntity.VersionMismatch) result).currentVersion();
                    return complete(ApiError.conflict(StatusCodes.PRECONDITION_FAILED,
                            "the model is at version " + current + ", not " + expectedVersion.orElse(-1L)
                                    + ": reload it and apply your change again"));
                }));
    }

    /**
     * The request's body as a valid model for {@code inner}; otherwise 415, 413 or 400 with every
     * problem in {@code details} (PUT /model and POST /model/preview validate alike).
     */
    private Route validModel(Function<ScoringModel, Route> inner) {
        return jsonBody("the model", MAX_MODEL_BYTES, json -> {
            Validated<ScoringModel> model = ModelJson.read(json);
            if (!model.isValid()) {
                return complete(invalid("the model", model));
            }
            return inner.apply(model.value().orElseThrow());
        });
    }

    /** 400 with one detail per problem of what was read. */
    static HttpResponse invalid(String what, Validated<?> read) {
        return ApiError.invalid(what + " has " + read.problems().size() + " problem(s): see details",
                read.problems().stream().map(p -> new ApiError.Detail(p.path(), p.message())).toList());
    }

    /** The request's body as JSON for {@code inner}; otherwise 415, 413 or 400. */
    private Route jsonBody(String what, long maxBytes, Function<JsonNode, Route> inner) {
        return extractRequestEntity(entity -> {
            if (!mediaType(entity.getContentType()).equals("application/json")) {
                return complete(ApiError.unsupportedMediaType("send " + what + " as application/json"));
            }
            return onSuccess(strictBody(entity, maxBytes), body -> {
                JsonNode json;
                try {
                    json = EventBatch.readJson(body);
                } catch (EventBatch.Unreadable e) {
                    return complete(ApiError.invalid(e.getMessage()));
                }
                return inner.apply(json);
            });
        });
    }

    private Route rescoring(String key) {
        return onSuccess(askModel(key, ScoringModelEntity.GetRescoring::new, RescoringStatus.NONE),
                status -> complete(JsonResponses.ok(ScoreJson.rescoring(status))));
    }

    /** {@code "3"}, {@code W/"3"} or {@code 3}. */
    static Optional<Long> parseVersion(String ifMatch) {
        String v = ifMatch.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            long version = Long.parseLong(v);
            return version >= 0 ? Optional.of(version) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static RawHeader etag(long version) {
        return RawHeader.create("ETag", "\"" + version + "\"");
    }

    // ---- bodies

    private static String mediaType(ContentType contentType) {
        return (contentType.mediaType().mainType() + "/" + contentType.mediaType().subType()).toLowerCase();
    }

    /** The whole body, failing with {@code EntityStreamSizeException} (413) beyond {@code maxBytes}. */
    private CompletionStage<byte[]> strictBody(HttpEntity entity, long maxBytes) {
        // toStrict checks a declared Content-Length against its own maximum (by default
        // pekko.http.parsing.max-to-strict-bytes, 8m) before the size limit and fails with a plain
        // EntityStreamException, which would be a 500: refuse a declared length here, and give
        // toStrict the same maximum so that the size limit is what stops a chunked body.
        Optional<EntityStreamSizeException> tooLarge = declaredTooLarge(entity, maxBytes);
        if (tooLarge.isPresent()) {
            return CompletableFuture.failedFuture(tooLarge.get());
        }
        return entity.withSizeLimit(maxBytes)
                .toStrict(settings.askTimeout().toMillis(), maxBytes, materializer)
                .thenApplyAsync(strict -> strict.getData().toArray(), executor);
    }

    /** The 413 of a body whose declared Content-Length is past {@code maxBytes}, or empty. */
    private static Optional<EntityStreamSizeException> declaredTooLarge(HttpEntity entity, long maxBytes) {
        OptionalLong declared = entity.getContentLengthOption();
        return declared.isPresent() && declared.getAsLong() > maxBytes
                ? Optional.of(new EntityStreamSizeException(maxBytes, scala.Option.apply(declared.getAsLong())))
                : Optional.empty();
    }
}

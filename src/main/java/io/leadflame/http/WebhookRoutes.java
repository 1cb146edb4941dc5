package io.leadflame.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.config.Settings;
import io.leadflame.model.ModelCatalog;
import io.leadflame.model.ScoreNames;
import io.leadflame.model.ScoringModelEntity;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.Validated;
import io.leadflame.webhooks.ReceiverAddresses;
import io.leadflame.webhooks.WebhookOutbox;
import io.leadflame.webhooks.WebhookPayload;
import io.leadflame.webhooks.WebhookRequest;
import io.leadflame.webhooks.WebhookStatus;
import io.leadflame.webhooks.WebhookTriggers;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * A tenant's threshold webhooks: {@code GET /webhooks}, and {@code PUT}, {@code GET},
 * {@code DELETE /webhooks/{id}}, answered by the tenant's {@link WebhookOutbox}. The secret is
 * write-only: no answer shows it.
 */
final class WebhookRoutes extends AllDirectives {

    private final ClusterSharding sharding;
    private final Settings settings;
    private final WebhookTriggers triggers;
    private final ReceiverAddresses receivers;
    private final ModelCatalog catalog;

    WebhookRoutes(ActorSystem<?> system, Settings settings) {
        this.sharding = ClusterSharding.get(system);
        this.catalog = ModelCatalog.get(system);
        this.settings = settings;
        this.triggers = WebhookTriggers.get(system);
        this.receivers = ReceiverAddresses.get(system);
    }

    Route validId(String id, Supplier<Route> inner) {
        return WebhookRequest.ID.matcher(id).matches() ? inner.get()
                : complete(ApiError.invalid("a webhook id must be 1 to 64 characters of A-Z, a-z, 0-9 and ._-"));
    }

    /**
     * Reads and deletes of a tenant that never had a webhook are answered here: asking would start
     * (and remember forever) an outbox for any tenant name anyone sends.
     */
    Route list(String tenant) {
        if (!triggers.has(tenant)) {
            return complete(JsonResponses.ok(listing(List.of())));
        }
        return onSuccess(outbox(tenant).<WebhookOutbox.Listing>ask(WebhookOutbox.ListAll::new, settings.askTimeout()), listing -> {
            return complete(JsonResponses.ok(listing(listing.webhooks())));
        });
    }

    private static ObjectNode listing(List<WebhookStatus> webhooks) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode items = body.putArray("webhooks");
        webhooks.forEach(w -> items.add(json(w)));
        return body;
    }

    Route get(String tenant, String id) {
        if (!triggers.has(tenant)) {
            return complete(notFound(id));
        }
        return onSuccess(outbox(tenant).<WebhookOutbox.Found>ask(replyTo -> new WebhookOutbox.Get(id, replyTo), settings.askTimeout()),
                found -> complete(found.webhook() == null ? notFound(id) : JsonResponses.ok(json(found.webhook()))));
    }

    /**
     * Validated against the current model of the score its trigger follows (the default one
     * unless it names a named score), as its entity has it (a node's copy may lag just after a
     * change).
     */
    Route save(String tenant, String id, JsonNode body) {
        String score = WebhookRequest.scoreOf(body);
        if (!catalog.hasScore(tenant, score)) {
            return complete(ApiError.invalid("the webhook follows a score this tenant does not have",
                    List.of(new ApiError.Detail("trigger.score", "no score named " + score + ": GET /scores lists them"))));
        }
        return onSuccess(sharding.entityRefFor(ScoringModelEntity.TYPE_KEY, ScoreNames.key(tenant, score))
                .ask(ScoringModelEntity.Get::new, settings.askTimeout()), model -> {
            List<String> ranges;
            try {
                ranges = model.parse().ranges().stream().map(ScoreRange::name).toList();
            } catch (RuntimeException unreadable) {
                return complete(ApiError.unreadableModel(model.version()));
            }
            Validated<WebhookRequest> read = WebhookRequest.read(body, ranges);
            if (!read.isValid()) {
                return complete(ApiRoutes.invalid("the webhook", read));
            }
            WebhookRequest request = read.value().orElseThrow();
            return onSuccess(receivers.check(request.url()), refused -> refused
                    .map(why -> complete(ApiError.invalid("the webhook's receiver is refused: " + why,
                            List.of(new ApiError.Detail("url", why)))))
                    .orElseGet(() -> save(tenant, id, request)));
        });
    }

    private Route save(String tenant, String id, WebhookRequest request) {
        return onSuccess(outbox(tenant).<WebhookOutbox.Saved>ask(replyTo -> new WebhookOutbox.Save(id, request.url(), request.secret(),
                        request.trigger(), replyTo), settings.askTimeout()),
                saved -> complete(JsonResponses.of(saved.created() ? StatusCodes.CREATED : StatusCodes.OK,
                        json(saved.webhook()))));
    }

    Route delete(String tenant, String id) {
        if (!triggers.has(tenant)) {
            return complete(notFound(id));
        }
        return onSuccess(outbox(tenant).<WebhookOutbox.Deleted>ask(replyTo -> new WebhookOutbox.Delete(id, replyTo), settings.askTimeout()),
                deleted -> complete(deleted.existed() ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
                        : notFound(id)));
    }

    private EntityRef<WebhookOutbox.Command> outbox(String tenant) {
        return sharding.entityRefFor(WebhookOutbox.TYPE_KEY, tenant);
    }

    private static HttpResponse notFound(String id) {
        return ApiError.notFound("no webhook " + id);
    }

    static ObjectNode json(WebhookStatus w) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("id", w.id());
        body.put("url", WebhookRequest.redacted(w.url()));
        body.set("trigger", WebhookPayload.trigger(w.trigger()));
        body.put("updatedAt", w.updatedAt().toString());
        ObjectNode deliveries = body.putObject("deliveries");
        deliveries.put("pending", w.pending());
        deliveries.put("delivered", w.delivered());
        deliveries.put("failed", w.failed());
        deliveries.put("consecutiveFailures", w.consecutiveFailures());
        deliveries.put("nextAttemptAt", text(w.nextAttemptAt()));
        deliveries.put("lastDeliveredAt", text(w.lastDeliveredAt()));
        deliveries.put("lastError", w.lastError());
        deliveries.put("oldestPendingAt", text(w.oldestPendingAt()));
        ArrayNode recent = deliveries.putArray("recent");
        for (WebhookStatus.Outcome o : w.recent()) {
            ObjectNode item = recent.addObject();
            item.put("deliveryId", o.deliveryId());
            item.put("contactId", o.contactId());
            item.put("status", o.status());
            item.put("attempts", o.attempts());
            item.put("at", o.at().toString());
            item.put("error", o.error());
        }
        return body;
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}

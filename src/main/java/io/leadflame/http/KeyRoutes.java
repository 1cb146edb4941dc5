package io.leadflame.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.auth.ApiKeyText;
import io.leadflame.auth.ApiKeys;
import io.leadflame.auth.ApiKeysEntity;
import io.leadflame.auth.Role;
import io.leadflame.auth.TenantKey;
import io.leadflame.auth.TenantKeys;
import io.leadflame.config.Settings;
import io.leadflame.persistence.StoredEntities;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.persistence.typed.PersistenceId;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * A tenant's keys: {@code POST /keys} makes one and shows its text once, {@code GET /keys} lists
 * them (never a text or a hash), {@code DELETE /keys/{id}} revokes one, on every node, before it
 * answers. For the operator key and the tenant's admin keys.
 */
final class KeyRoutes extends AllDirectives {

    static final long MAX_BODY_BYTES = 4 * 1024;
    private static final int MAX_NAME_LENGTH = 100;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    private final ClusterSharding sharding;
    private final Settings settings;
    private final StoredEntities stored;
    /** This node's copy of every tenant's keys: which tenants exist, as far as keys go. */
    private final ApiKeys known;
    private final int maxTenants;

    KeyRoutes(ActorSystem<?> system, Settings settings) {
        this.sharding = ClusterSharding.get(system);
        this.settings = settings;
        this.stored = new StoredEntities(system);
        this.known = ApiKeys.get(system);
        this.maxTenants = system.settings().config().getInt("leadflame.auth.max-tenants");
    }

    Route create(String tenant, JsonNode body) {
        if (!body.isObject()) {
            return complete(ApiError.invalid("a key is a JSON object: {\"name\": ..., \"role\": \"ingest\", \"read\" or \"admin\"}"));
        }
        JsonNode name = body.path("name");
        JsonNode roleName = body.path("role");
        Optional<Role> role = roleName.isTextual() ? Role.fromApiName(roleName.textValue()) : Optional.empty();
        if (!name.isTextual() || name.textValue().isBlank() || name.textValue().length() > MAX_NAME_LENGTH) {
            return complete(ApiError.invalid("name must be a text of 1 to " + MAX_NAME_LENGTH
                    + " characters (what the key is for, e.g. \"HubSpot sync\")"));
        }
        if (role.isEmpty()) {
            return complete(ApiError.invalid("role must be \"ingest\" (POST /events only), \"read\" (reads) or "
                    + "\"admin\" (everything for the tenant)"));
        }
        if (!known.hasActiveKey(tenant) && known.tenantsWithKeys() >= maxTenants) {
            return complete(ApiError.conflict(StatusCodes.CONFLICT, "this cluster serves " + maxTenants
                    + " tenants, its limit (LEADFLAME_MAX_TENANTS): no key for another one"));
        }
        ApiKeyText.Generated key = ApiKeyText.generate();
        return onSuccess(keys(tenant).<ApiKeysEntity.CreateResult>ask(replyTo -> new ApiKeysEntity.Create(key.id(),
                name.textValue(), role.get(), ApiKeyText.hash(key.text()), replyTo), settings.askTimeout()), result -> {
            if (result instanceof ApiKeysEntity.Created created) {
                ObjectNode json = describe(created.key());
                json.put("key", key.text());
                return complete(JsonResponses.of(StatusCodes.CREATED, json));
            }
            return complete(ApiError.conflict(StatusCodes.CONFLICT, "the tenant has "
                    + ((ApiKeysEntity.TooManyKeys) result).active() + " active keys, the most it may have: revoke "
                    + "one first"));
        });
    }

    Route list(String tenant) {
        return onSuccess(existingKeys(tenant), keys -> {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            ArrayNode list = json.putArray("keys");
            keys.keys().forEach(k -> list.add(describe(k)));
            return complete(JsonResponses.ok(json));
        });
    }

    Route revoke(String tenant, String id) {
        if (!ID.matcher(id).matches()) {
            return complete(ApiError.notFound("no key " + id));
        }
        return onSuccess(existingKeys(tenant).thenCompose(keys -> keys.find(id).isEmpty()
                ? CompletableFuture.completedFuture((ApiKeysEntity.RevokeResult) new ApiKeysEntity.UnknownKey())
                : keys(tenant).<ApiKeysEntity.RevokeResult>ask(replyTo -> new ApiKeysEntity.Revoke(id, replyTo),
                        settings.askTimeout())), result -> result instanceof ApiKeysEntity.Revoked revoked
                ? complete(JsonResponses.ok(describe(revoked.key())))
                : complete(ApiError.notFound("no key " + id)));
    }

    /** The tenant's keys, without starting (and remembering) an entity for a tenant that never had one. */
    private CompletionStage<TenantKeys> existingKeys(String tenant) {
        return stored.askIfStored(PersistenceId.of(ApiKeysEntity.TYPE_KEY.name(), tenant),
                () -> keys(tenant).ask(ApiKeysEntity.Get::new, settings.askTimeout()),
                () -> CompletableFuture.completedFuture(TenantKeys.NONE));
    }

    private EntityRef<ApiKeysEntity.Command> keys(String tenant) {
        return sharding.entityRefFor(ApiKeysEntity.TYPE_KEY, tenant);
    }

    private static ObjectNode describe(TenantKey key) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("id", key.id());
        json.put("name", key.name());
        json.put("role", key.role().apiName());
        json.put("createdAt", key.createdAt().toString());
        key.revokedAt().ifPresent(at -> json.put("revokedAt", at.toString()));
        return json;
    }
}

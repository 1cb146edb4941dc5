package io.leadflame.auth;

import io.leadflame.persistence.TenantBootstrap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of every tenant's keys (hashes only), kept by {@link KeysReplicator} and read
 * by every API request: authenticating a key is a map lookup and one SHA-256, no message.
 */
public final class ApiKeys implements Extension {

    private static final ExtensionId<ApiKeys> ID = new ExtensionId<>() {
        @Override
        public ApiKeys createExtension(ActorSystem<?> system) {
            return new ApiKeys(system, AuthSettings.from(system.settings().config()));
        }
    };

    public static ApiKeys get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    private record Held(String tenant, TenantKey key) {
    }

    private final ActorSystem<?> system;
    private final AuthSettings settings;
    private final byte[] operatorKeyHash;
    private final Map<String, TenantKeys> byTenant = new ConcurrentHashMap<>();
    private final Map<String, Held> byId = new ConcurrentHashMap<>();
    private volatile boolean loaded;

    private ApiKeys(ActorSystem<?> system, AuthSettings settings) {
        this.system = system;
        this.settings = settings;
        this.operatorKeyHash = settings.operatorKey().isEmpty() ? null : sha256(settings.operatorKey());
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** Who holds {@code keyText}: the operator, an active key's holder, or nobody known. */
    public Optional<Caller> authenticate(String keyText) {
        if (keyText.length() > ApiKeyText.MAX_LENGTH) {
            return Optional.empty();
        }
        if (operatorKeyHash != null && MessageDigest.isEqual(operatorKeyHash, sha256(keyText))) {
            return Optional.of(new Caller.Operator());
        }
        return ApiKeyText.idOf(keyText)
                .map(byId::get)
                .filter(held -> held.key().active() && ApiKeyText.matches(keyText, held.key().hash()))
                .map(held -> new Caller.KeyHolder(held.tenant(), held.key()));
    }

    /** Whether the tenant has an active key. */
    public boolean hasActiveKey(String tenant) {
        TenantKeys keys = byTenant.get(tenant);
        return keys != null && keys.keys().stream().anyMatch(TenantKey::active);
    }

    /** How many tenants have an active key (a deleted tenant's are all revoked). */
    public long tenantsWithKeys() {
        return byTenant.values().stream().filter(keys -> keys.keys().stream().anyMatch(TenantKey::active)).count();
    }

    /** Whether the caller's key is still active here (the operator's always is). */
    public boolean stillValid(Caller caller) {
        if (caller instanceof Caller.KeyHolder holder) {
            Held held = byId.get(holder.key().id());
            return held != null && held.key().active();
        }
        return true;
    }

    /** Keeps {@code keys} unless a newer version of the tenant's is already here. */
    void learn(String tenant, TenantKeys keys) {
        byTenant.compute(tenant, (t, known) -> {
            if (known != null && known.version() >= keys.version()) {
                return known;
            }
            keys.keys().forEach(k -> byId.put(k.id(), new Held(tenant, k)));
            return keys;
        });
    }

    /** Reads every tenant's keys into this node at its start (through {@link TenantBootstrap}). */
    public TenantBootstrap.Loader loader(Duration askTimeout) {
        return new TenantBootstrap.Loader(ApiKeysEntity.TYPE_KEY.name(),
                tenant -> ClusterSharding.get(system).entityRefFor(ApiKeysEntity.TYPE_KEY, tenant)
                        .ask(ApiKeysEntity.Get::new, askTimeout)
                        .thenAccept(keys -> learn(tenant, keys)),
                () -> loaded = true);
    }

    /** Whether every stored tenant key is known here: until then a node asking for keys is not ready. */
    public boolean isLoaded() {
        return loaded;
    }

    private static byte[] sha256(String text) {
        return ApiKeyText.hash(text).getBytes(StandardCharsets.US_ASCII);
    }
}

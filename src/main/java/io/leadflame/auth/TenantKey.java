package io.leadflame.auth;

import io.leadflame.serialization.CborSerializable;

import java.time.Instant;
import java.util.Optional;

/**
 * One key of a tenant as it is stored and replicated: never its text, only the text's hash.
 * A revoked key stays listed (with when it was revoked) and never authenticates again.
 */
public record TenantKey(String id, String name, Role role, Instant createdAt, String hash,
                        Optional<Instant> revokedAt) implements CborSerializable {

    public boolean active() {
        return revokedAt.isEmpty();
    }

    TenantKey revoked(Instant at) {
        return new TenantKey(id, name, role, createdAt, hash, Optional.of(at));
    }
}

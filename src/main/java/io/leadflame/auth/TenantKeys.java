package io.leadflame.auth;

import io.leadflame.serialization.CborSerializable;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every key a tenant ever had, in order of creation, at a version (the count of changes): what
 * each node holds to authenticate requests; a node keeps the highest version it has seen.
 */
public record TenantKeys(long version, List<TenantKey> keys) implements CborSerializable {

    public static final TenantKeys NONE = new TenantKeys(0, List.of());

    public TenantKeys {
        keys = List.copyOf(keys);
    }

    public Optional<TenantKey> find(String id) {
        return keys.stream().filter(k -> k.id().equals(id)).findFirst();
    }

    TenantKeys with(TenantKey key) {
        List<TenantKey> more = new ArrayList<>(keys);
        more.add(key);
        return new TenantKeys(version + 1, more);
    }

    TenantKeys replaced(TenantKey key) {
        List<TenantKey> changed = new ArrayList<>(keys.size());
        for (TenantKey k : keys) {
            changed.add(k.id().equals(key.id()) ? key : k);
        }
        return new TenantKeys(version + 1, changed);
    }
}

package io.leadflame.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a tenant key may do. {@code ingest} sends events and nothing else (the key a marketing
 * platform holds); {@code read} reads contacts, scores, the call list, statistics, live changes,
 * the model and webhooks; {@code admin} does everything for its tenant: both of those, and changes
 * the model, webhooks and keys.
 */
public enum Role {
    INGEST, READ, ADMIN;

    /** Whether a key of this role may do what needs {@code needed}. */
    public boolean allows(Role needed) {
        return this == ADMIN || this == needed;
    }

    /** As the API writes it: {@code ingest}, {@code read}, {@code admin}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromApiName(String name) {
        return Arrays.stream(values()).filter(r -> r.apiName().equals(name)).findFirst();
    }
}

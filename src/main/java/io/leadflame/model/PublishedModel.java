package io.leadflame.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.serialization.CborSerializable;

import java.time.Instant;
import java.util.Optional;

/**
 * One version of a tenant's scoring model as it travels between nodes and is stored. Version 0
 * is the default model of a tenant that never set one.
 *
 * @param stored the model in its {@link StoredModel} form (read as {@code modelJson}, the name
 *               under which releases before that form stored their API JSON)
 */
public record PublishedModel(String tenant, long version, @JsonAlias("modelJson") String stored,
                             Optional<Instant> updatedAt) implements CborSerializable {

    private static final String DEFAULT_STORED = StoredModel.write(ScoringModel.DEFAULT);

    public static PublishedModel initial(String tenant) {
        return new PublishedModel(tenant, 0, DEFAULT_STORED, Optional.empty());
    }

    /** Whether this version is the default model (no rules, ideal score 100), as a tenant starts with. */
    public boolean isDefault() {
        return stored.equals(DEFAULT_STORED);
    }

    /**
     * The model itself. It was validated before it was published; a version that no longer
     * reads (a damaged row, a newer release's format) fails with what is wrong with it.
     */
    public ScoringModel parse() {
        return StoredModel.read(stored);
    }
}

package io.leadflame.model;

import io.leadflame.api.Json;
import io.leadflame.serialization.CborSerializable;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.scoring.Validated;
import io.leadflame.api.ModelJson;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One version of a tenant's scoring model as it travels between nodes and is stored: the model
 * in its API JSON form, so that what is persisted and replicated is exactly what users see.
 * Version 0 is the default model of a tenant that never set one.
 */
public record PublishedModel(String tenant, long version, String modelJson, Optional<Instant> updatedAt)
        implements CborSerializable {

    private static final String DEFAULT_JSON = ModelJson.write(ScoringModel.DEFAULT).toString();

    public static PublishedModel initial(String tenant) {
        return new PublishedModel(tenant, 0, DEFAULT_JSON, Optional.empty());
    }

    /**
     * The model itself. The JSON was validated before it was published; a version that no
     * longer reads (a stricter release, a damaged row) fails with what is wrong with it.
     */
    public ScoringModel parse() {
        Validated<ScoringModel> read;
        try {
            read = ModelJson.read(Json.MAPPER.readTree(modelJson));
        } catch (IOException e) {
            throw new IllegalStateException("the stored model is not JSON", e);
        }
        return read.value().orElseThrow(() -> new IllegalStateException("the stored model no longer validates: "
                + read.problems().stream().limit(3).map(p -> p.path() + " " + p.message())
                .collect(Collectors.joining("; "))));
    }
}

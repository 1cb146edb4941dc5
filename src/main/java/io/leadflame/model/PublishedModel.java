package io.leadflame.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.CborSerializable;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.scoring.json.ModelJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;

/**
 * One version of a tenant's scoring model as it travels between nodes and is stored: the model
 * in its API JSON form, so that what is persisted and replicated is exactly what users see.
 * Version 0 is the default model of a tenant that never set one.
 */
public record PublishedModel(String tenant, long version, String modelJson, Optional<Instant> updatedAt)
        implements CborSerializable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_JSON = ModelJson.write(ScoringModel.DEFAULT).toString();

    public static PublishedModel initial(String tenant) {
        return new PublishedModel(tenant, 0, DEFAULT_JSON, Optional.empty());
    }

    /** The model itself. The JSON was validated before it was ever published. */
    public ScoringModel parse() {
        try {
            return ModelJson.read(JSON.readTree(modelJson)).value()
                    .orElseThrow(() -> new IllegalStateException("a published model no longer validates: " + tenant
                            + " v" + version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

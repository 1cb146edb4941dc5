package io.leadflame.model;

import io.leadflame.scoring.ScoringModel;

/** A parsed scoring model with the version it was published as. */
public record VersionedModel(PublishedModel published, ScoringModel model) {

    public long version() {
        return published.version();
    }
}

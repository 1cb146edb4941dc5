package io.leadflame.model;

import io.leadflame.serialization.CborSerializable;

import java.time.Instant;
import java.util.Optional;

/** Progress of the rescoring that the tenant's latest model version started, over all nodes. */
public record RescoringStatus(long version, long contacts, long rescored, boolean done,
                              Optional<Instant> startedAt, Optional<Instant> completedAt) implements CborSerializable {

    /** The status of a tenant that never published a model: nothing to rescore, done. */
    public static final RescoringStatus NONE = new RescoringStatus(0, 0, 0, true, Optional.empty(), Optional.empty());
}

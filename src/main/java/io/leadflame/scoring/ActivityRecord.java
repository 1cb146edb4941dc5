package io.leadflame.scoring;

import java.time.Instant;
import java.util.Map;

/**
 * One retained activity of a contact: when it happened and its attributes (normalized and
 * immutable: {@link ContactHistory} makes them so before it keeps them).
 */
public record ActivityRecord(Instant occurredAt, Map<String, Object> attributes) {
}

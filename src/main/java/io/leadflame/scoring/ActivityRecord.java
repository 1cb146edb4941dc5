package io.leadflame.scoring;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** One retained activity of a contact: when it happened and its attributes. */
public record ActivityRecord(Instant occurredAt, Map<String, Object> attributes) {

    public ActivityRecord {
        if (attributes.isEmpty()) {
            attributes = Map.of();
        } else {
            HashMap<String, Object> copy = new HashMap<>(attributes.size() * 2);
            attributes.forEach((k, v) -> copy.put(k, Values.normalize(v)));
            attributes = Map.copyOf(copy);
        }
    }
}

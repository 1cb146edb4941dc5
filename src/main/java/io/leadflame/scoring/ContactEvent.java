package io.leadflame.scoring;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Something that happened to one contact at {@code occurredAt}: a tag applied or removed,
 * fields updated (a null value removes the field), or an activity with its attributes.
 */
public record ContactEvent(
        Optional<String> eventId,
        String type,
        Instant occurredAt,
        Optional<String> tag,
        Map<String, Object> fields,
        Map<String, Object> attributes) {

    public ContactEvent {
        eventId = eventId == null ? Optional.empty() : eventId;
        tag = tag == null ? Optional.empty() : tag;
        fields = normalized(fields);
        attributes = normalized(attributes);
    }

    public static ContactEvent tagApplied(String eventId, Instant at, String tag) {
        return new ContactEvent(Optional.ofNullable(eventId), "tag_applied", at, Optional.of(tag), Map.of(), Map.of());
    }

    public static ContactEvent tagRemoved(String eventId, Instant at, String tag) {
        return new ContactEvent(Optional.ofNullable(eventId), "tag_removed", at, Optional.of(tag), Map.of(), Map.of());
    }

    public static ContactEvent fieldsUpdated(String eventId, Instant at, Map<String, Object> fields) {
        return new ContactEvent(Optional.ofNullable(eventId), "fields_updated", at, Optional.empty(), fields, Map.of());
    }

    public static ContactEvent activity(String eventId, String type, Instant at, Map<String, Object> attributes) {
        return new ContactEvent(Optional.ofNullable(eventId), type, at, Optional.empty(), Map.of(), attributes);
    }

    public EventKind kind() {
        return EventKind.of(type);
    }

    /** Keeps null values (a null field removes it), fixes number types, and makes the map read-only. */
    private static Map<String, Object> normalized(Map<String, Object> values) {
        if (values == null || values.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> copy = new LinkedHashMap<>(values.size() * 2);
        values.forEach((k, v) -> copy.put(k, Values.normalize(v)));
        return Collections.unmodifiableMap(copy);
    }
}

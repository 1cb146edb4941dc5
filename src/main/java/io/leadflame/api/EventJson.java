package io.leadflame.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.EventKind;

import java.time.Duration;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one event of the API (see API.md "Events") and checks it: a clear message for the first
 * thing wrong, so that a rejected event in a batch says why.
 */
public final class EventJson {

    /** How far in the future an event may be dated: clocks of marketing platforms drift. */
    public static final Duration MAX_FUTURE = Duration.ofMinutes(5);
    /**
     * The earliest date an event may carry: older is a client's bug (an epoch of 0, a year 0001),
     * and histories store instants as epoch nanoseconds, which reach back to 1677 only.
     */
    public static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    private static final Set<String> KEYS = Set.of("contactId", "type", "eventId", "occurredAt", "tag", "fields",
            "attributes");
    private static final int MAX_VALUES = 100;
    private static final int MAX_NAME = 128;
    private static final int MAX_STRING = 2048;

    private EventJson() {
    }

    /** 1..128 chars of {@code [A-Za-z0-9._:@+-]}; a loop, not a regex: it runs for every event ingested. */
    public static boolean isValidContactId(String id) {
        if (id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '@' || c == '+' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The event in {@code json}, received at {@code receivedAt} (its default {@code occurredAt}), or why not. */
    public static Result read(JsonNode json, Instant receivedAt) {
        if (json == null || !json.isObject()) {
            return Result.error("an event must be a JSON object");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                return Result.error("unknown property " + name
                        + "; an event has contactId, type, eventId, occurredAt, tag, fields, attributes");
            }
        }
        JsonNode contactId = json.get("contactId");
        if (contactId == null || !contactId.isTextual() || !isValidContactId(contactId.textValue())) {
            return Result.error("contactId is required: 1 to 128 characters of A-Z, a-z, 0-9 and ._:@+-");
        }
        JsonNode type = json.get("type");
        if (type == null || !type.isTextual() || !ModelJson.ACTIVITY_NAME.matcher(type.textValue()).matches()) {
            return Result.error("type is required: tag_applied, tag_removed, fields_updated, or an activity name"
                    + " (a-z, 0-9, _ and ., starting with a letter, at most 64 characters)");
        }
        Optional<String> eventId = Optional.empty();
        JsonNode id = json.get("eventId");
        if (id != null && !id.isNull()) {
            if (!id.isTextual() || id.textValue().isEmpty() || id.textValue().length() > 128) {
                return Result.error("eventId must be a string of 1 to 128 characters");
            }
            eventId = Optional.of(id.textValue());
        }
        Instant occurredAt = receivedAt;
        JsonNode at = json.get("occurredAt");
        if (at != null && !at.isNull()) {
            Optional<Instant> parsed = at.isTextual() ? instant(at.textValue()) : Optional.empty();
            if (parsed.isEmpty()) {
                return Result.error("occurredAt must be an ISO-8601 instant like 2026-11-23T10:00:00Z");
            }
            occurredAt = parsed.get();
            if (occurredAt.isAfter(receivedAt.plus(MAX_FUTURE))) {
                return Result.error("occurredAt is more than 5 minutes in the future");
            }
            if (occurredAt.isBefore(EARLIEST)) {
                return Result.error("occurredAt is before 1900-01-01T00:00:00Z");
            }
        }
        EventKind kind = EventKind.of(type.textValue());
        JsonNode tag = json.get("tag");
        JsonNode fields = json.get("fields");
        JsonNode attributes = json.get("attributes");
        switch (kind) {
            case TAG_APPLIED, TAG_REMOVED -> {
                if (tag == null || !tag.isTextual() || tag.textValue().isEmpty() || tag.textValue().length() > MAX_NAME) {
                    return Result.error("tag is required for " + type.textValue() + ": 1 to 128 characters");
                }
                if (fields != null || attributes != null) {
                    return Result.error("a tag event takes a tag, not fields or attributes");
                }
            }
            case FIELDS_UPDATED -> {
                if (fields == null || !fields.isObject() || fields.isEmpty()) {
                    return Result.error("fields is required for fields_updated: a non-empty object");
                }
                if (tag != null || attributes != null) {
                    return Result.error("fields_updated takes fields, not a tag or attributes");
                }
            }
            case ACTIVITY -> {
                if (tag != null || fields != null) {
                    return Result.error("an activity takes attributes, not a tag or fields");
                }
            }
        }
        Map<String, Object> fieldValues = Map.of();
        if (fields != null) {
            Optional<String> problem = checkValues(fields, "fields", true);
            if (problem.isPresent()) {
                return Result.error(problem.get());
            }
            fieldValues = values(fields);
        }
        Map<String, Object> attributeValues = Map.of();
        if (attributes != null && !attributes.isNull()) {
            if (!attributes.isObject()) {
                return Result.error("attributes must be an object of string, number or boolean values");
            }
            Optional<String> problem = checkValues(attributes, "attributes", false);
            if (problem.isPresent()) {
                return Result.error(problem.get());
            }
            attributeValues = values(attributes);
        }
        ContactEvent event = new ContactEvent(eventId, type.textValue(), occurredAt,
                tag == null ? Optional.empty() : Optional.of(tag.textValue()), fieldValues, attributeValues);
        return new Result(Optional.of(new IncomingEvent(contactId.textValue(), event)), Optional.empty());
    }

    private static Optional<String> checkValues(JsonNode object, String what, boolean nullAllowed) {
        if (object.size() > MAX_VALUES) {
            return Optional.of(what + " has more than " + MAX_VALUES + " entries");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_NAME) {
                return Optional.of(what + " names must be 1 to 128 characters");
            }
            JsonNode v = e.getValue();
            boolean ok = v.isTextual() || v.isNumber() || v.isBoolean() || (nullAllowed && v.isNull());
            if (!ok) {
                return Optional.of(what + "." + e.getKey() + " must be a string, number or boolean"
                        + (nullAllowed ? " (or null to remove it)" : ""));
            }
            Optional<String> number = JsonValues.numberProblem(v);
            if (number.isPresent()) {
                return Optional.of(what + "." + e.getKey() + " " + number.get());
            }
            if (v.isTextual() && v.textValue().length() > MAX_STRING) {
                return Optional.of(what + "." + e.getKey() + " is longer than " + MAX_STRING + " characters");
            }
        }
        return Optional.empty();
    }

    private static Map<String, Object> values(JsonNode object) {
        Map<String, Object> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), JsonValues.scalar(e.getValue()).orElse(null)));
        return out;
    }

    /** ISO-8601 instant, with {@code Z} or an offset. */
    public static Optional<Instant> instant(String text) {
        Instant utc = plainUtcInstant(text);
        if (utc != null) {
            return Optional.of(utc);
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(Instant.parse(text));
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }

    /**
     * The form nearly every event carries, {@code 2026-11-23T10:00:00Z} with up to 9 fractional
     * digits, read without the general ISO parser (a tenth of the cost of a whole event); null
     * for anything else (an offset, a leap second, an invalid date), which the general parser
     * then decides.
     */
    public static Instant plainUtcInstant(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int nano = 0;
        if (n > 20) {
            int fractionDigits = n - 21;
            if (s.charAt(19) != '.' || fractionDigits < 1) {
                return null;
            }
            nano = digits(s, 20, fractionDigits);
            for (int i = fractionDigits; i < 9 && nano >= 0; i++) {
                nano *= 10;
            }
        }
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || nano < 0 || second > 59) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nano).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException invalid) {
            return null;
        }
    }

    /** The decimal number in {@code s[from, from + count)}, or -1 if a char is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** An event read, or the reason it was rejected. */
    public record Result(Optional<IncomingEvent> event, Optional<String> error) {
        static Result error(String message) {
            return new Result(Optional.empty(), Optional.of(message));
        }
    }
}

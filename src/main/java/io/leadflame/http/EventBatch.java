package io.leadflame.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.json.EventJson;
import io.leadflame.scoring.json.IncomingEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code POST /events} body read into events: one JSON object, a JSON array, or NDJSON (one
 * event a line). Valid events are grouped per contact, in the order they were sent, so each
 * contact persists its part of the batch in one write; invalid ones are kept with their index
 * and the reason.
 *
 * @param byContact the valid events per contact id
 * @param rejected  the invalid ones: index in the request (the line, for NDJSON) and why
 */
record EventBatch(Map<String, List<ContactEvent>> byContact, List<Rejected> rejected, int size) {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** One event of the request that was not accepted. */
    record Rejected(int index, String error) {
    }

    /** Why a whole request is refused. */
    static final class Unreadable extends Exception {
        final boolean tooLarge;

        Unreadable(String message, boolean tooLarge) {
            super(message, null, false, false);
            this.tooLarge = tooLarge;
        }
    }

    int validCount() {
        return size - rejected.size();
    }

    static EventBatch fromJson(byte[] body, Instant receivedAt, int maxEvents) throws Unreadable {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new Unreadable("the body is not valid JSON: " + conciseMessage(e), false);
        }
        if (root == null || root.isMissingNode()) {
            throw new Unreadable("the body is empty: send an event, an array of events, or NDJSON", false);
        }
        List<Optional<JsonNode>> items = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(node -> items.add(Optional.of(node)));
        } else if (root.isObject()) {
            items.add(Optional.of(root));
        } else {
            throw new Unreadable("the body must be an event (a JSON object) or an array of events", false);
        }
        return read(items, receivedAt, maxEvents);
    }

    static EventBatch fromNdjson(byte[] body, Instant receivedAt, int maxEvents) throws Unreadable {
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\n", -1);
        List<Optional<JsonNode>> items = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (items.size() >= maxEvents) {
                throw tooMany(maxEvents);
            }
            try {
                items.add(Optional.of(JSON.readTree(line)));
            } catch (JsonProcessingException e) {
                items.add(Optional.empty());
            }
        }
        return read(items, receivedAt, maxEvents);
    }

    private static EventBatch read(List<Optional<JsonNode>> items, Instant receivedAt, int maxEvents)
            throws Unreadable {
        if (items.size() > maxEvents) {
            throw tooMany(maxEvents);
        }
        Map<String, List<ContactEvent>> byContact = new LinkedHashMap<>();
        List<Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).isEmpty()) {
                rejected.add(new Rejected(i, "not valid JSON"));
                continue;
            }
            EventJson.Result result = EventJson.read(items.get(i).get(), receivedAt);
            if (result.error().isPresent()) {
                rejected.add(new Rejected(i, result.error().get()));
            } else {
                IncomingEvent in = result.event().orElseThrow();
                byContact.computeIfAbsent(in.contactId(), id -> new ArrayList<>()).add(in.event());
            }
        }
        return new EventBatch(byContact, rejected, items.size());
    }

    private static Unreadable tooMany(int maxEvents) {
        return new Unreadable("more than " + maxEvents + " events in one request: split the batch", true);
    }

    /** Jackson's message without the source excerpt it appends. */
    static String conciseMessage(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int cut = m.indexOf("\n at [Source");
        return (cut > 0 ? m.substring(0, cut) : m).replace('\n', ' ');
    }
}

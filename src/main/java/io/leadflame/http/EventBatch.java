package io.leadflame.http;

import io.leadflame.api.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.api.EventJson;
import io.leadflame.api.IncomingEvent;
import io.leadflame.api.Utf8;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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

    /**
     * A JSON request body (events, a model, a webhook) as a tree: refused whole when it is not
     * UTF-8 or not JSON, with the reason in the client's terms.
     */
    static JsonNode readJson(byte[] body) throws Unreadable {
        if (!Utf8.isWellFormed(body, 0, body.length)) {
            throw new Unreadable("the body is not valid UTF-8", false);
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new Unreadable("the body is not valid JSON: " + conciseMessage(e), false);
        }
    }

    static EventBatch fromJson(byte[] body, Instant receivedAt, int maxEvents) throws Unreadable {
        JsonNode root = readJson(body);
        if (root == null || root.isMissingNode()) {
            throw new Unreadable("the body is empty: send an event, an array of events, or NDJSON", false);
        }
        List<Item> items = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(node -> items.add(new Item(node, null)));
        } else if (root.isObject()) {
            items.add(new Item(root, null));
        } else {
            throw new Unreadable("the body must be an event (a JSON object) or an array of events", false);
        }
        return read(items, receivedAt, maxEvents);
    }

    static EventBatch fromNdjson(byte[] body, Instant receivedAt, int maxEvents) throws Unreadable {
        List<Item> items = new ArrayList<>();
        int start = 0;
        while (start <= body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            if (!isBlank(body, start, end)) {
                if (items.size() >= maxEvents) {
                    throw tooMany(maxEvents);
                }
                items.add(line(body, start, end));
            }
            start = end + 1;
        }
        return read(items, receivedAt, maxEvents);
    }

    /** One NDJSON line read: the event's JSON, or why it is rejected at its index. */
    private static Item line(byte[] body, int start, int end) {
        // Checked here: a byte that is not UTF-8 would otherwise pass into a stored string
        // (Jackson does not check every sequence inside a string).
        if (!Utf8.isWellFormed(body, start, end)) {
            return new Item(null, "not valid UTF-8");
        }
        try {
            return new Item(Json.MAPPER.readTree(body, start, end - start), null);
        } catch (IOException e) {
            return new Item(null, "not valid JSON");
        }
    }

    private static boolean isBlank(byte[] body, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = body[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** One event of the request as read: its JSON, or the reason it is rejected. */
    private record Item(JsonNode json, String error) {
    }

    private static EventBatch read(List<Item> items, Instant receivedAt, int maxEvents)
            throws Unreadable {
        if (items.size() > maxEvents) {
            throw tooMany(maxEvents);
        }
        Map<String, List<ContactEvent>> byContact = new LinkedHashMap<>();
        List<Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (item.error() != null) {
                rejected.add(new Rejected(i, item.error()));
                continue;
            }
            EventJson.Result result = EventJson.read(item.json(), receivedAt);
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

    /**
     * Jackson's message in the client's terms: without the source excerpt it appends, and
     * without the Java names of its settings ({@code DeserializationFeature...},
     * {@code StreamReadConstraints...}) that mean nothing to an API user.
     */
    private static String conciseMessage(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int cut = m.indexOf("\n at [Source");
        m = (cut > 0 ? m.substring(0, cut) : m).replace('\n', ' ');
        if (m.startsWith("Trailing token")) {
            return "unexpected content after the JSON value";
        }
        m = JAVA_NAMES.matcher(m).replaceAll("").strip();
        if (m.contains("`") || m.contains("com.fasterxml")) {
            return "malformed JSON";
        }
        return m;
    }

    /** Jackson's asides naming its own classes: ", from `X`", " (bound as `X`)", "as per `X`". */
    private static final Pattern JAVA_NAMES = Pattern.compile(
            ",? from `[^`]*`|\\s*\\(bound as `[^`]*`\\)|:? not allowed as per `[^`]*`|\\s*\\(`[^`]*`\\)");
}

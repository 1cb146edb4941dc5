package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Small helpers shared by the end-to-end tests: polling, event JSON, and the API's error shape. */
final class E2e {

    static final ObjectMapper JSON = new ObjectMapper();

    private E2e() {
    }

    // ---- events

    /** An activity or other event of {@code type} for {@code contactId}, dated {@code at}. */
    static ObjectNode event(String contactId, String type, Instant at) {
        ObjectNode e = JSON.createObjectNode();
        e.put("contactId", contactId);
        e.put("type", type);
        if (at != null) {
            e.put("occurredAt", at.toString());
        }
        return e;
    }

    /** An activity with attributes given as name, value pairs. */
    static ObjectNode activity(String contactId, String type, Instant at, Object... attributes) {
        ObjectNode e = event(contactId, type, at);
        if (attributes.length > 0) {
            e.set("attributes", pairs(attributes));
        }
        return e;
    }

    static ObjectNode tagApplied(String contactId, String tag, Instant at) {
        return event(contactId, "tag_applied", at).put("tag", tag);
    }

    static ObjectNode tagRemoved(String contactId, String tag, Instant at) {
        return event(contactId, "tag_removed", at).put("tag", tag);
    }

    /** A {@code fields_updated} event with fields given as name, value pairs (null removes). */
    static ObjectNode fieldsUpdated(String contactId, Instant at, Object... fields) {
        ObjectNode e = event(contactId, "fields_updated", at);
        e.set("fields", pairs(fields));
        return e;
    }

    private static ObjectNode pairs(Object... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("name, value pairs expected");
        }
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            o.set((String) pairs[i], JSON.valueToTree(pairs[i + 1]));
        }
        return o;
    }

    /** The text of {@code field} of each of {@code items}, in order (e.g. the contact ids of a page's leads). */
    static List<String> texts(JsonNode items, String field) {
        List<String> texts = new ArrayList<>();
        items.forEach(item -> texts.add(item.get(field).asText()));
        return texts;
    }

    /** The number in {@code field} of each of {@code items}, in order. */
    static List<Long> longs(JsonNode items, String field) {
        List<Long> longs = new ArrayList<>();
        items.forEach(item -> longs.add(item.get(field).asLong()));
        return longs;
    }

    static ArrayNode array(JsonNode... items) {
        ArrayNode a = JSON.createArrayNode();
        for (JsonNode i : items) {
            a.add(i);
        }
        return a;
    }

    static ArrayNode array(List<? extends JsonNode> items) {
        return array(items.toArray(JsonNode[]::new));
    }

    /** One event a line, with a trailing newline. */
    static String ndjson(List<? extends JsonNode> events) {
        return events.stream().map(E2e::text).collect(Collectors.joining("\n", "", "\n"));
    }

    static String text(Object body) {
        if (body instanceof String s) {
            return s;
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- answers

    /** Asserts the status and the error shape of API.md, and returns the body. */
    static JsonNode assertError(HttpReply reply, int status, String code) {
        assertEquals(status, reply.status(), reply.body());
        assertTrue(reply.header("Content-Type").startsWith("application/json"),
                "error bodies are JSON, not " + reply.header("Content-Type"));
        JsonNode body = reply.json();
        assertTrue(body.isObject(), reply.body());
        assertEquals(code, body.path("error").asText(), reply.body());
        assertTrue(body.path("message").isTextual(), reply.body());
        assertFalse(body.path("message").asText().isBlank(), reply.body());
        String lower = reply.body().toLowerCase();
        assertFalse(lower.contains("exception") || lower.contains("\tat "), "no stack trace: " + reply.body());
        return body;
    }

    /** The breakdown entry of {@code ruleId}, failing if the rule does not contribute. */
    static JsonNode contribution(JsonNode score, String ruleId) {
        for (JsonNode c : score.get("breakdown")) {
            if (ruleId.equals(c.get("ruleId").asText())) {
                return c;
            }
        }
        return fail("rule " + ruleId + " does not contribute: " + score.get("breakdown"));
    }

    /** The rule ids of the breakdown, in order. */
    static List<String> ruleIds(JsonNode score) {
        List<String> ids = new java.util.ArrayList<>();
        score.get("breakdown").forEach(c -> ids.add(c.get("ruleId").asText()));
        return ids;
    }

    /** An instant field of an answer (null when JSON null). */
    static Instant instant(JsonNode node, String field) {
        JsonNode v = node.get(field);
        assertNotNull(v, field + " missing in " + node);
        return v.isNull() ? null : Instant.parse(v.asText());
    }
}

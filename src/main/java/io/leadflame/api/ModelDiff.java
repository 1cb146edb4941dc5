package io.leadflame.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.scoring.ScoringModel;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed from one model to another, as someone deciding whether to restore a version reads
 * it: the settings that differ (with both values), and the rules added, removed or changed (by
 * id, with the names of the properties that differ). Both models are compared in the form the API
 * shows them ({@link ModelJson#write}), so a difference is one a user can see. Only the order of
 * the rules is not a change: it does not change a score.
 */
public final class ModelDiff {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ModelDiff() {
    }

    public static ObjectNode between(ScoringModel from, ScoringModel to) {
        ObjectNode before = ModelJson.write(from);
        ObjectNode after = ModelJson.write(to);
        ObjectNode out = F.objectNode();
        ArrayNode settings = out.putArray("settings");
        for (String name : names(before, after)) {
            if (name.equals("rules")) {
                continue;
            }
            JsonNode was = before.path(name);
            JsonNode is = after.path(name);
            if (!was.equals(is)) {
                ObjectNode change = settings.addObject().put("name", name);
                change.set("from", was.isMissingNode() ? F.nullNode() : was);
                change.set("to", is.isMissingNode() ? F.nullNode() : is);
            }
        }
        Map<String, ObjectNode> wasRules = byId(before);
        Map<String, ObjectNode> isRules = byId(after);
        ObjectNode rules = out.putObject("rules");
        ArrayNode added = rules.putArray("added");
        ArrayNode removed = rules.putArray("removed");
        ArrayNode changed = rules.putArray("changed");
        isRules.forEach((id, rule) -> {
            if (!wasRules.containsKey(id)) {
                added.addObject().put("id", id).put("name", rule.path("name").asText());
            }
        });
        wasRules.forEach((id, was) -> {
            ObjectNode is = isRules.get(id);
            if (is == null) {
                removed.addObject().put("id", id).put("name", was.path("name").asText());
                return;
            }
            List<String> fields = new ArrayList<>();
            for (String name : names(was, is)) {
                if (!was.path(name).equals(is.path(name))) {
                    fields.add(name);
                }
            }
            if (!fields.isEmpty()) {
                ObjectNode change = changed.addObject().put("id", id).put("name", is.path("name").asText());
                fields.forEach(change.putArray("fields")::add);
            }
        });
        return out;
    }

    /** The property names of both objects: {@code a}'s in its order, then those only {@code b} has. */
    private static List<String> names(JsonNode a, JsonNode b) {
        List<String> names = new ArrayList<>();
        a.fieldNames().forEachRemaining(names::add);
        for (Iterator<String> more = b.fieldNames(); more.hasNext(); ) {
            String name = more.next();
            if (!a.has(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private static Map<String, ObjectNode> byId(ObjectNode model) {
        Map<String, ObjectNode> rules = new LinkedHashMap<>();
        model.path("rules").forEach(rule -> rules.put(rule.path("id").asText(), (ObjectNode) rule));
        return rules;
    }
}

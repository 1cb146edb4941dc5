package io.leadflame.scoring.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.leadflame.scoring.Values;

import java.util.Optional;

/** Converts between JSON scalars and the values of attributes, fields and predicates. */
public final class JsonValues {
    private JsonValues() {
    }

    /** The string, number or boolean in {@code node}; empty for null, objects and arrays. */
    public static Optional<Object> scalar(JsonNode node) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.textValue());
        }
        if (node.isBoolean()) {
            return Optional.of(node.booleanValue());
        }
        if (node.isNumber()) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return Optional.of(node.longValue());
            }
            return Optional.of(Values.normalize(node.decimalValue()));
        }
        return Optional.empty();
    }

    /** A value as JSON (null as JSON null). */
    public static JsonNode toJson(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof String s) {
            return f.textNode(s);
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        Object n = Values.normalize(value);
        if (n instanceof Long l) {
            return f.numberNode(l);
        }
        if (n instanceof Double d) {
            return f.numberNode(d);
        }
        return f.textNode(value.toString());
    }
}

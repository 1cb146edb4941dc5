package io.leadflame.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.leadflame.scoring.Values;

import java.math.BigDecimal;
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

    private static final String TOO_LARGE =
            "is a number too large to hold: the magnitude must be below 1.7976931348623157e308";

    /**
     * Why a JSON number cannot be held as a value, or empty when it can (or is no number).
     * Non-integral numbers are held as doubles: beyond about 1.8e308 one would become Infinity
     * (which no JSON can write back, and no comparison can order sensibly), and a non-zero
     * number below about 4.9e-324 would silently become 0.
     */
    public static Optional<String> numberProblem(JsonNode node) {
        if (node == null || !node.isNumber() || (node.isIntegralNumber() && node.canConvertToLong())) {
            return Optional.empty();
        }
        if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
            // Read by a mapper without big decimals: 1e400 is already Infinity, with no decimal form.
            return Optional.of(TOO_LARGE);
        }
        BigDecimal exact = node.decimalValue();
        double held = exact.doubleValue();
        if (Double.isInfinite(held) || Double.isNaN(held)) {
            return Optional.of(TOO_LARGE);
        }
        if (held == 0 && exact.signum() != 0) {
            return Optional.of("is a number too close to 0 to hold: a non-zero magnitude must be at least 4.9e-324");
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

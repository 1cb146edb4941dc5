package io.leadflame.scoring;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A test on one named value: an attribute of an activity, or (in a field rule) a field of the
 * contact. {@code value} is the operand of single-valued operators, {@code values} that of
 * {@code in}; {@code exists} takes neither. A missing value satisfies only {@code neq}.
 */
public record Predicate(String field, Operator op, Optional<Object> value, List<Object> values) {

    public Predicate {
        value = value.map(Values::normalize);
        values = values.stream().map(Values::normalize).toList();
    }

    public static Predicate of(String field, Operator op, Object value) {
        return new Predicate(field, op, Optional.of(value), List.of());
    }

    public static Predicate in(String field, List<Object> values) {
        return new Predicate(field, Operator.IN, Optional.empty(), values);
    }

    public static Predicate exists(String field) {
        return new Predicate(field, Operator.EXISTS, Optional.empty(), List.of());
    }

    /** Whether the named value (looked up in {@code values}; absent or null means missing) satisfies this predicate. */
    public boolean test(Map<String, Object> namedValues) {
        return testValue(namedValues.get(field));
    }

    /** Whether {@code actual} (null when missing) satisfies this predicate. */
    public boolean testValue(Object actual) {
        if (actual == null) {
            return op == Operator.NEQ;
        }
        Object operand = value.orElse(null);
        return switch (op) {
            case EXISTS -> true;
            case EQ -> Values.looselyEqual(actual, operand);
            case NEQ -> !Values.looselyEqual(actual, operand);
            case IN -> isAnyOfValues(actual);
            case CONTAINS -> actual instanceof String s && operand instanceof String o
                    && Values.containsIgnoringCase(s, o);
            case STARTS_WITH -> actual instanceof String s && operand instanceof String o
                    && Values.startsWithIgnoringCase(s, o);
            case ENDS_WITH -> actual instanceof String s && operand instanceof String o
                    && Values.endsWithIgnoringCase(s, o);
            case GT, GTE, LT, LTE -> actual instanceof Number a && operand instanceof Number b
                    && ordered(op, Values.compareNumbers(a, b));
        };
    }

    /** A loop, not a stream: tested for every activity of a contact under every rule at each rescoring. */
    private boolean isAnyOfValues(Object actual) {
        for (int i = 0; i < values.size(); i++) {
            if (Values.looselyEqual(actual, values.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean ordered(Operator op, int comparison) {
        return switch (op) {
            case GT -> comparison > 0;
            case GTE -> comparison >= 0;
            case LT -> comparison < 0;
            default -> comparison <= 0;
        };
    }
}

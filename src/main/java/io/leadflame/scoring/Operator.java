package io.leadflame.scoring;

import java.util.Arrays;
import java.util.Optional;

/** The comparison a {@link Predicate} applies to an attribute or field value. */
public enum Operator {
    EQ("eq"), NEQ("neq"), IN("in"),
    CONTAINS("contains"), STARTS_WITH("startsWith"), ENDS_WITH("endsWith"),
    GT("gt"), GTE("gte"), LT("lt"), LTE("lte"),
    EXISTS("exists");

    private final String json;

    Operator(String json) {
        this.json = json;
    }

    /** The name used in the API. */
    public String json() {
        return json;
    }

    public static Optional<Operator> fromJson(String name) {
        return Arrays.stream(values()).filter(op -> op.json.equals(name)).findFirst();
    }

    /** Operators whose operand must be a string. */
    public boolean takesString() {
        return this == CONTAINS || this == STARTS_WITH || this == ENDS_WITH;
    }

    /** Operators whose operand must be a number. */
    public boolean takesNumber() {
        return this == GT || this == GTE || this == LT || this == LTE;
    }
}

package io.leadflame.scoring;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What must be true of a contact for a rule to give its points. */
public sealed interface Criterion {

    /** Satisfied while the contact holds at least one of the tags (case-sensitive). */
    record Tag(List<String> anyOf) implements Criterion {
        public Tag {
            anyOf = List.copyOf(anyOf);
        }
    }

    /** Satisfied by a live activity of that name whose attributes satisfy every predicate. */
    record Activity(String activity, List<Predicate> where) implements Criterion {
        public Activity {
            where = List.copyOf(where);
        }

        /** Whether an activity with these attributes matches. */
        public boolean matches(Map<String, Object> attributes) {
            return allHold(where, attributes);
        }
    }

    /** Satisfied when the contact's current value of the field satisfies the predicate. */
    record Field(Predicate predicate) implements Criterion {
        public String field() {
            return predicate.field();
        }
    }

    /**
     * Satisfied when no matching activity occurred in {@code (t - for, t]} and the contact has
     * been known for at least {@code for}.
     */
    record Inactivity(String activity, List<Predicate> where, IsoDuration forDuration) implements Criterion {
        public Inactivity {
            where = List.copyOf(where);
        }

        /** Whether an activity with these attributes matches. */
        public boolean matches(Map<String, Object> attributes) {
            return allHold(where, attributes);
        }
    }

    private static boolean allHold(List<Predicate> where, Map<String, Object> attributes) {
        // Indexed: an iterator per activity and rule was a tenth of a rescoring's allocation.
        for (int i = 0; i < where.size(); i++) {
            if (!where.get(i).test(attributes)) {
                return false;
            }
        }
        return true;
    }

    /** The activity name the criterion looks at, if it looks at activities. */
    default Optional<String> activityName() {
        if (this instanceof Activity a) {
            return Optional.of(a.activity());
        }
        if (this instanceof Inactivity i) {
            return Optional.of(i.activity());
        }
        return Optional.empty();
    }
}

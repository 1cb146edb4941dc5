package io.leadflame.leads;

import io.leadflame.CborSerializable;

import java.time.Instant;
import java.util.Objects;

/**
 * A contact's score changed (or its flames or range did, after a model change): what a live
 * call list needs to move the contact's row. Published by the contact to its tenant's topic
 * ({@link ScoreChanges}), read by the {@code score-changes} Server-Sent Events of any node.
 *
 * @param previous       the score before, null for a contact's first score
 * @param range          the range's name, null when the model has none for this score
 * @param previousFlames the flames before (0 for a first score): a listener filtering on
 *                       flames or range also hears of a contact leaving what it watches
 * @param previousRange  the range before, null when none
 */
public record ScoreChange(String tenant, String contactId, long score, Long previous, int flames, String range,
                          Reason reason, Instant at, int previousFlames, String previousRange)
        implements CborSerializable {

    /** What changed the score. */
    public enum Reason {
        /** New events of the contact. */
        EVENT,
        /** Time: points expired or an inactivity rule started to hold, without any new event. */
        EXPIRY,
        /** A new version of the tenant's model. */
        MODEL;

        public String json() {
            return name().toLowerCase();
        }
    }

    /** The change from {@code before} (null: none) to {@code after}, or null when nothing a call list shows changed. */
    public static ScoreChange between(Lead before, Lead after, Reason reason, Instant at) {
        if (before != null && before.score() == after.score() && before.flames() == after.flames()
                && Objects.equals(before.range(), after.range())) {
            return null;
        }
        return new ScoreChange(after.tenant(), after.contactId(), after.score(),
                before == null ? null : before.score(), after.flames(), after.range(), reason, at,
                before == null ? 0 : before.flames(), before == null ? null : before.range());
    }

    /** Whether a listener watching {@code minFlames} and {@code range} (null: any) must hear of it: before or after is in view. */
    public boolean concerns(int minFlames, String range) {
        return inView(flames, this.range, minFlames, range) || (previous != null
                && inView(previousFlames, previousRange, minFlames, range));
    }

    private static boolean inView(int flames, String range, int minFlames, String watched) {
        return flames >= minFlames && (watched == null || watched.equals(range));
    }
}

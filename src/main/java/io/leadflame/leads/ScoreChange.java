package io.leadflame.leads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.serialization.CborSerializable;

import java.time.Instant;
import java.util.Objects;

/**
 * A contact's score changed (or its flames or range did, after a model change): what a live
 * call list needs to move the contact's row. Published by the contact to its tenant's topic
 * ({@link ScoreChanges}), read by the {@code score-changes} Server-Sent Events of any node.
 *
 * @param previous       the score before: 0 for a contact's first score (SCORING.md: a contact
 *                       never seen has score 0)
 * @param range          the range's name, null when the model has none for this score
 * @param previousFlames the flames before (0 for a first score): a listener filtering on
 *                       flames or range also hears of a contact leaving what it watches
 * @param previousRange  the range before, null when none (for a first score, the range of 0)
 */
public record ScoreChange(String tenant, String contactId, long score, long previous, int flames, String range,
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

    /**
     * The change from {@code before} to {@code after}, or null when nothing a call list shows
     * changed.
     *
     * @param before      null for a contact never scored: score 0, 0 flames, range {@code rangeOfZero}
     * @param rangeOfZero the name of the range of a score of 0 under the current model, or null
     */
    public static ScoreChange between(Lead before, Lead after, String rangeOfZero, Reason reason, Instant at) {
        long previous = before == null ? 0 : before.score();
        int previousFlames = before == null ? 0 : before.flames();
        String previousRange = before == null ? rangeOfZero : before.range();
        if (previous == after.score() && previousFlames == after.flames()
                && Objects.equals(previousRange, after.range())) {
            return null;
        }
        return new ScoreChange(after.tenant(), after.contactId(), after.score(), previous, after.flames(),
                after.range(), reason, at, previousFlames, previousRange);
    }

    /**
     * Writes what every reader of a change gets — {@code contactId, score, previous, flames,
     * range, reason, at} — into {@code out}: the data of a live-changes event, and part of a
     * webhook's body.
     */
    public ObjectNode writeTo(ObjectNode out) {
        out.put("contactId", contactId);
        out.put("score", score);
        out.put("previous", previous);
        out.put("flames", flames);
        out.put("range", range);
        out.put("reason", reason.json());
        out.put("at", at.toString());
        return out;
    }

    /** Whether a listener watching {@code minFlames} and {@code range} (null: any) must hear of it: before or after is in view. */
    public boolean concerns(int minFlames, String range) {
        return inView(flames, this.range, minFlames, range) || inView(previousFlames, previousRange, minFlames, range);
    }

    private static boolean inView(int flames, String range, int minFlames, String watched) {
        return flames >= minFlames && (watched == null || watched.equals(range));
    }
}

package io.leadflame.changes;

import io.leadflame.serialization.CborSerializable;

import java.time.Instant;
import java.util.Objects;

/**
 * A contact's score changed (or its flames or range did, after a model change): what a live
 * call list needs to move the contact's row and what a webhook tells its receiver. Published by
 * the contact to its tenant's topic ({@code leads.ScoreChanges}), read by the {@code score-changes}
 * Server-Sent Events of any node, and recorded by the webhook ledger. In a package of its own
 * because the call list and the webhooks both speak it and neither should depend on the other;
 * its JSON form is {@code api.ScoreChangeJson}.
 *
 * @param previous       the score before: 0 for a contact's first score (SCORING.md: a contact
 *                       never seen has score 0)
 * @param range          the range's name, null when the model has none for this score
 * @param previousFlames the flames before (0 for a first score): a listener filtering on
 *                       flames or range also hears of a contact leaving what it watches
 * @param previousRange  the range before, null when none (for a first score, the range of 0)
 * @param scoreName      the named score that changed (issue 16), null for the default score;
 *                       live-changes streams and webhooks each follow one score
 */
public record ScoreChange(String tenant, String contactId, long score, long previous, int flames, String range,
                          Reason reason, Instant at, int previousFlames, String previousRange, String scoreName)
        implements CborSerializable {

    /** A change of the tenant's default score. */
    public ScoreChange(String tenant, String contactId, long score, long previous, int flames, String range,
                       Reason reason, Instant at, int previousFlames, String previousRange) {
        this(tenant, contactId, score, previous, flames, range, reason, at, previousFlames, previousRange, null);
    }

    /** The same change of the named score {@code name} (issue 16). */
    public ScoreChange ofScore(String name) {
        return new ScoreChange(tenant, contactId, score, previous, flames, range, reason, at, previousFlames,
                previousRange, name);
    }

    /** Whether it is a change of the score {@code name}, null for the default score. */
    public boolean ofScoreNamed(String name) {
        return Objects.equals(scoreName, name);
    }

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

    /** Whether a listener watching {@code minFlames} and {@code range} (null: any) must hear of it: before or after is in view. */
    public boolean concerns(int minFlames, String range) {
        return inView(flames, this.range, minFlames, range) || inView(previousFlames, previousRange, minFlames, range);
    }

    private static boolean inView(int flames, String range, int minFlames, String watched) {
        return flames >= minFlames && (watched == null || watched.equals(range));
    }
}

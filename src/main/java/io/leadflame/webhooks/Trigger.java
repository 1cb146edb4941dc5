package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;
import io.leadflame.changes.ScoreChange;

/**
 * What a webhook waits for: a contact entering a range, or reaching a number of flames. Exactly
 * one of the two is set. Only the way in counts: a contact that leaves and enters again crosses
 * again; one that only rises further inside does not.
 *
 * @param enterRange the name of a range of the tenant's model; null when the trigger is on flames
 * @param minFlames  1 to 5 flames; 0 when the trigger is on a range
 */
public record Trigger(String enterRange, int minFlames) implements CborSerializable {

    public static final int MAX_FLAMES = 5;

    public Trigger {
        if ((enterRange == null) == (minFlames == 0)) {
            throw new IllegalArgumentException("a trigger is either enterRange or minFlames");
        }
        if (minFlames < 0 || minFlames > MAX_FLAMES) {
            throw new IllegalArgumentException("minFlames must be 1 to " + MAX_FLAMES);
        }
    }

    public static Trigger enterRange(String range) {
        return new Trigger(range, 0);
    }

    public static Trigger minFlames(int flames) {
        return new Trigger(null, flames);
    }

    /** Whether the change crosses into what this trigger waits for (a first score counts as coming from nothing). */
    public boolean firedBy(ScoreChange change) {
        if (enterRange != null) {
            return enterRange.equals(change.range()) && !enterRange.equals(change.previousRange());
        }
        return change.flames() >= minFlames && change.previousFlames() < minFlames;
    }
}

package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;
import io.leadflame.changes.ScoreChange;
import io.leadflame.model.ScoreNames;

/**
 * What a webhook waits for: a contact entering a range, or reaching a number of flames. Exactly
 * one of the two is set. Only the way in counts: a contact that leaves and enters again crosses
 * again; one that only rises further inside does not.
 *
 * @param enterRange the name of a range of the score's model; null when the trigger is on flames
 * @param minFlames  1 to 5 flames; 0 when the trigger is on a range
 * @param score      the named score whose changes it follows (issue 16); null for the tenant's
 *                   default score (and in triggers stored before named scores)
 */
public record Trigger(String enterRange, int minFlames, String score) implements CborSerializable {

    public static final int MAX_FLAMES = 5;

    public Trigger {
        if ((enterRange == null) == (minFlames == 0)) {
            throw new IllegalArgumentException("a trigger is either enterRange or minFlames");
        }
        if (minFlames < 0 || minFlames > MAX_FLAMES) {
            throw new IllegalArgumentException("minFlames must be 1 to " + MAX_FLAMES);
        }
        if (score != null && (!ScoreNames.isValid(score) || score.equals(ScoreNames.DEFAULT))) {
            throw new IllegalArgumentException("score must name a named score, or be null for the default score");
        }
    }

    public Trigger(String enterRange, int minFlames) {
        this(enterRange, minFlames, null);
    }

    public static Trigger enterRange(String range) {
        return new Trigger(range, 0);
    }

    public static Trigger minFlames(int flames) {
        return new Trigger(null, flames);
    }

    /** The same trigger on the named score {@code name}, or on the default score for {@link ScoreNames#DEFAULT}. */
    public Trigger onScore(String name) {
        return new Trigger(enterRange, minFlames, name.equals(ScoreNames.DEFAULT) ? null : name);
    }

    /**
     * Whether the change, of the score this trigger follows, crosses into what it waits for (a
     * first score counts as coming from nothing).
     */
    public boolean firedBy(ScoreChange change) {
        if (!change.ofScoreNamed(score)) {
            return false;
        }
        if (enterRange != null) {
            return enterRange.equals(change.range()) && !enterRange.equals(change.previousRange());
        }
        return change.flames() >= minFlames && change.previousFlames() < minFlames;
    }
}

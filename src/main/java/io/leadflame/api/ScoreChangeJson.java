package io.leadflame.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.changes.ScoreChange;

/** A score change as every reader gets it: the data of a live-changes event and part of a webhook's body. */
public final class ScoreChangeJson {

    private ScoreChangeJson() {
    }

    /**
     * Writes {@code contactId, score, previous, flames, range, reason, at} into {@code out}, and
     * {@code scoreName} for a named score's change, and returns it.
     */
    public static ObjectNode write(ScoreChange change, ObjectNode out) {
        out.put("contactId", change.contactId());
        out.put("score", change.score());
        out.put("previous", change.previous());
        out.put("flames", change.flames());
        out.put("range", change.range());
        out.put("reason", change.reason().json());
        out.put("at", change.at().toString());
        if (change.scoreName() != null) {
            out.put("scoreName", change.scoreName());
        }
        return out;
    }
}

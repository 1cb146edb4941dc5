package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;
import io.leadflame.changes.ScoreChange;

import java.util.List;

/**
 * The triggers of a tenant's webhooks, as every node needs them to tell which score changes
 * to hand to the tenant's outbox.
 *
 * @param version grows with every change of the tenant's webhooks: an older copy never replaces a newer one
 */
public record TenantTriggers(long version, List<Trigger> triggers) implements CborSerializable {

    public TenantTriggers {
        triggers = List.copyOf(triggers);
    }

    /** Whether one of them follows the named score {@code score}: the tenant's contacts must then compute its changes. */
    public boolean follow(String score) {
        for (Trigger t : triggers) {
            if (score.equals(t.score())) {
                return true;
            }
        }
        return false;
    }

    public boolean firedBy(ScoreChange change) {
        for (Trigger t : triggers) {
            if (t.firedBy(change)) {
                return true;
            }
        }
        return false;
    }
}

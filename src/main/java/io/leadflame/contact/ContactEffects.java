package io.leadflame.contact;

import io.leadflame.leads.Lead;
import io.leadflame.leads.LeadIndex;
import io.leadflame.changes.ScoreChange;
import io.leadflame.leads.ScoreChanges;
import io.leadflame.model.ScoreNames;
import io.leadflame.webhooks.WebhookTriggers;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Everything a contact's score does outside the contact, behind one port: its place in the
 * node's call list, and its changes (live streams, webhook crossings). The contact only holds
 * its history and timer and says what happened; a node without a call list (a measurement
 * switch) gets {@link #NONE}, not null collaborators.
 */
public interface ContactEffects {

    /**
     * Whether anything listens: when not, a contact computes only when its score next changes
     * (for its timer), not the whole score with its reasons.
     */
    boolean tracksScores();

    /** The contact's place in its tenant's call list moved from {@code previous} to {@code current} (either may be null). */
    void placed(String tenant, Lead previous, Lead current);

    /** The contact's score changed: published to listeners, and to webhooks whose trigger it crosses. */
    void changed(ScoreChange change);

    /**
     * Whether the changes of the tenant's named score {@code score} are worth computing: someone
     * listens to its live changes, or one of the tenant's webhooks follows it.
     */
    boolean namedChangesWanted(String tenant, String score);

    /**
     * The contact holds events but has no place yet, because the node is still reading its
     * tenant's model: the rescoring under that model must reach it (it reads the call list's
     * index, where this contact is not).
     */
    void awaitingModel(String tenant, String entityId);

    /** A node without the call list: nothing is tracked, nothing published. */
    ContactEffects NONE = new ContactEffects() {
        @Override
        public boolean tracksScores() {
            return false;
        }

        @Override
        public void placed(String tenant, Lead previous, Lead current) {
        }

        @Override
        public void changed(ScoreChange change) {
        }

        @Override
        public boolean namedChangesWanted(String tenant, String score) {
            return false;
        }

        @Override
        public void awaitingModel(String tenant, String entityId) {
        }
    };

    /** The node's call list, its live score changes and its webhook triggers. */
    static ContactEffects of(ActorSystem<?> system) {
        LeadIndex leads = LeadIndex.get(system);
        ScoreChanges changes = ScoreChanges.get(system);
        WebhookTriggers webhooks = WebhookTriggers.get(system);
        return new ContactEffects() {
            @Override
            public boolean tracksScores() {
                return true;
            }

            @Override
            public void placed(String tenant, Lead previous, Lead current) {
                leads.replace(tenant, previous, current);
            }

            @Override
            public void changed(ScoreChange change) {
                changes.publish(change);
                webhooks.offer(change);
            }

            @Override
            public boolean namedChangesWanted(String tenant, String score) {
                return changes.heard(ScoreNames.key(tenant, score)) || webhooks.follow(tenant, score);
            }

            @Override
            public void awaitingModel(String tenant, String entityId) {
                leads.awaitingModel(tenant, entityId);
            }
        };
    }
}

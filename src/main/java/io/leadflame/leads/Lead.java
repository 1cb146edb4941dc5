package io.leadflame.leads;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.leadflame.changes.ScoreChange;
import io.leadflame.serialization.CborSerializable;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.Contribution;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.ScoreRange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A contact's place in its tenant's call list: its score as last computed and what a sales rep
 * sees next to it. Immutable; a contact replaces its lead in the {@link LeadIndex} on every
 * change.
 *
 * @param entityId         the contact's sharding id ({@code tenant/contactId}), shared with its actor
 *                         rather than a copy of the contact id (a million a node)
 * @param tenantLength     where the contact id starts in {@code entityId}, minus the separator
 * @param range            the name of the score's range, or null when the model has none
 * @param lastEventAtNanos when the contact's latest event occurred, epoch nanoseconds
 * @param reasons          the top reasons, shared between the leads that have the same
 * @param history          the contact's history the score was computed from (immutable, shared
 *                         with the contact's actor): what a preview scores under another model
 *                         without asking the contact. Stays on its node (not serialized).
 * @param standing         where the contact stands on its node (its actor included), or null:
 *                         what this node's rescoring places its new lead through, without a
 *                         message to the contact. Stays on its node (not serialized).
 */
public record Lead(String entityId, int tenantLength, long score, int percent, int flames, String range,
                   long lastEventAtNanos, List<Reason> reasons, @JsonIgnore ContactHistory history,
                   @JsonIgnore Standing standing)
        implements CborSerializable {

    /** A lead without its contact's standing (another node's, a test's). */
    public Lead(String entityId, int tenantLength, long score, int percent, int flames, String range,
                long lastEventAtNanos, List<Reason> reasons, ContactHistory history) {
        this(entityId, tenantLength, score, percent, flames, range, lastEventAtNanos, reasons, history, null);
    }

    /** How many reasons a lead shows: the call list is a summary, the contact page has them all. */
    public static final int TOP_REASONS = 3;
    /** A bound on the shared reason lists, as for the shared attribute maps of contacts. */
    private static final int MAX_SHARED_REASONS = 1 << 16;
    private static final Map<List<Reason>, List<Reason>> SHARED_REASONS = new ConcurrentHashMap<>();

    /** One reason of a lead: a rule and the points it gives now. */
    public record Reason(String ruleId, String name, long points) {
    }

    public static Lead of(String tenant, String entityId, Score score, ContactHistory history) {
        return of(tenant, entityId, score, history, null);
    }

    /** @param standing where the contact stands on this node */
    public static Lead of(String tenant, String entityId, Score score, ContactHistory history, Standing standing) {
        return new Lead(entityId, tenant.length(), score.score(), score.percent(), score.flames(),
                score.range().map(ScoreRange::name).orElse(null),
                history.isEmpty() ? 0 : history.lastEventAtNanos(), topReasons(score), history, standing);
    }

    /**
     * This contact's lead under another model's score (a named score's, computed when asked):
     * the same contact and history, without its standing (the index holds its default lead).
     */
    public Lead scoredAs(Score score) {
        return new Lead(entityId, tenantLength, score.score(), score.percent(), score.flames(),
                score.range().map(ScoreRange::name).orElse(null), lastEventAtNanos, topReasons(score), history, null);
    }

    /**
     * The change from {@code before} to {@code after}, or null when nothing a call list shows
     * changed.
     *
     * @param before      null for a contact never scored: score 0, 0 flames, range {@code rangeOfZero}
     * @param rangeOfZero the name of the range of a score of 0 under the current model, or null
     */
    public static ScoreChange changeBetween(Lead before, Lead after, String rangeOfZero, ScoreChange.Reason reason,
                                            Instant at) {
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
     * Whether {@code other} shows the same and was computed from the very same history: then the
     * index keeps this one (a model change that moves nothing costs no index update).
     */
    public boolean sameAs(Lead other) {
        return other != null && history == other.history && standing == other.standing && score == other.score
                && percent == other.percent
                && flames == other.flames && Objects.equals(range, other.range)
                && lastEventAtNanos == other.lastEventAtNanos && reasons.equals(other.reasons)
                && entityId.equals(other.entityId);
    }

    public String tenant() {
        return entityId.substring(0, tenantLength);
    }

    public String contactId() {
        return entityId.substring(tenantLength + 1);
    }

    /** The contributions that weigh most (by absolute points, then rule id), shared between equal lists. */
    static List<Reason> topReasons(Score score) {
        List<Contribution> sorted = new ArrayList<>(score.breakdown());
        sorted.sort(Comparator.comparingLong((Contribution c) -> -Math.abs(c.points())).thenComparing(Contribution::ruleId));
        List<Reason> top = new ArrayList<>(TOP_REASONS);
        for (Contribution c : sorted.subList(0, Math.min(TOP_REASONS, sorted.size()))) {
            top.add(new Reason(c.ruleId(), c.name(), c.points()));
        }
        List<Reason> immutable = List.copyOf(top);
        List<Reason> shared = SHARED_REASONS.get(immutable);
        if (shared != null) {
            return shared;
        }
        if (SHARED_REASONS.size() >= MAX_SHARED_REASONS) {
            return immutable;
        }
        shared = SHARED_REASONS.putIfAbsent(immutable, immutable);
        return shared == null ? immutable : shared;
    }
}

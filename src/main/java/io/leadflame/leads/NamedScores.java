package io.leadflame.leads;

import io.leadflame.changes.ScoreChange;
import io.leadflame.model.StoredModel;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.scoring.Scorer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * A named score's call list, distribution, velocity and preview (issue 16), on one node: its live
 * contacts scored under the named score's model when asked, from the histories the
 * {@link LeadIndex} holds (immutable, shared with the contacts), as a preview is. The index and
 * the contacts keep only the default score: a named score costs no memory per contact, and a
 * change of its model needs no rescoring (DECISIONS "Named scores").
 */
public final class NamedScores {

    private NamedScores() {
    }

    /**
     * How a request's leads are scored: as the index holds them (the default score, for a
     * {@code scoredBy} of null), or under the named score's model in its {@code StoredModel} form.
     */
    static UnaryOperator<Lead> scoring(String scoredBy, Instant now) {
        if (scoredBy == null) {
            return UnaryOperator.identity();
        }
        ScoringModel model = StoredModel.read(scoredBy);
        return lead -> lead.scoredAs(Scorer.score(model, lead.history(), now));
    }

    /** Scoring a lead takes microseconds: chunks this size are worth a task of the common pool. */
    private static final int CHUNK = 2048;

    /** How many parallel chunks {@code leads} are scored in. */
    static int chunks(int leads) {
        return Math.max(1, Math.min(64, leads / CHUNK));
    }

    /**
     * The first {@code limit} of {@code leads}, scored by {@code scoring}, that pass {@code filter},
     * in call-list order after {@code after} (null: from the top).
     */
    static List<Lead> page(List<Lead> leads, UnaryOperator<Lead> scoring, LeadIndex.Cursor after, int limit,
                           LeadFilter filter) {
        int chunks = chunks(leads.size());
        List<Lead> all = IntStream.range(0, chunks).parallel()
                .mapToObj(c -> first(leads.subList(leads.size() * c / chunks, leads.size() * (c + 1) / chunks),
                        scoring, after, limit, filter))
                .flatMap(List::stream)
                .sorted(LeadIndex.ORDER)
                .toList();
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    private static List<Lead> first(List<Lead> leads, UnaryOperator<Lead> scoring, LeadIndex.Cursor after,
                                    int limit, LeadFilter filter) {
        // The first `limit` in call-list order, in a heap whose head is the last of them.
        PriorityQueue<Lead> first = new PriorityQueue<>(Math.min(limit, 1024) + 1, LeadIndex.ORDER.reversed());
        for (Lead lead : leads) {
            if (lead.history() == null) {
                continue;
            }
            Lead scored = scoring.apply(lead);
            if (filter.accepts(scored) && (after == null || comesAfter(scored, after))) {
                first.add(scored);
                if (first.size() > limit) {
                    first.poll();
                }
            }
        }
        return new ArrayList<>(first);
    }

    /** Whether {@code lead} comes after the place {@code after} in call-list order. */
    static boolean comesAfter(Lead lead, LeadIndex.Cursor after) {
        return lead.score() != after.score() ? lead.score() < after.score()
                : lead.contactId().compareTo(after.contactId()) > 0;
    }

    /**
     * A named score's change from {@code was} to {@code now}, or null when neither its score, its
     * flames nor its range moved.
     */
    public static ScoreChange change(String tenant, String contactId, String scoreName, Score was, Score now,
                                     ScoreChange.Reason reason, Instant at) {
        String range = now.range().map(ScoreRange::name).orElse(null);
        String previousRange = was.range().map(ScoreRange::name).orElse(null);
        if (was.score() == now.score() && was.flames() == now.flames() && Objects.equals(range, previousRange)) {
            return null;
        }
        return new ScoreChange(tenant, contactId, now.score(), was.score(), now.flames(), range, reason, at,
                was.flames(), previousRange, scoreName);
    }

    /**
     * What a new version of a named score's model changed of {@code leads} (a node's contacts of
     * the tenant): each lead's score under the version before and under the new one, now.
     */
    public static List<ScoreChange> modelChanged(Iterable<Lead> leads, String scoreName, ScoringModel before,
                                                 ScoringModel after, Instant now) {
        List<ScoreChange> changes = new ArrayList<>();
        for (Lead lead : leads) {
            if (lead.history() == null) {
                continue;
            }
            ScoreChange change = change(lead.tenant(), lead.contactId(), scoreName,
                    Scorer.score(before, lead.history(), now), Scorer.score(after, lead.history(), now),
                    ScoreChange.Reason.MODEL, now);
            if (change != null) {
                changes.add(change);
            }
        }
        return changes;
    }

    /** How {@code leads}, scored by {@code scoring}, spread over flames, ranges and buckets. */
    static LeadsReader.Counts count(List<Lead> leads, UnaryOperator<Lead> scoring, long[] bucketBounds) {
        int chunks = chunks(leads.size());
        return IntStream.range(0, chunks).parallel()
                .mapToObj(c -> {
                    LeadsReader.Tally tally = new LeadsReader.Tally(bucketBounds);
                    for (Lead lead : leads.subList(leads.size() * c / chunks, leads.size() * (c + 1) / chunks)) {
                        if (lead.history() != null) {
                            Lead scored = scoring.apply(lead);
                            tally.add(scored.score(), scored.flames(), scored.range());
                        }
                    }
                    return tally.counts();
                })
                .reduce(LeadsReader.Counts::plus)
                .orElseGet(() -> LeadsReader.Counts.empty(bucketBounds.length + 1));
    }
}

package io.leadflame.leads;

import io.leadflame.scoring.ScoreHistory;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.serialization.CborSerializable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.UnaryOperator;

/**
 * The call list ordered by velocity (issue 16): the leads heating up fastest first — the score
 * change over the last 7 days ({@link ScoreHistory#velocity}), then the score, then the contact.
 * Velocity changes as time passes, so it is computed when asked, over each node's live leads
 * under the model of now (as a preview is), not kept in the index.
 */
public final class Heating {

    public static final Duration WINDOW = Duration.ofDays(7);

    /** A lead and its velocity. */
    public record HeatingLead(Lead lead, long velocity) implements CborSerializable {
    }

    /** One node's (or, merged, the tenant's) page. */
    public record HeatingPage(List<HeatingLead> leads) implements CborSerializable {
    }

    /** Fastest first, then hottest, then by contact id. */
    public static final Comparator<HeatingLead> ORDER = Comparator.comparingLong((HeatingLead h) -> -h.velocity())
            .thenComparingLong(h -> -h.lead().score()).thenComparing(h -> h.lead().contactId());

    /** Just after the lead with this velocity, score and contact id. */
    public record After(long velocity, long score, String contactId) {
        public String encode() {
            return PageCursors.encode("v", velocity, score, contactId);
        }

        public static Optional<After> decode(String encoded) {
            return PageCursors.decode(encoded, 4).filter(parts -> parts[0].equals("v") && !parts[3].isEmpty())
                    .flatMap(parts -> PageCursors.number(parts[1]).flatMap(velocity -> PageCursors.number(parts[2])
                            .map(score -> new After(velocity, score, parts[3]))));
        }

        /** Whether {@code h} comes after this place in {@link #ORDER}. */
        boolean isBefore(HeatingLead h) {
            if (h.velocity() != velocity) {
                return h.velocity() < velocity;
            }
            if (h.lead().score() != score) {
                return h.lead().score() < score;
            }
            return h.lead().contactId().compareTo(contactId) > 0;
        }
    }

    private Heating() {
    }

    /**
     * The first {@code limit} of {@code leads} that pass {@code filter} and change by at least
     * {@code minVelocity}, in {@link #ORDER}, after {@code after} (null: from the top).
     */
    static HeatingPage page(List<Lead> leads, ScoringModel model, Instant now, LeadFilter filter, long minVelocity,
                            After after, int limit) {
        return page(leads, UnaryOperator.identity(), model, now, filter, minVelocity, after, limit);
    }

    /** As the other, each lead shown and filtered as {@code scoring} scores it (a named score's: {@link NamedScores}). */
    static HeatingPage page(List<Lead> leads, UnaryOperator<Lead> scoring, ScoringModel model, Instant now,
                            LeadFilter filter, long minVelocity, After after, int limit) {
        // The first `limit` in ORDER, kept in a heap whose head is the last of them.
        PriorityQueue<HeatingLead> first = new PriorityQueue<>(limit + 1, ORDER.reversed());
        for (Lead listed : leads) {
            if (listed.history() == null) {
                continue;
            }
            Lead lead = scoring.apply(listed);
            if (!filter.accepts(lead)) {
                continue;
            }
            long velocity = ScoreHistory.velocity(model, lead.history(), now, WINDOW);
            HeatingLead h = new HeatingLead(lead, velocity);
            if (velocity >= minVelocity && (after == null || after.isBefore(h))) {
                first.add(h);
                if (first.size() > limit) {
                    first.poll();
                }
            }
        }
        List<HeatingLead> page = new ArrayList<>(first);
        page.sort(ORDER);
        return new HeatingPage(List.copyOf(page));
    }
}

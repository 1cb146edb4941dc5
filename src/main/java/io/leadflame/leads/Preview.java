package io.leadflame.leads;

import io.leadflame.serialization.CborSerializable;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.scoring.Scorer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * What a candidate model would do to one node's contacts of a tenant, computed from the
 * histories in the {@link LeadIndex} (immutable, shared with the contacts) without asking or
 * changing any contact: the distribution now and under the candidate, and the contacts whose
 * score would move most.
 */
public final class Preview {

    private Preview() {
    }

    /** A contact whose score, flames or range would change: now and under the candidate. */
    public record Mover(String contactId, long score, long previewScore, int flames, int previewFlames,
                        String range, String previewRange) implements CborSerializable {
        public long change() {
            return previewScore - score;
        }

        int flamesChange() {
            return previewFlames - flames;
        }
    }

    /**
     * Most moved first: by the size of the score's change, then of the flames' (a new ideal
     * score moves flames, not scores), ties by contact id.
     */
    public static final Comparator<Mover> MOST_MOVED = Comparator.comparingLong((Mover m) -> -Math.abs(m.change()))
            .thenComparingInt(m -> -Math.abs(m.flamesChange()))
            .thenComparing(Mover::contactId);

    /**
     * @param current the distribution as the contacts are scored now (their last scores)
     * @param preview the distribution under the candidate
     * @param movers  at most the number asked for, {@link #MOST_MOVED} first
     */
    public record Result(LeadsReader.Counts current, LeadsReader.Counts preview, List<Mover> movers)
            implements CborSerializable {

        /** Two nodes' results together, keeping the {@code movers} most moved. */
        public Result plus(Result other, int movers) {
            List<Mover> all = new ArrayList<>(this.movers);
            all.addAll(other.movers);
            all.sort(MOST_MOVED);
            return new Result(current.plus(other.current), preview.plus(other.preview),
                    List.copyOf(all.subList(0, Math.min(movers, all.size()))));
        }
    }

    /**
     * Scores every lead under {@code candidate} at {@code now}, in parallel chunks on the common
     * pool.
     */
    public static Result of(List<Lead> leads, ScoringModel candidate, Instant now, long[] currentBounds,
                            long[] previewBounds, int movers) {
        return of(leads, UnaryOperator.identity(), candidate, now, currentBounds, previewBounds, movers);
    }

    /**
     * As {@link #of(List, ScoringModel, Instant, long[], long[], int)}, each lead compared as
     * {@code current} scores it now (a named score's model: {@link NamedScores}).
     */
    static Result of(List<Lead> leads, UnaryOperator<Lead> current, ScoringModel candidate, Instant now,
                     long[] currentBounds, long[] previewBounds, int movers) {
        int chunks = NamedScores.chunks(leads.size());
        return IntStream.range(0, chunks).parallel()
                .mapToObj(c -> chunk(leads.subList(leads.size() * c / chunks, leads.size() * (c + 1) / chunks),
                        current, candidate, now, currentBounds, previewBounds, movers))
                .reduce((a, b) -> a.plus(b, movers))
                .orElseGet(() -> new Result(LeadsReader.Counts.empty(currentBounds.length + 1),
                        LeadsReader.Counts.empty(previewBounds.length + 1), List.of()));
    }

    private static Result chunk(List<Lead> leads, UnaryOperator<Lead> scoredNow, ScoringModel candidate, Instant now,
                                long[] currentBounds, long[] previewBounds, int movers) {
        LeadsReader.Tally current = new LeadsReader.Tally(currentBounds);
        LeadsReader.Tally preview = new LeadsReader.Tally(previewBounds);
        PriorityQueue<Mover> most = new PriorityQueue<>(MOST_MOVED.reversed());
        for (Lead listed : leads) {
            Lead lead = scoredNow.apply(listed);
            current.add(lead.score(), lead.flames(), lead.range());
            Score s = Scorer.score(candidate, lead.history(), now);
            String range = s.range().map(ScoreRange::name).orElse(null);
            preview.add(s.score(), s.flames(), range);
            boolean moves = s.score() != lead.score() || s.flames() != lead.flames()
                    || !Objects.equals(range, lead.range());
            if (moves && movers > 0) {
                most.add(new Mover(lead.contactId(), lead.score(), s.score(), lead.flames(), s.flames(),
                        lead.range(), range));
                if (most.size() > movers) {
                    most.poll();
                }
            }
        }
        List<Mover> top = new ArrayList<>(most);
        top.sort(MOST_MOVED);
        return new Result(current.counts(), preview.counts(), List.copyOf(top));
    }
}

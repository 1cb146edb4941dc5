package io.leadflame.scoring;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A contact's score over time, as the pure function gives it (issue 16): every instant within a
 * window at which the score changed, by how much, through which rules, and whether an event or the
 * passing of time (an expiry, a decay step, a silence) changed it. Computed from the history the
 * contact holds under the model of now, so it answers "how did this lead heat up" with today's
 * rules, at no memory cost; activities a compaction forgot (beyond the retention, or beyond what
 * any rule could count) no longer show.
 */
public final class ScoreHistory {

    /**
     * The most changes a timeline lists (the latest are kept and it says so): an answer crosses
     * nodes, within Pekko's 256 KiB frame.
     */
    public static final int MAX_CHANGES = 500;
    /**
     * The most instants a timeline walks: a contact with thousands of decaying activities over a
     * long window has millions of steps; the walk stops there and says it is truncated.
     */
    public static final int MAX_STEPS = 20_000;

    /** How a rule's contribution changed at one instant. */
    public record RuleChange(String ruleId, String name, long change) {
    }

    /**
     * One change of the score.
     *
     * @param byEvent whether an event took effect then (otherwise time passing changed it)
     */
    public record Change(Instant at, long score, long change, boolean byEvent, List<RuleChange> rules) {
    }

    /**
     * @param scoreAtStart the score at the window's start
     * @param truncated    more changes happened than {@link #MAX_CHANGES} (the earliest are left out),
     *                     or the walk stopped after {@link #MAX_STEPS} (the latest are left out)
     */
    public record Timeline(Instant from, Instant to, long scoreAtStart, List<Change> changes, boolean truncated) {

        /** The score's change over the window: what a sales team calls velocity. */
        public long velocity() {
            return changes.isEmpty() ? 0 : changes.get(changes.size() - 1).score() - scoreAtStart;
        }
    }

    private ScoreHistory() {
    }

    /**
     * The score's changes in {@code (from, to]}: walked along {@link Score#nextChangeAt}, which
     * already counts the events dated later as well as expiries, decay steps and silences.
     */
    public static Timeline timeline(ScoringModel model, ContactHistory history, Instant from, Instant to) {
        TreeSet<Long> events = eventInstants(history, Instants.nanos(from), Instants.nanos(to));
        Score before = Scorer.score(model, history, from);
        long scoreAtStart = before.score();
        ArrayDeque<Change> changes = new ArrayDeque<>();
        boolean truncated = false;
        Optional<Instant> next = before.nextChangeAt();
        for (int steps = 0; next.isPresent() && !next.get().isAfter(to); steps++) {
            if (steps == MAX_STEPS) {
                truncated = true;
                break;
            }
            Instant at = next.get();
            Score after = Scorer.score(model, history, at);
            changes.addLast(new Change(at, after.score(), after.score() - before.score(),
                    events.contains(Instants.nanos(at)), ruleChanges(model, before, after)));
            if (changes.size() > MAX_CHANGES) {
                changes.removeFirst();
                truncated = true;
            }
            before = after;
            next = after.nextChangeAt();
        }
        return new Timeline(from, to, scoreAtStart, List.copyOf(changes), truncated);
    }

    /** The score now minus the score {@code window} earlier, under the same model. */
    public static long velocity(ScoringModel model, ContactHistory history, Instant now, Duration window) {
        return Scorer.score(model, history, now).score() - Scorer.score(model, history, now.minus(window)).score();
    }

    /** The rules whose contribution differs, in the model's order. */
    private static List<RuleChange> ruleChanges(ScoringModel model, Score before, Score after) {
        Map<String, Long> was = new HashMap<>();
        before.breakdown().forEach(c -> was.put(c.ruleId(), c.points()));
        Map<String, Long> is = new HashMap<>();
        after.breakdown().forEach(c -> is.put(c.ruleId(), c.points()));
        List<RuleChange> changes = new ArrayList<>();
        for (Rule rule : model.rules()) {
            long change = is.getOrDefault(rule.id(), 0L) - was.getOrDefault(rule.id(), 0L);
            if (change != 0) {
                changes.add(new RuleChange(rule.id(), rule.name(), change));
            }
        }
        return changes;
    }

    /** The instants in {@code (fromNanos, toNanos]} at which an event of the history takes effect. */
    private static TreeSet<Long> eventInstants(ContactHistory history, long fromNanos, long toNanos) {
        TreeSet<Long> instants = new TreeSet<>();
        for (int i = 0; i < history.activityCount(); i++) {
            add(instants, history.activityTime(i), fromNanos, toNanos);
        }
        for (int i = 0; i < history.tagCount(); i++) {
            add(instants, history.tagTime(i), fromNanos, toNanos);
        }
        for (int i = 0; i < history.fieldCount(); i++) {
            add(instants, history.field(i).atNanos(), fromNanos, toNanos);
        }
        return instants;
    }

    private static void add(TreeSet<Long> instants, long at, long fromNanos, long toNanos) {
        if (at > fromNanos && at <= toNanos) {
            instants.add(at);
        }
    }
}

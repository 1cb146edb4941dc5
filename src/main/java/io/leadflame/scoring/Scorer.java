package io.leadflame.scoring;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The score as a pure function: {@code score(model, history, t)}. No clock, no actor, no I/O:
 * everything that depends on time takes {@code t}, so a score can be asked for now or projected
 * to a later instant ("if nothing else happens").
 *
 * <p>Between the instants at which something recorded takes effect or runs out (an event dated
 * later, an activity or tag reaching its {@code expiresAfter}, an activity leaving an inactivity
 * window, a contact becoming known for long enough) every rule's contribution is constant. Those
 * instants are the only candidates for {@code nextChangeAt} and {@code expiresAt}, which are
 * found by evaluating the rules there.
 */
public final class Scorer {

    private Scorer() {
    }

    public static Score score(ScoringModel model, ContactHistory history, Instant t) {
        return stableScore(model, history, t).score();
    }

    /**
     * A score and how long it stays exactly what it is, reasons included.
     *
     * @param score  the score at the instant asked for
     * @param until  the first instant after it at which anything of the score may differ (the
     *               earliest candidate instant of any rule); empty when nothing ever changes it.
     *               {@code score(model, history, t')} equals {@code score} for every {@code t'}
     *               from the instant asked for up to, not including, {@code until}.
     */
    public record Stable(Score score, Optional<Instant> until) {
    }

    /** {@link #score} with the instant up to which it holds, so that a caller may keep it until then. */
    public static Stable stableScore(ScoringModel model, ContactHistory history, Instant t) {
        if (!model.enabled()) {
            return new Stable(Score.DISABLED, Optional.empty());
        }
        if (history.firstSeen().filter(first -> !first.isAfter(t)).isEmpty()) {
            // Nothing counts before the first event takes effect.
            return new Stable(notSeenYet(model, history), history.firstSeen());
        }
        Outcome[] outcomes = evaluateAll(model, history, t);
        List<Contribution> breakdown = new ArrayList<>();
        for (int i = 0; i < outcomes.length; i++) {
            Rule rule = model.rules().get(i);
            if (outcomes[i].points() != 0) {
                breakdown.add(new Contribution(rule.id(), rule.name(), rule.category(), outcomes[i].points(),
                        outcomes[i].matches(), zeroFrom(rule, history, t)));
            }
        }
        long fit = categoryTotal(model, outcomes, Category.FIT);
        long engagement = categoryTotal(model, outcomes, Category.ENGAGEMENT);
        long total = model.limits().total().clamp(fit + engagement);
        TreeMap<Instant, List<Integer>> candidates = candidates(model, history, t);
        Score score = new Score(true, total, fit, engagement,
                Score.percentOf(total, model.idealScore()), Score.flamesOf(total, model.idealScore()),
                model.rangeOf(total), breakdown, nextChange(model, history, candidates, outcomes, total));
        return new Stable(score, candidates.isEmpty() ? Optional.empty() : Optional.of(candidates.firstKey()));
    }

    /**
     * When the score computed at {@code t} next changes by itself, without the reasons: what a
     * contact needs after each write to arm its timer, at a fraction of {@link #score}'s cost.
     * Always equal to {@code score(model, history, t).nextChangeAt()}.
     */
    public static Optional<Instant> nextChangeAt(ScoringModel model, ContactHistory history, Instant t) {
        if (!model.enabled()) {
            return Optional.empty();
        }
        if (history.firstSeen().filter(first -> !first.isAfter(t)).isEmpty()) {
            return notSeenYet(model, history).nextChangeAt();
        }
        Outcome[] outcomes = evaluateAll(model, history, t);
        return nextChange(model, history, candidates(model, history, t), outcomes, total(model, outcomes));
    }

    /**
     * A contact never seen, or whose events are all dated after {@code t}: no event counts yet, so
     * the score is 0 (a field rule with {@code neq} or a total minimum must not give points to a
     * contact nothing happened to). It changes when its first event takes effect, if that changes it.
     */
    private static Score notSeenYet(ScoringModel model, ContactHistory history) {
        Optional<Instant> next = history.firstSeen().flatMap(first -> {
            Score then = score(model, history, first);
            return then.score() != 0 ? Optional.of(first) : then.nextChangeAt();
        });
        return new Score(true, 0, 0, 0, 0, 0, model.rangeOf(0), List.of(), next);
    }

    /** What one rule gives at {@code t}, and how many activities or tags matched. */
    record Outcome(long points, int matches) {
        static final Outcome NONE = new Outcome(0, 0);
    }

    static Outcome evaluate(Rule rule, ContactHistory history, Instant t) {
        Criterion criterion = rule.criterion();
        if (criterion instanceof Criterion.Tag tag) {
            return tagOutcome(rule, tag, history, t);
        }
        if (criterion instanceof Criterion.Activity activity) {
            return activityOutcome(rule, activity, history, t);
        }
        if (criterion instanceof Criterion.Field field) {
            return field.predicate().testValue(history.fieldAt(field.field(), t))
                    ? new Outcome(rule.points(), 1) : Outcome.NONE;
        }
        return inactivityOutcome(rule, (Criterion.Inactivity) criterion, history, t);
    }

    private static Outcome tagOutcome(Rule rule, Criterion.Tag tag, ContactHistory history, Instant t) {
        int held = 0;
        for (String name : tag.anyOf()) {
            Optional<Instant> appliedAt = history.tagAppliedAt(name, t);
            if (appliedAt.isPresent() && isLive(appliedAt.get(), rule, t)) {
                held++;
            }
        }
        return held > 0 ? new Outcome(rule.points(), held) : Outcome.NONE;
    }

    private static Outcome activityOutcome(Rule rule, Criterion.Activity activity, ContactHistory history, Instant t) {
        int live = 0;
        for (ActivityRecord a : history.activities(activity.activity())) {
            if (a.occurredAt().isAfter(t)) {
                break;
            }
            if (isLive(a.occurredAt(), rule, t) && activity.matches(a)) {
                live++;
            }
        }
        if (live == 0) {
            return Outcome.NONE;
        }
        if (rule.count() == CountMode.ONCE) {
            return new Outcome(rule.points(), live);
        }
        long points = (long) rule.points() * live;
        if (rule.maxPoints().isPresent()) {
            long max = rule.maxPoints().get();
            points = Math.max(-max, Math.min(max, points));
        }
        return new Outcome(points, live);
    }

    private static Outcome inactivityOutcome(Rule rule, Criterion.Inactivity inactivity, ContactHistory history,
                                             Instant t) {
        Instant windowStart = t.minus(inactivity.forDuration().length());
        boolean knownLongEnough = history.firstSeen().filter(f -> !f.isAfter(windowStart)).isPresent();
        if (!knownLongEnough) {
            return Outcome.NONE;
        }
        for (ActivityRecord a : history.activities(inactivity.activity())) {
            if (a.occurredAt().isAfter(t)) {
                break;
            }
            if (a.occurredAt().isAfter(windowStart) && inactivity.matches(a)) {
                return Outcome.NONE;
            }
        }
        return new Outcome(rule.points(), 0);
    }

    /** An activity or tag dated {@code at} still counts at {@code t}: live on {@code [at, at + expiresAfter)}. */
    private static boolean isLive(Instant at, Rule rule, Instant t) {
        return rule.expiresAfter().map(e -> t.isBefore(at.plus(e.length()))).orElse(true);
    }

    /** Every rule's outcome at {@code t}, in the model's order. */
    private static Outcome[] evaluateAll(ScoringModel model, ContactHistory history, Instant t) {
        Outcome[] outcomes = new Outcome[model.rules().size()];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = evaluate(model.rules().get(i), history, t);
        }
        return outcomes;
    }

    private static long categoryTotal(ScoringModel model, Outcome[] outcomes, Category category) {
        long sum = 0;
        for (int i = 0; i < outcomes.length; i++) {
            if (model.rules().get(i).category() == category) {
                sum += outcomes[i].points();
            }
        }
        Limits limits = model.limits();
        return (category == Category.FIT ? limits.fit() : limits.engagement()).clamp(sum);
    }

    private static long total(ScoringModel model, Outcome[] outcomes) {
        return model.limits().total().clamp(
                categoryTotal(model, outcomes, Category.FIT) + categoryTotal(model, outcomes, Category.ENGAGEMENT));
    }

    /**
     * The first candidate instant after {@code t} at which the total differs from {@code total}.
     * A rule's outcome changes only at its own candidates, so at each candidate only the rules
     * it belongs to are evaluated again.
     */
    private static Optional<Instant> nextChange(ScoringModel model, ContactHistory history,
                                                TreeMap<Instant, List<Integer>> rulesAt, Outcome[] atT, long total) {
        Outcome[] outcomes = atT.clone();
        for (Map.Entry<Instant, List<Integer>> c : rulesAt.entrySet()) {
            for (int i : c.getValue()) {
                outcomes[i] = evaluate(model.rules().get(i), history, c.getKey());
            }
            if (total(model, outcomes) != total) {
                return Optional.of(c.getKey());
            }
        }
        return Optional.empty();
    }

    /** Every rule's candidate instants after {@code t}: by instant, the indexes of the rules it belongs to. */
    private static TreeMap<Instant, List<Integer>> candidates(ScoringModel model, ContactHistory history, Instant t) {
        TreeMap<Instant, List<Integer>> rulesAt = new TreeMap<>();
        for (int i = 0; i < model.rules().size(); i++) {
            TreeSet<Instant> own = new TreeSet<>();
            addCandidates(model.rules().get(i), history, t, own);
            for (Instant c : own) {
                rulesAt.computeIfAbsent(c, k -> new ArrayList<>(2)).add(i);
            }
        }
        return rulesAt;
    }

    /** The first candidate instant after {@code t} at which this rule gives nothing. */
    private static Optional<Instant> zeroFrom(Rule rule, ContactHistory history, Instant t) {
        TreeSet<Instant> candidates = new TreeSet<>();
        addCandidates(rule, history, t, candidates);
        for (Instant c : candidates) {
            if (evaluate(rule, history, c).points() == 0) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The instants after {@code t} at which something this rule looks at takes effect or runs out. */
    private static void addCandidates(Rule rule, ContactHistory history, Instant t, TreeSet<Instant> out) {
        Criterion criterion = rule.criterion();
        if (criterion instanceof Criterion.Tag tag) {
            for (String name : tag.anyOf()) {
                for (ContactHistory.TagChange change : history.tagChanges(name)) {
                    addAfter(change.at(), t, out);
                    if (change.applied()) {
                        rule.expiresAfter().ifPresent(e -> addAfter(change.at().plus(e.length()), t, out));
                    }
                }
            }
        } else if (criterion instanceof Criterion.Activity activity) {
            Duration reach = rule.expiresAfter().map(IsoDuration::length).orElse(Duration.ZERO);
            List<ActivityRecord> activities = history.activities(activity.activity());
            // Sorted by occurrence: only the latest can still take effect or run out after t.
            for (int i = activities.size() - 1; i >= 0; i--) {
                ActivityRecord a = activities.get(i);
                if (!a.occurredAt().plus(reach).isAfter(t)) {
                    break;
                }
                if (activity.matches(a)) {
                    addAfter(a.occurredAt(), t, out);
                    rule.expiresAfter().ifPresent(e -> addAfter(a.occurredAt().plus(e.length()), t, out));
                }
            }
        } else if (criterion instanceof Criterion.Field field) {
            for (ContactHistory.FieldChange change : history.fieldChanges(field.field())) {
                addAfter(change.at(), t, out);
            }
        } else if (criterion instanceof Criterion.Inactivity inactivity) {
            Duration length = inactivity.forDuration().length();
            history.firstSeen().ifPresent(f -> addAfter(f.plus(length), t, out));
            List<ActivityRecord> activities = history.activities(inactivity.activity());
            for (int i = activities.size() - 1; i >= 0; i--) {
                ActivityRecord a = activities.get(i);
                if (!a.occurredAt().plus(length).isAfter(t)) {
                    break;
                }
                if (inactivity.matches(a)) {
                    addAfter(a.occurredAt(), t, out);
                    addAfter(a.occurredAt().plus(length), t, out);
                }
            }
        }
    }

    private static void addAfter(Instant candidate, Instant t, TreeSet<Instant> out) {
        if (candidate.isAfter(t)) {
            out.add(candidate);
        }
    }
}

package io.leadflame.scoring;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
        long tn = Instants.nanos(t);
        if (notSeenAt(history, tn)) {
            // Nothing counts before the first event takes effect.
            return new Stable(notSeenYet(model, history), history.firstSeen());
        }
        Outcome[] outcomes = evaluateAll(model, history, t, tn);
        Candidates candidates = candidates(model, history, t, tn);
        List<Contribution> breakdown = new ArrayList<>();
        for (int i = 0; i < outcomes.length; i++) {
            Rule rule = model.rules().get(i);
            if (outcomes[i].points() != 0) {
                breakdown.add(new Contribution(rule.id(), rule.name(), rule.category(), outcomes[i].points(),
                        outcomes[i].matches(), zeroFrom(rule, i, history, candidates)));
            }
        }
        long fit = categoryTotal(model, outcomes, Category.FIT);
        long engagement = categoryTotal(model, outcomes, Category.ENGAGEMENT);
        long total = model.limits().total().clamp(fit + engagement);
        Score score = new Score(true, total, fit, engagement,
                Score.percentOf(total, model.idealScore()), Score.flamesOf(total, model.idealScore()),
                model.rangeOf(total), breakdown, nextChange(model, history, candidates, outcomes, total));
        return new Stable(score, candidates.size() == 0 ? Optional.empty() : Optional.of(candidates.instant(0)));
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
        long tn = Instants.nanos(t);
        if (notSeenAt(history, tn)) {
            return notSeenYet(model, history).nextChangeAt();
        }
        Outcome[] outcomes = evaluateAll(model, history, t, tn);
        return nextChange(model, history, candidates(model, history, t, tn), outcomes, total(model, outcomes));
    }

    /** Whether no event of the contact has taken effect at {@code tn}. */
    private static boolean notSeenAt(ContactHistory history, long tn) {
        return history.isEmpty() || history.firstSeenNanos() > tn;
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
        return evaluate(rule, history, t, Instants.nanos(t));
    }

    /**
     * {@code tn} is {@code t} in epoch nanoseconds ({@link Instants#nanos}, saturated outside
     * its range): every recorded instant compares with it as with {@code t}. Sums of a recorded
     * instant and a duration are compared by {@link #endsAfter}, exactly.
     */
    private static Outcome evaluate(Rule rule, ContactHistory history, Instant t, long tn) {
        Criterion criterion = rule.criterion();
        if (criterion instanceof Criterion.Tag tag) {
            return tagOutcome(rule, tag, history, t, tn);
        }
        if (criterion instanceof Criterion.Activity activity) {
            return activityOutcome(rule, activity, history, t, tn);
        }
        if (criterion instanceof Criterion.Field field) {
            return field.predicate().testValue(history.fieldAtNanos(field.field(), tn))
                    ? new Outcome(rule.points(), 1) : Outcome.NONE;
        }
        return inactivityOutcome(rule, (Criterion.Inactivity) criterion, history, t, tn);
    }

    private static Outcome tagOutcome(Rule rule, Criterion.Tag tag, ContactHistory history, Instant t, long tn) {
        int held = 0;
        long best = 0;
        List<String> names = tag.anyOf();
        for (int n = 0; n < names.size(); n++) {
            long appliedAt = history.tagHeldSinceNanos(names.get(n), tn);
            if (appliedAt != Long.MIN_VALUE && isLive(appliedAt, rule, t, tn)) {
                // Faded by its own age under a decay: a tag held longer gives less; the freshest counts.
                long value = rule.pointsAtAge(Instants.between(appliedAt, tn));
                if (value != 0) {
                    held++;
                    best = Math.abs(value) > Math.abs(best) ? value : best;
                }
            }
        }
        return held > 0 ? new Outcome(best, held) : Outcome.NONE;
    }

    private static Outcome activityOutcome(Rule rule, Criterion.Activity activity, ContactHistory history,
                                           Instant t, long tn) {
        int live = 0;
        // Under a decay each match gives its own faded points: the sum for each, the freshest for once.
        long sum = 0;
        long best = 0;
        for (int i = history.activityStart(activity.activity()), end = history.activityEnd(activity.activity());
             i < end; i++) {
            long at = history.activityTime(i);
            if (at > tn) {
                break;
            }
            if (isLive(at, rule, t, tn) && activity.matches(history.activityAttributes(i))) {
                long value = rule.pointsAtAge(Instants.between(at, tn));
                if (value != 0) {
                    live++;
                    sum += value;
                    best = Math.abs(value) > Math.abs(best) ? value : best;
                }
            }
        }
        if (live == 0) {
            return Outcome.NONE;
        }
        if (rule.count() == CountMode.ONCE) {
            return new Outcome(best, live);
        }
        long points = sum;
        if (rule.maxPoints().isPresent()) {
            long max = rule.maxPoints().get();
            points = Math.max(-max, Math.min(max, points));
        }
        return new Outcome(points, live);
    }

    private static Outcome inactivityOutcome(Rule rule, Criterion.Inactivity inactivity, ContactHistory history,
                                             Instant t, long tn) {
        Duration length = inactivity.forDuration().length();
        // Known for long enough: first seen at or before t - for, i.e. not (firstSeen + for > t).
        if (history.isEmpty() || endsAfter(history.firstSeenNanos(), length, t, tn)) {
            return Outcome.NONE;
        }
        for (int i = history.activityStart(inactivity.activity()), end = history.activityEnd(inactivity.activity());
             i < end; i++) {
            long at = history.activityTime(i);
            if (at > tn) {
                break;
            }
            // In the window (t - for, t]: at + for > t.
            if (endsAfter(at, length, t, tn) && inactivity.matches(history.activityAttributes(i))) {
                return Outcome.NONE;
            }
        }
        return new Outcome(rule.points(), 0);
    }

    /** An activity or tag dated {@code at} still counts at {@code t}: live on {@code [at, at + expiresAfter)}. */
    private static boolean isLive(long at, Rule rule, Instant t, long tn) {
        return rule.expiresAfter().isEmpty() || endsAfter(at, rule.expiresAfter().get().length(), t, tn);
    }

    /** The longest duration whose nanoseconds fit a {@code long}, in seconds. */
    private static final long MAX_NANOS_SECONDS = Long.MAX_VALUE / 1_000_000_000L - 1;

    /**
     * Whether {@code at + length} is after {@code t}, exactly: in nanoseconds when {@code t} is
     * within {@link Instants}' range (a sum past it is past {@code t} too), with {@code Instant}s
     * otherwise (a projection centuries ahead, a duration of centuries).
     */
    static boolean endsAfter(long at, Duration length, Instant t, long tn) {
        if (length.getSeconds() < MAX_NANOS_SECONDS && tn != Long.MAX_VALUE && tn != Long.MIN_VALUE + 1) {
            long nanos = length.toNanos();
            return at > Long.MAX_VALUE - nanos || at + nanos > tn;
        }
        return Instants.ofNanos(at).plus(length).isAfter(t);
    }

    /** Every rule's outcome at {@code t}, in the model's order. */
    private static Outcome[] evaluateAll(ScoringModel model, ContactHistory history, Instant t, long tn) {
        Outcome[] outcomes = new Outcome[model.rules().size()];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = evaluate(model.rules().get(i), history, t, tn);
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
    private static Optional<Instant> nextChange(ScoringModel model, ContactHistory history, Candidates candidates,
                                                Outcome[] atT, long total) {
        Outcome[] outcomes = atT.clone();
        int k = 0;
        while (k < candidates.size()) {
            Instant at = candidates.instant(k);
            // The candidates of one instant come in the order of their rules: a rule repeated
            // at an instant is next to itself.
            int evaluated = -1;
            int next = k;
            for (; next < candidates.size() && candidates.sameInstant(k, next); next++) {
                int rule = candidates.rule(next);
                if (rule != evaluated) {
                    outcomes[rule] = evaluate(model.rules().get(rule), history, at);
                    evaluated = rule;
                }
            }
            if (total(model, outcomes) != total) {
                return Optional.of(at);
            }
            k = next;
        }
        return Optional.empty();
    }

    /** Every rule's candidate instants after {@code t}, in order of instant. */
    private static Candidates candidates(ScoringModel model, ContactHistory history, Instant t, long tn) {
        Candidates candidates = new Candidates();
        for (int i = 0; i < model.rules().size(); i++) {
            addCandidates(model.rules().get(i), i, history, t, tn, candidates);
        }
        candidates.sort();
        return candidates;
    }

    /** The first candidate instant of rule {@code index} at which it gives nothing. */
    private static Optional<Instant> zeroFrom(Rule rule, int index, ContactHistory history, Candidates candidates) {
        int previous = -1;
        for (int k = 0; k < candidates.size(); k++) {
            if (candidates.rule(k) != index) {
                continue;
            }
            if (previous < 0 || !candidates.sameInstant(previous, k)) {
                Instant at = candidates.instant(k);
                if (evaluate(rule, history, at).points() == 0) {
                    return Optional.of(at);
                }
            }
            previous = k;
        }
        return Optional.empty();
    }

    /**
     * The instants after {@code t} at which something this rule looks at takes effect or runs
     * out, in no particular order and possibly repeated, as candidates of rule {@code index}.
     */
    private static void addCandidates(Rule rule, int index, ContactHistory history, Instant t, long tn,
                                      Candidates out) {
        Criterion criterion = rule.criterion();
        Duration expiresAfter = rule.expiresAfter().isPresent() ? rule.expiresAfter().get().length() : null;
        if (criterion instanceof Criterion.Tag tag) {
            List<String> names = tag.anyOf();
            for (int i = 0; i < history.tagCount(); i++) {
                if (names.contains(history.tagName(i))) {
                    long at = history.tagTime(i);
                    out.addAfter(at, tn, index);
                    if (history.tagApplied(i) && expiresAfter != null) {
                        out.addAfter(at, expiresAfter, t, tn, index);
                    }
                    if (history.tagApplied(i)) {
                        addDecaySteps(rule, at, tn, index, out);
                    }
                }
            }
        } else if (criterion instanceof Criterion.Activity activity) {
            Duration reach = expiresAfter == null ? Duration.ZERO : expiresAfter;
            if (rule.decay().isPresent()) {
                // A faded match changes until its points reach zero, expiry or not.
                Duration fades = Duration.ofNanos(rule.decay().get().ageAtZero(rule.points()));
                reach = expiresAfter == null || fades.compareTo(expiresAfter) < 0 ? fades : expiresAfter;
            }
            // Sorted by occurrence: only the latest can still take effect or run out after t.
            for (int i = history.activityEnd(activity.activity()) - 1, first = history.activityStart(activity.activity());
                 i >= first; i--) {
                long at = history.activityTime(i);
                if (!endsAfter(at, reach, t, tn)) {
                    break;
                }
                if (activity.matches(history.activityAttributes(i))) {
                    out.addAfter(at, tn, index);
                    if (expiresAfter != null) {
                        out.addAfter(at, expiresAfter, t, tn, index);
                    }
                    addDecaySteps(rule, at, tn, index, out);
                }
            }
        } else if (criterion instanceof Criterion.Field field) {
            for (int i = 0; i < history.fieldCount(); i++) {
                ContactHistory.FieldChange change = history.field(i);
                if (change.field().equals(field.field())) {
                    out.addAfter(change.atNanos(), tn, index);
                }
            }
        } else if (criterion instanceof Criterion.Inactivity inactivity) {
            Duration length = inactivity.forDuration().length();
            if (!history.isEmpty()) {
                out.addAfter(history.firstSeenNanos(), length, t, tn, index);
            }
            for (int i = history.activityEnd(inactivity.activity()) - 1,
                 first = history.activityStart(inactivity.activity()); i >= first; i--) {
                long at = history.activityTime(i);
                if (!endsAfter(at, length, t, tn)) {
                    break;
                }
                if (inactivity.matches(history.activityAttributes(i))) {
                    out.addAfter(at, tn, index);
                    out.addAfter(at, length, t, tn, index);
                }
            }
        }
    }

    /**
     * Under a decay, the instants after {@code t} at which what took effect at {@code at} loses a
     * whole point (down to zero): one per point still held, each exact ({@link Decay#ageAtMost}).
     * Steps after an expiry are harmless candidates (the rule is evaluated there and gives nothing).
     */
    private static void addDecaySteps(Rule rule, long at, long tn, int index, Candidates out) {
        if (rule.decay().isEmpty()) {
            return;
        }
        Decay decay = rule.decay().get();
        int points = rule.points();
        long[] steps = decay.steps(points);
        long held = at > tn ? Math.abs(points) : Math.abs(decay.value(points, Instants.between(at, tn)));
        for (int k = (int) held - 1; k >= 0; k--) {
            long step = steps[k];
            if (at > Long.MAX_VALUE - step) {
                return;
            }
            out.addAfter(at + step, tn, index);
        }
    }
}

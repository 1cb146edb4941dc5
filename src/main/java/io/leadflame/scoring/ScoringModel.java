package io.leadflame.scoring;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A tenant's rule definitions: the rules, the score that counts as ideal (5 flames), the named
 * ranges and the limits, and how contacts roll up into accounts if they do. Versioning is the
 * business of whoever stores the model.
 */
public record ScoringModel(boolean enabled, int idealScore, List<ScoreRange> ranges, Limits limits, List<Rule> rules,
                           Optional<AccountRollup> accounts) {

    /** The model of a tenant that never set one: enabled, ideal score 100, no rules. */
    public static final ScoringModel DEFAULT = new ScoringModel(true, 100, List.of(), Limits.NONE, List.of());

    /** A model whose contacts do not roll up into accounts. */
    public ScoringModel(boolean enabled, int idealScore, List<ScoreRange> ranges, Limits limits, List<Rule> rules) {
        this(enabled, idealScore, ranges, limits, rules, Optional.empty());
    }

    public ScoringModel {
        if (idealScore < 1) {
            throw new IllegalArgumentException("idealScore must be positive");
        }
        ranges = ranges.stream().sorted(Comparator.comparingLong(ScoreRange::min)).toList();
        rules = List.copyOf(rules);
    }

    /** The range with the greatest {@code min <= score}, if any. */
    public Optional<ScoreRange> rangeOf(long score) {
        ScoreRange found = null;
        for (ScoreRange r : ranges) {
            if (r.min() <= score) {
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }
}

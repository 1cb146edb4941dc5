package io.leadflame.leads;

/**
 * The filters of the call list. {@code scanFloor} is the lowest score a passing lead can have
 * under the tenant's current model (from {@code minScore}, {@code minFlames} and the range's
 * minimum): the leads are in descending score order, so the scan ends below it.
 *
 * @param minFlames 0 for any
 * @param range     a range name, or null for any
 * @param minScore  {@link Long#MIN_VALUE} for any
 */
public record LeadFilter(int minFlames, String range, long minScore, long scanFloor) {

    public static final LeadFilter NONE = new LeadFilter(0, null, Long.MIN_VALUE, Long.MIN_VALUE);

    public boolean accepts(Lead lead) {
        return lead.flames() >= minFlames && lead.score() >= minScore && (range == null || range.equals(lead.range()));
    }

    public boolean isPast(Lead lead) {
        return lead.score() < scanFloor;
    }
}

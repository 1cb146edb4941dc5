package io.leadflame.leads;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The call-list order of one node's contacts, kept current by replacing each contact's lead. */
class LeadIndexTest {

    private final LeadIndex index = new LeadIndex();

    private static Lead lead(String tenant, String contactId, long score) {
        return new Lead(tenant + "/" + contactId, tenant.length(), score, (int) score * 5, (int) Math.min(5, score / 4),
                score >= 15 ? "hot" : "cold", 0, List.of(), null);
    }

    private void replace(Lead previous, Lead current) {
        index.replace((current != null ? current : previous).tenant(), previous, current);
    }

    private static List<String> ids(List<Lead> leads) {
        return leads.stream().map(Lead::contactId).toList();
    }

    @Test
    void ordersByScoreDescendingThenContactIdAndKeepsTenantsApart() {
        replace(null, lead("acme", "c-2", 10));
        replace(null, lead("acme", "c-1", 10));
        replace(null, lead("acme", "c-3", 20));
        replace(null, lead("other", "c-9", 99));
        assertEquals(List.of("c-3", "c-1", "c-2"), ids(index.page("acme", null, 10, l -> true, l -> false)));
        assertEquals(List.of("c-9"), ids(index.page("other", null, 10, l -> true, l -> false)));
        assertEquals(List.of(), index.page("nobody", null, 10, l -> true, l -> false));
    }

    @Test
    void aContactReplacesItsLeadAndLeavesWithoutATrace() {
        Lead first = lead("acme", "c-1", 5);
        replace(null, first);
        replace(null, lead("acme", "c-2", 8));
        Lead moved = lead("acme", "c-1", 12);
        replace(first, moved);
        assertEquals(List.of("c-1", "c-2"), ids(index.page("acme", null, 10, l -> true, l -> false)));
        assertEquals(12, index.page("acme", null, 1, l -> true, l -> false).get(0).score());
        replace(moved, null);
        assertEquals(List.of("c-2"), ids(index.page("acme", null, 10, l -> true, l -> false)));
    }

    @Test
    void pagesFollowEachOtherWithoutGapOrRepeatWhileScoresChange() {
        Random random = new Random(7);
        List<Lead> current = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Lead l = lead("acme", String.format("c-%03d", i), random.nextInt(30));
            current.add(l);
            replace(null, l);
        }
        List<Lead> expected = new ArrayList<>(current);
        expected.sort(LeadIndex.ORDER);
        List<String> seen = new ArrayList<>();
        LeadIndex.Cursor after = null;
        while (true) {
            List<Lead> page = index.page("acme", after, 37, l -> true, l -> false);
            if (page.isEmpty()) {
                break;
            }
            seen.addAll(ids(page));
            Lead last = page.get(page.size() - 1);
            after = new LeadIndex.Cursor(last.score(), last.contactId());
        }
        assertEquals(ids(expected), seen);
    }

    @Test
    void aLeadThatKeepsItsScoreIsSwappedInPlaceAndOneThatMovesLeavesNoCopyBehind() {
        Lead lead = lead("acme", "c-1", 5);
        replace(null, lead);
        replace(null, lead("acme", "c-2", 5));
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            Lead next = new Lead(lead.entityId(), lead.tenantLength(), random.nextInt(4) == 0 ? lead.score()
                    : random.nextInt(10), i, 0, null, i, List.of(), null);
            replace(lead, next);
            lead = next;
        }
        List<Lead> all = new ArrayList<>();
        index.all("acme").forEach(all::add);
        assertEquals(2, all.size(), "one lead per contact, whatever its moves: " + all);
        assertTrue(all.contains(lead), "the contact's latest lead");
        List<Lead> expected = new ArrayList<>(all);
        expected.sort(LeadIndex.ORDER);
        assertEquals(expected, all, "all() in call-list order");
    }

    @Test
    void aStoppingIncarnationTakesOutOnlyItsOwnLead() {
        // A contact stopping (hand-off) while its next incarnation already placed its lead under
        // the same score: the old one's removal must not take the new one's lead with it.
        Lead old = new Lead("acme/c-1", 4, 7, 0, 0, null, 1, List.of(), null);
        Lead renewed = new Lead("acme/c-1", 4, 7, 0, 0, null, 2, List.of(), null);
        replace(null, old);
        replace(null, renewed);
        replace(old, null);
        assertEquals(List.of(renewed), index.page("acme", null, 10, l -> true, l -> false));
    }

    @Test
    void aCursorWhoseScoreNoLeadHasAnyMoreStillContinuesBelowIt() {
        Lead gone = lead("acme", "c-5", 20);
        replace(null, gone);
        replace(null, lead("acme", "c-1", 30));
        replace(null, lead("acme", "c-9", 10));
        replace(gone, null);
        assertEquals(List.of("c-9"), ids(index.page("acme", new LeadIndex.Cursor(20, "c-5"), 10, l -> true, l -> false)));
        assertEquals(List.of("c-9"), ids(index.page("acme", new LeadIndex.Cursor(25, "c-0"), 10, l -> true, l -> false)));
        assertEquals(List.of(), ids(index.page("acme", new LeadIndex.Cursor(10, "c-9"), 10, l -> true, l -> false)));
    }

    @Test
    void filtersAndStopsAtTheBound() {
        for (int i = 0; i < 20; i++) {
            replace(null, lead("acme", "c-" + (char) ('a' + i), i));
        }
        List<Lead> hot = index.page("acme", null, 100, l -> "hot".equals(l.range()), l -> false);
        assertEquals(5, hot.size());
        assertTrue(hot.stream().allMatch(l -> l.score() >= 15));
        List<String> scanned = new ArrayList<>();
        List<Lead> atLeast10 = index.page("acme", null, 100, l -> {
            scanned.add(l.contactId());
            return true;
        }, l -> l.score() < 10);
        assertEquals(10, atLeast10.size());
        assertEquals(10, scanned.size(), "the scan ends at the first lead below the bound");
    }
}

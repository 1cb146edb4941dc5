package io.leadflame.leads;

import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A contact and its node's rescoring both place leads through the contact's standing: the
 * rescoring's lead, computed from the history it read, stands only if nothing newer has
 * replaced that lead meanwhile, so the index holds one lead per contact, the newest history's.
 */
class StandingTest {

    private static final String TENANT = "acme";
    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    private final LeadIndex index = new LeadIndex();
    private final Standing standing = new Standing(null);

    private Lead lead(long score, ContactHistory history) {
        return new Lead(TENANT + "/c-1", TENANT.length(), score, 0, 0, null, 0, List.of(), history, standing);
    }

    private static ContactHistory history(String... tags) {
        ContactHistory h = ContactHistory.EMPTY;
        for (String tag : tags) {
            h = h.record(ContactEvent.tagApplied(null, AT, tag), AT, HistoryLimits.DEFAULT);
        }
        return h;
    }

    private List<Lead> indexed() {
        List<Lead> all = new ArrayList<>();
        index.all(TENANT).forEach(all::add);
        return all;
    }

    @Test
    void aRescoringPlacesItsLeadWhenTheLeadItReadStillStands() {
        Lead read = lead(5, history("vip"));
        standing.place(TENANT, read, 1, index::replace);

        assertTrue(standing.rescored(TENANT, read, lead(9, read.history()), 2, index::replace));
        assertEquals(9, standing.lead().score());
        assertEquals(2, standing.scoredVersion());
        assertEquals(List.of(standing.lead()), indexed());
    }

    @Test
    void aContactsNewerHistoryWinsOverARescoringOfItsOlderOne() {
        Lead read = lead(5, history("vip"));
        standing.place(TENANT, read, 1, index::replace);
        // An event came while the rescoring scored the history it read.
        Lead newer = lead(7, history("vip", "webinar"));
        standing.place(TENANT, newer, 2, index::replace);

        assertFalse(standing.rescored(TENANT, read, lead(9, read.history()), 2, index::replace));
        assertSame(newer, standing.lead());
        assertEquals(List.of(newer), indexed(), "one lead, the newer history's");
    }

    @Test
    void aRescoringNeverReplacesALeadScoredUnderItsVersionOrANewerOne() {
        Lead read = lead(5, history("vip"));
        standing.place(TENANT, read, 3, index::replace);

        assertFalse(standing.rescored(TENANT, read, lead(9, read.history()), 2, index::replace));
        assertSame(read, standing.lead());
    }

    @Test
    void aProvisionalContactIsLeftToRescoreItself() {
        Lead read = lead(5, history("vip"));
        standing.place(TENANT, read, Standing.PROVISIONAL, index::replace);

        assertFalse(standing.rescored(TENANT, read, lead(9, read.history()), 2, index::replace));
        assertSame(read, standing.lead());
    }

    @Test
    void aStoppedContactHasNoLeadToReplace() {
        Lead read = lead(5, history("vip"));
        standing.place(TENANT, read, 1, index::replace);
        standing.place(TENANT, null, 1, index::replace);

        assertFalse(standing.rescored(TENANT, read, lead(9, read.history()), 2, index::replace));
        assertEquals(List.of(), indexed(), "nothing brought back");
    }

    @Test
    void aJobCountsAContactOnceUnderTheFirstNumberItReached() {
        assertTrue(standing.countIn(7, 10));
        assertFalse(standing.countIn(7, 900), "listed twice");
        assertTrue(standing.countIn(7, 10), "the same request, resent");
        assertTrue(standing.countIn(8, 900), "another job");
    }
}

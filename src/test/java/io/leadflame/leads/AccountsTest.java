package io.leadflame.leads;

import io.leadflame.scoring.AccountRollup;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.Score;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contacts rolled up into accounts: added up per node, merged, scored by the tenant's choice, paged. */
class AccountsTest {

    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

    private static Lead lead(String contactId, long score, Object company) {
        ContactHistory h = ContactHistory.EMPTY;
        Map<String, Object> fields = new java.util.HashMap<>();
        fields.put("company", company);
        h = h.record(ContactEvent.fieldsUpdated("f-" + contactId, NOW.minusSeconds(60), fields), NOW, HistoryLimits.DEFAULT);
        Score s = new Score(true, score, 0, score, 0, 0, Optional.empty(), List.of(), Optional.empty());
        return Lead.of("acme", "acme/" + contactId, s, h);
    }

    /** Two nodes' leads: Acme's contacts on both, Globex's on one, and contacts in no account. */
    private static List<Accounts.Parts> twoNodes(int keep) {
        List<Lead> one = List.of(lead("a1", 10, "Acme"), lead("a2", 4, " Acme "), lead("g1", 7, "Globex"),
                lead("n1", 50, null), lead("n2", 40, ""));
        List<Lead> two = List.of(lead("a3", 9, "Acme"), lead("a4", 1, "Acme"), lead("g2", 8, "Globex"),
                lead("i1", 3, 42L));
        return List.of(Accounts.tally(one, "company", keep, NOW, Long.MAX_VALUE),
                Accounts.tally(two, "company", keep, NOW, Long.MAX_VALUE));
    }

    private static List<String> names(List<Accounts.Account> accounts) {
        List<String> names = new ArrayList<>();
        accounts.forEach(a -> names.add(a.account() + "=" + a.score() + "/" + a.contacts()));
        return names;
    }

    @Test
    void sumMaxAndTopAverageOverEveryNodesContacts() {
        assertEquals(List.of("Acme=24/4", "Globex=15/2", "42=3/1"),
                names(Accounts.merge(twoNodes(3), new AccountRollup("company", AccountRollup.Mode.SUM, 3))));
        assertEquals(List.of("Acme=10/4", "Globex=8/2", "42=3/1"),
                names(Accounts.merge(twoNodes(3), new AccountRollup("company", AccountRollup.Mode.MAX, 3))));
        // Acme's two highest: (10 + 9) / 2 = 9; Globex (8 + 7) / 2 = 7; 42 has one contact: 3.
        assertEquals(List.of("Acme=9/4", "Globex=7/2", "42=3/1"),
                names(Accounts.merge(twoNodes(2), new AccountRollup("company", AccountRollup.Mode.TOP_AVERAGE, 2))));
    }

    @Test
    void anAccountNamesItsHottestContactsAcrossNodes() {
        Accounts.Account acme = Accounts.merge(twoNodes(3), new AccountRollup("company", AccountRollup.Mode.SUM, 3))
                .get(0);
        assertEquals(List.of(new Accounts.Member("a1", 10), new Accounts.Member("a3", 9), new Accounts.Member("a2", 4)),
                acme.hottest());
    }

    @Test
    void pagesFollowTheOrderAndTheirCursorRoundTrips() {
        List<Accounts.Account> all = Accounts.merge(twoNodes(3), new AccountRollup("company", AccountRollup.Mode.SUM, 3));
        List<Accounts.Account> first = Accounts.page(all, null, 2);
        assertEquals(3, first.size(), "one more than asked: there is a next page");
        Accounts.After after = Accounts.After.decode(new Accounts.After(first.get(1).score(), first.get(1).account())
                .encode()).orElseThrow();
        assertEquals(List.of("42=3/1"), names(Accounts.page(all, after, 2)));
        assertTrue(Accounts.After.decode("not a cursor").isEmpty());
        assertFalse(Accounts.After.decode(new Accounts.After(5, "Acme: Inc.").encode()).isEmpty(),
                "an account name may hold a colon");
        assertEquals("Acme: Inc.", Accounts.After.decode(new Accounts.After(5, "Acme: Inc.").encode()).get().account());
    }

    @Test
    void anAnswerToAnotherNodeKeepsItsHottestAccountsWithinItsBudgetAndSaysItIsPartial() {
        List<Lead> leads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            leads.add(lead("c" + i, i, "account-" + i));
        }
        Accounts.Parts whole = Accounts.tally(leads, "company", 3, NOW, Long.MAX_VALUE);
        assertEquals(50, whole.parts().size());
        assertFalse(whole.truncated());
        Accounts.Parts budgeted = Accounts.tally(leads, "company", 3, NOW, 1_000);
        assertTrue(budgeted.truncated());
        assertTrue(budgeted.parts().size() < 50 && !budgeted.parts().isEmpty(), budgeted.toString());
        assertEquals("account-49", budgeted.parts().get(0).account(), "the hottest are kept");
    }

    @Test
    void aContactWithoutTheFieldIsInNoAccount() {
        assertNull(Accounts.accountOf(lead("x", 1, null), "company", NOW));
        assertNull(Accounts.accountOf(lead("x", 1, "  "), "company", NOW));
        assertEquals("42", Accounts.accountOf(lead("x", 1, 42L), "company", NOW));
        assertNull(Accounts.accountOf(lead("x", 1, "Acme"), "account_id", NOW));
    }
}

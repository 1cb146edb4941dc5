package io.leadflame.leads;

import io.leadflame.api.ModelJson;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.Scorer;
import io.leadflame.scoring.ScoringModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leads heating up fastest: by score change over the last 7 days, then score, then contact. */
class HeatingTest {

    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private static final ScoringModel MODEL;

    static {
        try {
            MODEL = ModelJson.read(new ObjectMapper().readTree("""
                    {"idealScore": 20, "rules": [{"id": "visit", "name": "Visits", "points": 2, "count": "each",
                      "criterion": {"type": "activity", "activity": "page_visited"}}]}""")).value().orElseThrow();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A contact with a visit at each of {@code daysAgo}. */
    private static Lead lead(String contactId, int... daysAgo) {
        ContactHistory h = ContactHistory.EMPTY;
        for (int i = 0; i < daysAgo.length; i++) {
            h = h.record(ContactEvent.activity(contactId + "-" + i, "page_visited",
                    NOW.minus(Duration.ofDays(daysAgo[i])), Map.of()), NOW, HistoryLimits.DEFAULT);
        }
        return Lead.of("acme", "acme/" + contactId, Scorer.score(MODEL, h, NOW), h);
    }

    private static List<String> ids(Heating.HeatingPage page) {
        return page.leads().stream().map(h -> h.lead().contactId() + "=" + h.velocity()).toList();
    }

    private final List<Lead> leads = List.of(lead("old", 20, 21, 22, 23), lead("fast", 1, 2, 3), lead("slow", 1),
            lead("tie", 0, 30));

    @Test
    void fastestFirstThenHottestThenByContact() {
        assertEquals(List.of("fast=6", "tie=2", "slow=2", "old=0"),
                ids(Heating.page(leads, MODEL, NOW, LeadFilter.NONE, Long.MIN_VALUE, null, 10)));
        assertEquals(List.of("fast=6"), ids(Heating.page(leads, MODEL, NOW, LeadFilter.NONE, 3, null, 10)));
    }

    @Test
    void aPageContinuesJustAfterTheLastOfTheOneBefore() {
        Heating.HeatingPage first = Heating.page(leads, MODEL, NOW, LeadFilter.NONE, Long.MIN_VALUE, null, 2);
        Heating.HeatingLead last = first.leads().get(1);
        Heating.After after = Heating.After.decode(new Heating.After(last.velocity(), last.lead().score(),
                last.lead().contactId()).encode()).orElseThrow();
        assertEquals(List.of("slow=2", "old=0"),
                ids(Heating.page(leads, MODEL, NOW, LeadFilter.NONE, Long.MIN_VALUE, after, 2)));
        assertTrue(Heating.After.decode("nonsense").isEmpty());
    }
}

package io.leadflame.leads;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.api.ModelJson;
import io.leadflame.model.StoredModel;
import io.leadflame.scoring.ContactEvent;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.Scorer;
import io.leadflame.scoring.ScoringModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A named score's page and distribution on one node, scored when asked: the same as if the
 * index held the leads scored under the named model, whatever the number of parallel chunks.
 */
class NamedScoresTest {

    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    /** The default score: visits. */
    private static final ScoringModel VISITS = model("""
            {"idealScore": 20, "rules": [{"id": "visit", "name": "Visits", "points": 1, "count": "each",
              "criterion": {"type": "activity", "activity": "page_visited"}}]}""");
    /** A named score: forms, in ranges. */
    private static final ScoringModel FORMS = model("""
            {"idealScore": 12, "ranges": [{"name": "cold", "min": 0, "color": "#00f"}, {"name": "hot", "min": 9, "color": "red"}],
             "rules": [{"id": "form", "name": "Forms", "points": 3, "count": "each", "maxPoints": 15,
              "criterion": {"type": "activity", "activity": "web_form_submitted"}}]}""");

    private static ScoringModel model(String json) {
        try {
            return ModelJson.read(new ObjectMapper().readTree(json)).value().orElseThrow();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** 7,000 contacts (three chunks of the parallel pass), each with a few visits and forms, in index order. */
    private static List<Lead> leads() {
        Random random = new Random(16);
        List<Lead> leads = new ArrayList<>();
        for (int c = 0; c < 7_000; c++) {
            ContactHistory h = ContactHistory.EMPTY;
            int visits = random.nextInt(6);
            int forms = random.nextInt(7);
            for (int i = 0; i < visits + forms; i++) {
                h = h.record(ContactEvent.activity("e-" + i, i < visits ? "page_visited" : "web_form_submitted",
                        NOW.minus(Duration.ofMinutes(i + 1)), Map.of()), NOW, HistoryLimits.DEFAULT);
            }
            leads.add(Lead.of("acme", "acme/c-" + c, Scorer.score(VISITS, h, NOW), h));
        }
        leads.sort(LeadIndex.ORDER);
        return leads;
    }

    @Test
    void aNamedScoresPagesAreTheIndexsPagesHadItScoredTheLeadsUnderItsModel() {
        List<Lead> leads = leads();
        UnaryOperator<Lead> forms = NamedScores.scoring(StoredModel.write(FORMS), NOW);
        LeadIndex asIfScored = new LeadIndex();
        leads.forEach(lead -> asIfScored.replace("acme", null, forms.apply(lead)));
        LeadFilter warm = new LeadFilter(2, null, Long.MIN_VALUE, Long.MIN_VALUE);

        for (LeadFilter filter : List.of(LeadFilter.NONE, warm, new LeadFilter(0, "hot", Long.MIN_VALUE, Long.MIN_VALUE))) {
            LeadIndex.Cursor after = null;
            int pages = 0;
            while (true) {
                List<Lead> page = NamedScores.page(leads, forms, after, 700, filter);
                List<Lead> expected = asIfScored.page("acme", after, 700, filter::accepts, lead -> false);
                assertEquals(expected.stream().map(l -> l.contactId() + "=" + l.score()).toList(),
                        page.stream().map(l -> l.contactId() + "=" + l.score()).toList(), "page " + pages);
                assertEquals(expected, page);
                if (page.size() < 700) {
                    break;
                }
                Lead last = page.get(page.size() - 1);
                after = new LeadIndex.Cursor(last.score(), last.contactId());
                pages++;
            }
            assertNotEquals(0, pages, "several pages of " + filter);
        }
    }

    @Test
    void aNamedScoresDistributionIsTheCountOfItsScoresAndTheDefaultIsTheIndexsOwn() {
        List<Lead> leads = leads();
        long[] bounds = CallListService.bucketBounds(FORMS.idealScore());
        UnaryOperator<Lead> forms = NamedScores.scoring(StoredModel.write(FORMS), NOW);
        List<Lead> scored = new ArrayList<>(leads.stream().map(forms).toList());
        Collections.shuffle(scored, new Random(1));
        assertEquals(LeadsReader.count(scored, bounds), NamedScores.count(leads, forms, bounds));
        assertEquals(LeadsReader.count(leads, bounds), NamedScores.count(leads, NamedScores.scoring(null, NOW), bounds));
        assertNotEquals(LeadsReader.count(leads, bounds), LeadsReader.count(scored, bounds));
    }
}

package io.leadflame.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.scoring.ScoringModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a reviewer sees changed between two versions of a model. */
class ModelDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ScoringModel model(String json) throws Exception {
        return ModelJson.read(JSON.readTree(json)).value().orElseThrow();
    }

    private static final String BEFORE = """
            {"idealScore": 40,
             "ranges": [{"name": "cold", "min": 0, "color": "navy"}],
             "rules": [
               {"id": "visit", "name": "Visits", "points": 1, "count": "each",
                "criterion": {"type": "activity", "activity": "page_visited"}},
               {"id": "demo", "name": "Demo", "points": 5, "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""";

    @Test
    void settingsWithBothValuesAndRulesAddedRemovedAndChangedById() throws Exception {
        String after = """
                {"idealScore": 40,
                 "ranges": [{"name": "cold", "min": 0, "color": "#888"}],
                 "rules": [
                   {"id": "trial", "name": "Trial", "category": "fit", "points": 3,
                    "criterion": {"type": "field", "field": "trial", "op": "eq", "value": true}},
                   {"id": "visit", "name": "Page visits", "points": 2, "count": "each", "expiresAfter": "P30D",
                    "criterion": {"type": "activity", "activity": "page_visited"}}]}""";
        JsonNode diff = JSON.readTree(ModelDiff.between(model(BEFORE), model(after)).toString());
        assertEquals(JSON.readTree("""
                {"settings": [{"name": "ranges", "from": [{"name": "cold", "min": 0, "color": "navy"}],
                                                 "to": [{"name": "cold", "min": 0, "color": "#888"}]}],
                 "rules": {"added": [{"id": "trial", "name": "Trial"}],
                           "removed": [{"id": "demo", "name": "Demo"}],
                           "changed": [{"id": "visit", "name": "Page visits",
                                        "fields": ["name", "points", "expiresAfter"]}]}}"""), diff);
    }

    @Test
    void theSameRulesInAnotherOrderAreNoChange() throws Exception {
        String reordered = """
                {"idealScore": 40,
                 "ranges": [{"name": "cold", "min": 0, "color": "navy"}],
                 "rules": [
                   {"id": "demo", "name": "Demo", "points": 5, "criterion": {"type": "tag", "anyOf": ["demo"]}},
                   {"id": "visit", "name": "Visits", "points": 1, "count": "each",
                    "criterion": {"type": "activity", "activity": "page_visited"}}]}""";
        JsonNode diff = JSON.readTree(ModelDiff.between(model(BEFORE), model(reordered)).toString());
        assertEquals(JSON.readTree("""
                {"settings": [], "rules": {"added": [], "removed": [], "changed": []}}"""), diff);
    }
}

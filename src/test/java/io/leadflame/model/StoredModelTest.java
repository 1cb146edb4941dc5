package io.leadflame.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.api.Json;
import io.leadflame.api.ModelJson;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.scoring.Validated;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stored form of models: what was accepted reads back the same, whatever the API's JSON does next. */
class StoredModelTest {

    /** Every part a model can have: ranges, all three limits, each criterion type, every kind of predicate value. */
    private static final String RICH = """
            {"enabled": false, "idealScore": 40,
             "ranges": [{"name": "cold", "min": -1000, "color": "#3366ff"}, {"name": "hot", "min": 30, "color": "#ff3300"}],
             "limits": {"fit": {"max": 20}, "engagement": {"min": -5, "max": 50}, "total": {"min": 0}},
             "accounts": {"field": "company", "score": "topAverage", "top": 4},
             "rules": [
               {"id": "vip", "name": "VIP tag", "category": "fit", "points": 10,
                "decay": {"type": "linear", "over": "P90D"},
                "criterion": {"type": "tag", "anyOf": ["vip", "Gold Customer"]}},
               {"id": "visits", "name": "Pricing visits", "points": 2, "count": "each", "maxPoints": 12,
                "expiresAfter": "P2W3DT4H", "decay": {"type": "halfLife", "halfLife": "P1W"}, "criterion": {"type": "activity", "activity": "page_visited",
                  "where": [{"field": "url", "op": "startsWith", "value": "/pricing"},
                            {"field": "seconds", "op": "gte", "value": 2.5},
                            {"field": "plan", "op": "in", "values": ["pro", 3, true]},
                            {"field": "ref", "op": "exists"}]}},
               {"id": "big", "name": "Big company", "category": "fit", "points": 5,
                "criterion": {"type": "field", "field": "employees", "op": "gt", "value": 500}},
               {"id": "quiet", "name": "Quiet", "points": -4,
                "criterion": {"type": "inactivity", "activity": "email_opened", "for": "P30D",
                  "where": [{"field": "campaign", "op": "neq", "value": "newsletter"}]}}]}""";

    private static ScoringModel read(String apiJson) throws Exception {
        Validated<ScoringModel> read = ModelJson.read(Json.MAPPER.readTree(apiJson));
        return read.value().orElseThrow(() -> new AssertionError(read.problems()));
    }

    @Test
    void aModelReadsBackAsItWasWritten() throws Exception {
        ScoringModel model = read(RICH);
        String stored = StoredModel.write(model);
        assertEquals(model, StoredModel.read(stored));
        assertEquals(ModelJson.write(model), ModelJson.write(StoredModel.read(stored)), "and the API shows it the same");
        assertEquals(ScoringModel.DEFAULT, StoredModel.read(StoredModel.write(ScoringModel.DEFAULT)));
    }

    @Test
    void aRuleWithoutDecayIsStoredAsBeforeDecaysExisted() throws Exception {
        ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(StoredModel.write(read(RICH)));
        assertEquals(9, stored.at("/rules/0").size(), "vip, with its decay last");
        assertEquals("[\"LINEAR\",\"P90D\"]", stored.at("/rules/0/8").toString());
        assertEquals(8, stored.at("/rules/2").size(), "big: eight items, as earlier releases read them");
    }

    @Test
    void theStoredFormNamesItsFormatAndIsNotTheApisJson() throws Exception {
        ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(StoredModel.write(read(RICH)));
        assertEquals(StoredModel.FORMAT, stored.get("format").intValue());
        assertFalse(ModelJson.read(stored).value().isPresent(), "the API would not take the stored form as a model");
    }

    @Test
    void aModelStoredAsTheEarlierReleaseDidReadsAsItsApiJson() throws Exception {
        String canonicalApiJson = ModelJson.write(read(RICH)).toString();
        assertEquals(read(RICH), StoredModel.read(canonicalApiJson));
    }

    /**
     * A model accepted once is not validated again when read: a later release's stricter check
     * must not make a stored model unreadable. Here the stored form holds what today's API
     * refuses (two rules with one id), and it still reads.
     */
    @Test
    void theStoredFormIsReadWithoutTheApisValidation() throws Exception {
        ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(StoredModel.write(read(RICH)));
        stored.withArray("rules").add(stored.withArray("rules").get(0).deepCopy());
        ScoringModel model = StoredModel.read(stored.toString());
        assertEquals(5, model.rules().size());
        assertEquals(model.rules().get(0), model.rules().get(4));
        assertFalse(ModelJson.read(ModelJson.write(model)).value().isPresent(), "today's API refuses it");
    }

    @Test
    void aFormatThisReleaseDoesNotKnowOrADamagedRowFailsSayingSo() throws Exception {
        ObjectNode newer = (ObjectNode) Json.MAPPER.readTree(StoredModel.write(read(RICH)));
        newer.put("format", 2);
        IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> StoredModel.read(newer.toString()));
        assertTrue(unknown.getMessage().contains("format 2"), unknown.getMessage());

        ObjectNode damaged = (ObjectNode) Json.MAPPER.readTree(StoredModel.write(read(RICH)));
        ((com.fasterxml.jackson.databind.node.ArrayNode) damaged.withArray("rules").get(1)).set(3,
                Json.MAPPER.getNodeFactory().textNode("two"));
        IllegalStateException bad = assertThrows(IllegalStateException.class, () -> StoredModel.read(damaged.toString()));
        assertTrue(bad.getMessage().contains("damaged") && bad.getMessage().contains("whole number"), bad.getMessage());

        assertThrows(IllegalStateException.class, () -> StoredModel.read("{\"format\": 1"));
        assertThrows(IllegalStateException.class, () -> StoredModel.read("[]"));
    }
}

package io.leadflame.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.api.ModelJson;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the scoring tests share: models written as the JSON a marketer would PUT, events of one
 * contact recorded the way the contact entity records them (duplicates dropped first), and
 * fixed instants instead of a clock.
 */
final class ScoringFixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A Monday morning, the start of every test story. */
    static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

    private ScoringFixtures() {
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("test JSON does not parse: " + text, e);
        }
    }

    /** A model read from its JSON, which must be valid. */
    static ScoringModel model(String modelJson) {
        Validated<ScoringModel> read = ModelJson.read(json(modelJson));
        assertTrue(read.isValid(), () -> "the test model should be valid: " + read.problems());
        return read.value().orElseThrow();
    }

    /** An enabled model with that ideal score and those rules (each a JSON object). */
    static ScoringModel modelWith(int idealScore, String... rules) {
        return model("{\"idealScore\":" + idealScore + ",\"rules\":[" + String.join(",", rules) + "]}");
    }

    static Instant minutes(long n) {
        return T0.plus(Duration.ofMinutes(n));
    }

    static Instant hours(long n) {
        return T0.plus(Duration.ofHours(n));
    }

    static Instant days(long n) {
        return T0.plus(Duration.ofDays(n));
    }

    /** A map of names to values, in order, allowing null values (a field removed). */
    static Map<String, Object> values(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            out.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return out;
    }

    static ContactEvent activity(String type, Instant at, Object... attributes) {
        return ContactEvent.activity(null, type, at, values(attributes));
    }

    static ContactEvent applied(String tag, Instant at) {
        return ContactEvent.tagApplied(null, at, tag);
    }

    static ContactEvent removed(String tag, Instant at) {
        return ContactEvent.tagRemoved(null, at, tag);
    }

    static ContactEvent fieldsUpdated(Instant at, Object... fields) {
        return ContactEvent.fieldsUpdated(null, at, values(fields));
    }

    static ContactEvent fieldsUpdated(String eventId, Instant at, Object... fields) {
        return ContactEvent.fieldsUpdated(eventId, at, values(fields));
    }

    /** {@code history} with the events recorded at {@code now}, in the given order, duplicates dropped. */
    static ContactHistory record(ContactHistory history, Instant now, ContactEvent... events) {
        ContactHistory h = history;
        for (ContactEvent e : events) {
            if (!h.hasSeen(e)) {
                h = h.record(e, now, HistoryLimits.DEFAULT);
            }
        }
        return h;
    }

    /** A new contact's history with the events recorded at {@code now}, in the given order. */
    static ContactHistory history(Instant now, ContactEvent... events) {
        return record(ContactHistory.EMPTY, now, events);
    }

    /** The contribution of that rule in the breakdown, if it contributes. */
    static Optional<Contribution> contribution(Score score, String ruleId) {
        return score.breakdown().stream().filter(c -> c.ruleId().equals(ruleId)).findFirst();
    }
}

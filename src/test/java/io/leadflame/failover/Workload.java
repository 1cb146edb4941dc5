package io.leadflame.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.Contribution;
import io.leadflame.scoring.HistoryLimits;
import io.leadflame.scoring.Score;
import io.leadflame.scoring.Scorer;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.scoring.Validated;
import io.leadflame.api.EventJson;
import io.leadflame.api.IncomingEvent;
import io.leadflame.api.ModelJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static io.leadflame.failover.Http.JSON;

/**
 * A realistic, seeded mix of events for a few hundred contacts, the scoring models they are
 * scored with, and the expected score of each contact computed with the pure scoring function
 * over exactly the events the cluster acknowledged.
 *
 * <p>Every {@code occurredAt} lies 5 to 10 days in the past and every expiry is 30 days or more,
 * so no score changes during the seconds the test runs: the expected score at "now" is the same
 * whenever it is computed.
 */
final class Workload {

    /** Activities counted per event ({@code count: each}, no where, no maxPoints): a lost or doubled event shows. */
    static final List<String> COUNT_EACH_RULES = List.of("clicks", "opens");

    static final String MODEL_V1 = """
            {"idealScore": 50,
             "ranges": [{"name": "cold", "min": 0, "color": "#3b82f6"},
                        {"name": "warm", "min": 15, "color": "#f5a623"},
                        {"name": "hot", "min": 35, "color": "#e11d48"}],
             "rules": [
               {"id": "clicks", "name": "Each click", "points": CLICK, "count": "each",
                "criterion": {"type": "activity", "activity": "link_clicked"}},
               {"id": "opens", "name": "Each email opened", "points": 1, "count": "each",
                "criterion": {"type": "activity", "activity": "email_opened"}},
               {"id": "pricing_dwell", "name": "Read the pricing page", "points": 3,
                "criterion": {"type": "activity", "activity": "page_visited",
                              "where": [{"field": "url", "op": "contains", "value": "/pricing"},
                                        {"field": "durationSeconds", "op": "gte", "value": 300}]}},
               {"id": "long_visits", "name": "Each long visit", "points": 2, "count": "each", "maxPoints": 12,
                "criterion": {"type": "activity", "activity": "page_visited",
                              "where": [{"field": "durationSeconds", "op": "gte", "value": 120}]}},
               {"id": "form", "name": "Demo or pricing form", "points": FORM, "expiresAfter": "P60D",
                "criterion": {"type": "activity", "activity": "web_form_submitted",
                              "where": [{"field": "formId", "op": "in", "values": ["demo", "pricing"]}]}},
               {"id": "vip", "name": "VIP or partner", "category": "fit", "points": 10,
                "criterion": {"type": "tag", "anyOf": ["vip", "partner"]}},
               {"id": "webinar", "name": "Attended a webinar", "points": 4, "expiresAfter": "P30D",
                "criterion": {"type": "tag", "anyOf": ["webinar"]}},
               {"id": "director", "name": "Director", "category": "fit", "points": DIRECTOR,
                "criterion": {"type": "field", "field": "jobTitle", "op": "contains", "value": "director"}},
               {"id": "big_company", "name": "Big company", "category": "fit", "points": 8,
                "criterion": {"type": "field", "field": "employees", "op": "gte", "value": 500}},
               {"id": "unsubscribed", "name": "Unsubscribed", "points": -10,
                "criterion": {"type": "activity", "activity": "unsubscribed"}}]}
            """;

    static String model(int clickPoints, int formPoints, int directorPoints) {
        return MODEL_V1.replace("CLICK", String.valueOf(clickPoints)).replace("FORM", String.valueOf(formPoints))
                .replace("DIRECTOR", String.valueOf(directorPoints));
    }

    static ScoringModel parseModel(String json) {
        try {
            Validated<ScoringModel> v = ModelJson.read(JSON.readTree(json));
            if (!v.isValid()) {
                throw new IllegalArgumentException("invalid test model: " + v.problems());
            }
            return v.value().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    final List<String> contacts;
    final List<ObjectNode> events;

    private Workload(List<String> contacts, List<ObjectNode> events) {
        this.contacts = contacts;
        this.events = events;
    }

    /**
     * {@code contactCount} contacts, {@code eventCount} events: first one event for every contact
     * (so every contact exists early), then the rest shuffled across contacts.
     */
    static Workload generate(long seed, int contactCount, int eventCount) {
        Random random = new Random(seed);
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(10));
        List<String> contacts = new ArrayList<>();
        for (int i = 0; i < contactCount; i++) {
            contacts.add(String.format("c-%04d", i));
        }
        List<ObjectNode> first = new ArrayList<>();
        List<ObjectNode> rest = new ArrayList<>();
        for (int n = 0; n < eventCount; n++) {
            String contact = n < contactCount ? contacts.get(n) : contacts.get(random.nextInt(contactCount));
            // At most 5 days after base: 5 to 10 days ago. Whole minutes, so equal instants
            // (tie-breaking by kind and by eventId) happen too.
            Instant at = base.plus(Duration.ofMinutes(random.nextInt(5 * 24 * 60)));
            (n < contactCount ? first : rest).add(event(random, "e-" + n, contact, at));
        }
        Collections.shuffle(rest, random);
        List<ObjectNode> all = new ArrayList<>(first);
        all.addAll(rest);
        return new Workload(contacts, all);
    }

    private static final String[] URLS = {"https://example.com/blog/scoring", "https://example.com/pricing",
            "https://example.com/docs/api", "https://example.com/pricing/enterprise"};
    private static final String[] TITLES = {"Marketing Director", "Engineer", "Director of Sales", "Intern",
            "VP Marketing"};

    private static ObjectNode event(Random random, String eventId, String contact, Instant at) {
        ObjectNode e = JSON.createObjectNode();
        e.put("contactId", contact);
        e.put("eventId", eventId);
        e.put("occurredAt", at.toString());
        int kind = random.nextInt(100);
        if (kind < 28) {
            e.put("type", "link_clicked");
            e.putObject("attributes").put("url", URLS[random.nextInt(URLS.length)]);
        } else if (kind < 43) {
            e.put("type", "page_visited");
            e.putObject("attributes").put("url", URLS[random.nextInt(URLS.length)])
                    .put("durationSeconds", random.nextInt(900));
        } else if (kind < 55) {
            e.put("type", "email_opened");
            e.putObject("attributes").put("campaign", "nov-" + random.nextInt(4)).put("mobile", random.nextBoolean());
        } else if (kind < 62) {
            e.put("type", "web_form_submitted");
            e.putObject("attributes").put("formId", new String[]{"demo", "pricing", "newsletter"}[random.nextInt(3)]);
        } else if (kind < 74) {
            e.put("type", "tag_applied");
            e.put("tag", new String[]{"vip", "webinar", "partner", "newsletter"}[random.nextInt(4)]);
        } else if (kind < 81) {
            e.put("type", "tag_removed");
            e.put("tag", new String[]{"vip", "webinar", "partner"}[random.nextInt(3)]);
        } else if (kind < 97) {
            e.put("type", "fields_updated");
            ObjectNode fields = e.putObject("fields");
            switch (random.nextInt(4)) {
                case 0 -> fields.put("jobTitle", TITLES[random.nextInt(TITLES.length)]);
                case 1 -> fields.put("employees", random.nextInt(2000));
                case 2 -> fields.put("jobTitle", TITLES[random.nextInt(TITLES.length)])
                        .put("employees", random.nextInt(2000)).put("country", "DE");
                default -> fields.putNull("jobTitle");
            }
        } else {
            e.put("type", "unsubscribed");
            e.putObject("attributes").put("reason", "too many emails");
        }
        return e;
    }

    /** Per contact, its history over {@code acknowledged} (deduplicated as the contact does). */
    static Map<String, ContactHistory> histories(Collection<ObjectNode> acknowledged) {
        Instant now = Instant.now();
        Map<String, ContactHistory> histories = new HashMap<>();
        for (ObjectNode json : acknowledged) {
            EventJson.Result parsed = EventJson.read(json, now);
            IncomingEvent in = parsed.event().orElseThrow(() -> new IllegalStateException(
                    "the test generated an invalid event " + json + ": " + parsed.error()));
            ContactHistory h = histories.getOrDefault(in.contactId(), ContactHistory.EMPTY);
            if (!h.hasSeen(in.event())) {
                histories.put(in.contactId(), h.record(in.event(), now, HistoryLimits.DEFAULT));
            }
        }
        return histories;
    }

    /** The comparable part of a score: totals, flames, range and the breakdown's rule, points and matches. */
    static String expected(ScoringModel model, ContactHistory history) {
        Score s = Scorer.score(model, history, Instant.now());
        String breakdown = s.breakdown().stream()
                .map(c -> c.ruleId() + ":" + c.points() + "x" + c.matches())
                .sorted().collect(Collectors.joining(","));
        return "score=" + s.score() + " fit=" + s.fit() + " engagement=" + s.engagement() + " percent=" + s.percent()
                + " flames=" + s.flames() + " range=" + s.range().map(r -> r.name()).orElse("null")
                + " [" + breakdown + "]";
    }

    /** The same comparable part of a {@code GET /contacts/{id}} answer. */
    static String actual(JsonNode c) {
        List<String> parts = new ArrayList<>();
        c.get("breakdown").forEach(b -> parts.add(b.get("ruleId").asText() + ":" + b.get("points").asLong() + "x"
                + b.get("matches").asInt()));
        Collections.sort(parts);
        JsonNode range = c.get("range");
        return "score=" + c.get("score").asLong() + " fit=" + c.get("fit").asLong() + " engagement="
                + c.get("engagement").asLong() + " percent=" + c.get("percent").asInt() + " flames="
                + c.get("flames").asInt() + " range=" + (range == null || range.isNull() ? "null" : range.get("name").asText())
                + " [" + String.join(",", parts) + "]";
    }

    /** Matches of a count-each rule in an expected score (0 when the rule does not contribute). */
    static int expectedMatches(ScoringModel model, ContactHistory history, String ruleId) {
        return Scorer.score(model, history, Instant.now()).breakdown().stream()
                .filter(c -> c.ruleId().equals(ruleId)).mapToInt(Contribution::matches).sum();
    }

    static int actualMatches(JsonNode contact, String ruleId) {
        int n = 0;
        for (JsonNode b : contact.get("breakdown")) {
            if (ruleId.equals(b.get("ruleId").asText())) {
                n += b.get("matches").asInt();
            }
        }
        return n;
    }
}

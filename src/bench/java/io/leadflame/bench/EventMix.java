package io.leadflame.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadflame.api.EventJson;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.HistoryLimits;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The events the benchmark sends, as a marketing platform would: tags applied and removed (from
 * 20 names), emails opened, links clicked, pages visited and web forms submitted (with attributes
 * from small realistic sets), and field updates ({@code jobTitle}, {@code company},
 * {@code employees}). Built as request templates before anything is measured; contact ids, event
 * ids and (for live traffic) {@code occurredAt} are slots filled at send time.
 */
final class EventMix {

    static final String TENANT = "bench";
    static final String EVENTS_PATH = "/api/v1/tenants/" + TENANT + "/events";
    static final String MODEL_PATH = "/api/v1/tenants/" + TENANT + "/model";

    /** Events per contact when seeding a realistic history: 5 tags, 20 activities, 3 field updates. */
    static final int HISTORY_EVENTS = 28;

    private static final String[] TAGS = {"newsletter", "webinar", "vip", "partner", "customer", "trial",
            "churn-risk", "event-2026", "ebook", "demo-requested", "enterprise", "smb", "emea", "na", "apac",
            "developer", "marketing", "sales", "product-a", "product-b"};
    private static final String[] CAMPAIGNS = {"nov-newsletter", "dec-newsletter", "black-friday", "webinar-invite",
            "onboarding-1", "onboarding-2", "product-launch", "renewal"};
    private static final String[] URLS = {"https://example.com/blog/scoring", "https://example.com/blog/nurturing",
            "https://example.com/pricing", "https://example.com/pricing/enterprise", "https://example.com/docs/api",
            "https://example.com/case-studies/acme", "https://example.com/webinars/2026", "https://example.com/trial",
            "https://example.com/careers", "https://example.com/contact"};
    private static final String[] PATHS = {"/", "/pricing", "/pricing/enterprise", "/features", "/blog/scoring",
            "/blog/nurturing", "/docs/api", "/integrations", "/about", "/contact"};
    private static final String[] FORMS = {"demo", "pricing", "newsletter", "contact", "webinar-signup"};
    private static final String[] TITLES = {"Marketing Director", "Head of Sales", "Software Engineer", "CMO",
            "Marketing Manager", "Sales Representative", "VP Marketing", "Intern", "Director of Operations", "CEO"};
    private static final String[] COMPANIES = {"Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries",
            "Wayne Enterprises", "Wonka", "Tyrell", "Cyberdyne"};

    private EventMix() {
    }

    // ---- live traffic (ingestion and latency): occurredAt is "now" at send time

    /** {@code count} single-event requests (JSON objects) of the mix. */
    static List<RequestTemplate> singleEvents(String host, long seed, int count) {
        Random random = new Random(seed);
        List<RequestTemplate> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(RequestTemplate.of(host, EVENTS_PATH, "application/json", liveEvent(random)));
        }
        return requests;
    }

    /** {@code count} NDJSON requests of {@code size} events of the mix each. */
    static List<RequestTemplate> batches(String host, long seed, int count, int size) {
        Random random = new Random(seed);
        List<RequestTemplate> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder body = new StringBuilder(size * 200);
            for (int e = 0; e < size; e++) {
                body.append(liveEvent(random)).append('\n');
            }
            requests.add(RequestTemplate.of(host, EVENTS_PATH, "application/x-ndjson", body.toString()));
        }
        return requests;
    }

    /** One event per contact, contacts in order: creates {@code size} contacts with one request. */
    static RequestTemplate creation(String host, int size) {
        Random random = new Random(7);
        StringBuilder body = new StringBuilder(size * 150);
        for (int e = 0; e < size; e++) {
            body.append(event("fields_updated", RequestTemplate.OCCURRED_AT, "\"fields\":{\"company\":"
                    + quote(pick(random, COMPANIES)) + "}")).append('\n');
        }
        return RequestTemplate.of(host, EVENTS_PATH, "application/x-ndjson", body.toString());
    }

    private static String liveEvent(Random random) {
        int kind = random.nextInt(100);
        String at = RequestTemplate.OCCURRED_AT;
        if (kind < 10) {
            return tag("tag_applied", random, at);
        } else if (kind < 13) {
            return tag("tag_removed", random, at);
        } else if (kind < 88) {
            return activity(random, at);
        }
        return fields(random, at, random.nextInt(3));
    }

    // ---- seeded history (rescoring and memory): occurredAt within the last 30 days

    /**
     * {@code count} NDJSON requests of {@code contactsPerRequest} whole histories of
     * {@link #HISTORY_EVENTS} events each: 5 distinct tags applied, 20 activities, 3 field updates
     * (jobTitle, company, employees), dated over the 30 days before {@code now}.
     */
    static List<RequestTemplate> histories(String host, long seed, int count, int contactsPerRequest, Instant now) {
        Random random = new Random(seed);
        List<RequestTemplate> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder body = new StringBuilder(contactsPerRequest * HISTORY_EVENTS * 200);
            for (int c = 0; c < contactsPerRequest; c++) {
                for (String line : history(random, now)) {
                    body.append(line).append('\n');
                }
            }
            requests.add(RequestTemplate.of(host, EVENTS_PATH, "application/x-ndjson", body.toString()));
        }
        return requests;
    }

    static List<String> history(Random random, Instant now) {
        List<String> events = new ArrayList<>(HISTORY_EVENTS);
        List<String> tags = new ArrayList<>(List.of(TAGS));
        Collections.shuffle(tags, random);
        for (int t = 0; t < 5; t++) {
            events.add(event("tag_applied", past(random, now), "\"tag\":" + quote(tags.get(t))));
        }
        for (int a = 0; a < 20; a++) {
            events.add(activity(random, past(random, now)));
        }
        for (int f = 0; f < 3; f++) {
            events.add(fields(random, past(random, now), f));
        }
        return events;
    }

    private static String past(Random random, Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(1 + random.nextInt(30 * 24 * 60))).toString();
    }

    // ---- the parts

    private static String tag(String type, Random random, String at) {
        return event(type, at, "\"tag\":" + quote(pick(random, TAGS)));
    }

    private static String activity(Random random, String at) {
        int kind = random.nextInt(100);
        if (kind < 35) {
            return event("email_opened", at, "\"attributes\":{\"campaign\":" + quote(pick(random, CAMPAIGNS))
                    + ",\"mobile\":" + random.nextBoolean() + "}");
        } else if (kind < 60) {
            return event("link_clicked", at, "\"attributes\":{\"url\":" + quote(pick(random, URLS))
                    + ",\"campaign\":" + quote(pick(random, CAMPAIGNS)) + "}");
        } else if (kind < 92) {
            return event("page_visited", at, "\"attributes\":{\"path\":" + quote(pick(random, PATHS))
                    + ",\"durationSeconds\":" + (5 + random.nextInt(900)) + "}");
        }
        return event("web_form_submitted", at, "\"attributes\":{\"formId\":" + quote(pick(random, FORMS)) + "}");
    }

    /** Field update {@code which} (0 jobTitle, 1 company, 2 employees). */
    private static String fields(Random random, String at, int which) {
        String field = switch (which) {
            case 0 -> "\"jobTitle\":" + quote(pick(random, TITLES));
            case 1 -> "\"company\":" + quote(pick(random, COMPANIES));
            default -> "\"employees\":" + (1 + random.nextInt(5000));
        };
        return event("fields_updated", at, "\"fields\":{" + field + "}");
    }

    private static String event(String type, String occurredAt, String rest) {
        return "{\"contactId\":\"" + RequestTemplate.CONTACT + "\",\"type\":\"" + type + "\",\"eventId\":\""
                + RequestTemplate.EVENT_ID + "\",\"occurredAt\":\"" + occurredAt + "\"," + rest + "}";
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    /**
     * One contact's seeding history as its contact holds it: {@link #history}'s events recorded
     * in order, event ids numbered from {@code nextEventId[0]} on (which it advances).
     */
    static ContactHistory recordedHistory(ObjectMapper json, Random random, Instant now, String contactId,
                                          long[] nextEventId) throws Exception {
        ContactHistory history = ContactHistory.EMPTY;
        for (String line : history(random, now)) {
            String event = line.replace(RequestTemplate.CONTACT, contactId)
                    .replace(RequestTemplate.EVENT_ID, String.format("e%015d", nextEventId[0]++));
            history = history.record(EventJson.read(json.readTree(event), now).event().orElseThrow().event(),
                    now, HistoryLimits.DEFAULT);
        }
        return history;
    }

    // ---- the scoring model

    /**
     * {@link #model} with its five engagement rules decaying (issue 16): the webinar tag linear
     * over 30 days, email opens half-life 14 days, blog clicks half-life 30 days, pricing visits
     * and forms linear over 60 days.
     */
    static String decayingModel(int variant) {
        String decaying = model(variant)
                .replace("\"points\": 4, \"expiresAfter\": \"P30D\",",
                        "\"points\": 4, \"expiresAfter\": \"P30D\", \"decay\": {\"type\": \"linear\", \"over\": \"P30D\"},")
                .replace("\"expiresAfter\": \"P90D\",",
                        "\"expiresAfter\": \"P90D\", \"decay\": {\"type\": \"halfLife\", \"halfLife\": \"P14D\"},")
                .replace("\"points\": 1, \"count\": \"each\", \"maxPoints\": 5,",
                        "\"points\": 1, \"count\": \"each\", \"maxPoints\": 5, \"decay\": {\"type\": \"halfLife\", \"halfLife\": \"P30D\"},")
                .replace("\"name\": \"Looked at pricing\", \"points\": " + (3 + variant) + ",",
                        "\"name\": \"Looked at pricing\", \"points\": " + (3 + variant)
                                + ", \"decay\": {\"type\": \"linear\", \"over\": \"P60D\"},")
                .replace("\"points\": 10, \"expiresAfter\": \"P60D\",",
                        "\"points\": 10, \"expiresAfter\": \"P60D\", \"decay\": {\"type\": \"linear\", \"over\": \"P60D\"},");
        int decayingRules = decaying.split("\"decay\"", -1).length - 1;
        if (decayingRules != 5) {
            throw new IllegalStateException("expected 5 decaying rules, got " + decayingRules + ": " + decaying);
        }
        return decaying;
    }

    /**
     * A model whose rules read tags, activities with their attributes, and fields, as a B2B
     * marketing team would write it; {@code variant} changes the points, so each PUT is a real
     * change that rescores every contact.
     */
    static String model(int variant) {
        int v = variant;
        return """
                {"idealScore": 60,
                 "ranges": [{"name": "cold", "min": 0, "color": "#3b82f6"},
                            {"name": "warm", "min": 20, "color": "#f5a623"},
                            {"name": "hot", "min": 40, "color": "#e11d48"}],
                 "rules": [
                   {"id": "vip", "name": "VIP or partner", "category": "fit", "points": %d,
                    "criterion": {"type": "tag", "anyOf": ["vip", "partner", "enterprise"]}},
                   {"id": "webinar", "name": "Webinar attendee", "points": 4, "expiresAfter": "P30D",
                    "criterion": {"type": "tag", "anyOf": ["webinar"]}},
                   {"id": "director", "name": "Decision maker", "category": "fit", "points": %d,
                    "criterion": {"type": "field", "field": "jobTitle", "op": "contains", "value": "Director"}},
                   {"id": "big_company", "name": "Big company", "category": "fit", "points": 8,
                    "criterion": {"type": "field", "field": "employees", "op": "gte", "value": 500}},
                   {"id": "opens", "name": "Each email opened", "points": 1, "count": "each", "maxPoints": 10,
                    "expiresAfter": "P90D", "criterion": {"type": "activity", "activity": "email_opened"}},
                   {"id": "blog", "name": "Read the blog", "points": 1, "count": "each", "maxPoints": 5,
                    "criterion": {"type": "activity", "activity": "link_clicked",
                                  "where": [{"field": "url", "op": "contains", "value": "/blog/"}]}},
                   {"id": "pricing", "name": "Looked at pricing", "points": %d,
                    "criterion": {"type": "activity", "activity": "page_visited",
                                  "where": [{"field": "path", "op": "contains", "value": "/pricing"},
                                            {"field": "durationSeconds", "op": "gte", "value": 120}]}},
                   {"id": "form", "name": "Demo or pricing form", "points": 10, "expiresAfter": "P60D",
                    "criterion": {"type": "activity", "activity": "web_form_submitted",
                                  "where": [{"field": "formId", "op": "in", "values": ["demo", "pricing"]}]}}]}
                """.formatted(10 + v, 6 + v, 3 + v);
    }
}

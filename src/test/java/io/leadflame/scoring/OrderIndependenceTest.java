package io.leadflame.scoring;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;

import static io.leadflame.scoring.ScoringFixtures.T0;
import static io.leadflame.scoring.ScoringFixtures.activity;
import static io.leadflame.scoring.ScoringFixtures.contribution;
import static io.leadflame.scoring.ScoringFixtures.history;
import static io.leadflame.scoring.ScoringFixtures.model;
import static io.leadflame.scoring.ScoringFixtures.modelWith;
import static io.leadflame.scoring.ScoringFixtures.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties that hold for every contact: the score depends on the set of events, not on the
 * order they arrived in nor on redeliveries; and forgetting what the current model can never
 * count again does not change the score under that model. Cases are random with fixed seeds,
 * so a failure names the seed that reproduces it.
 */
class OrderIndependenceTest {

    private static final int CASES = 300;

    /** When the events are scored: two months after T0, so there is a past to remember. */
    private static final Instant NOW = T0.plus(Duration.ofDays(60));

    /** Limits that forget everything the model does not need: one activity a name, one day. */
    private static final HistoryLimits TINY = new HistoryLimits(1000, Duration.ofDays(1), 1);

    private static final String[] TAGS = {"webinar", "vip", "Webinar"};
    private static final String[] ACTIVITIES = {"page_visited", "email_opened", "web_form_submitted"};

    // ---------------------------------------------------------------------------------------
    // Properties

    @Test
    void shuffledAndRedeliveredEventsGiveTheSameScoreAsEventsRecordedOnceInOrder() {
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(seed);
            ScoringModel model = randomModel(r);
            List<ContactEvent> events = randomEvents(r, 5 + r.nextInt(36), NOW.minus(Duration.ofDays(59)), NOW);

            ContactHistory inOrder = recordedAsTheyHappened(events);
            ContactHistory shuffled = recordedShuffledWithRedeliveries(events, r);

            for (Instant t : instantsToCheck(model, inOrder, NOW)) {
                assertEquals(Scorer.score(model, inOrder, t), Scorer.score(model, shuffled, t),
                        "seed " + seed + " at " + t);
            }
        }
    }

    @Test
    void forgettingBeyondTinyLimitsNeverChangesTheScoreUnderTheModel() {
        Instant later = NOW.plus(Duration.ofDays(2));
        int casesThatForgot = 0;
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(1_000_000 + seed);
            ScoringModel model = randomModel(r);
            List<ContactEvent> events = randomEvents(r, 5 + r.nextInt(36), NOW.minus(Duration.ofDays(59)), NOW);
            ContactHistory full = recordedAsTheyHappened(events);
            ContactHistory forgotten = full.forgetBeyond(model, NOW, TINY);
            if (forgotten.activityCount() < full.activityCount()) {
                casesThatForgot++;
            }
            for (Instant t : instantsToCheck(model, full, NOW)) {
                assertEquals(withoutMatches(Scorer.score(model, full, t)), withoutMatches(Scorer.score(model, forgotten, t)),
                        "seed " + seed + " at " + t);
            }

            // And it stays so as events keep coming (late ones included) and the contact forgets again.
            List<ContactEvent> more = randomEvents(r, r.nextInt(5), NOW.minus(Duration.ofDays(30)), later);
            for (ContactEvent e : more) {
                full = full.hasSeen(e) ? full : full.record(e, later, HistoryLimits.DEFAULT);
                forgotten = forgotten.hasSeen(e) ? forgotten : forgotten.record(e, later, TINY);
            }
            forgotten = forgotten.forgetBeyond(model, later, TINY);
            for (Instant t : instantsToCheck(model, full, later)) {
                assertEquals(withoutMatches(Scorer.score(model, full, t)), withoutMatches(Scorer.score(model, forgotten, t)),
                        "seed " + seed + " after more events, at " + t);
            }
        }
        assertTrue(casesThatForgot > CASES / 3, "the property should be exercised: only " + casesThatForgot
                + " cases forgot anything");
    }

    @Test
    void nextChangeAtIsTheFirstInstantAtWhichTheTotalDiffers() {
        int casesWithAChange = 0;
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(2_000_000 + seed);
            ScoringModel model = randomModel(r);
            List<ContactEvent> events = randomEvents(r, 5 + r.nextInt(36), NOW.minus(Duration.ofDays(59)), NOW);
            ContactHistory h = recordedAsTheyHappened(events);
            for (Instant t : List.of(NOW.minus(Duration.ofDays(30)), NOW, NOW.plus(Duration.ofDays(20)))) {
                Optional<Instant> expected = bruteForceNextChange(model, events, h, t);
                assertEquals(expected, Scorer.nextChangeAt(model, h, t), "seed " + seed + " at " + t);
                assertEquals(expected, Scorer.score(model, h, t).nextChangeAt(), "seed " + seed + " at " + t);
                casesWithAChange += expected.isPresent() ? 1 : 0;
            }
        }
        assertTrue(casesWithAChange > CASES / 3, "the property should be exercised: only " + casesWithAChange
                + " cases had a next change");
    }

    @Test
    void aStableScoreIsTheScoreAtEveryInstantUpToItsEnd() {
        int casesThatEnd = 0;
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(3_000_000 + seed);
            ScoringModel model = randomModel(r);
            List<ContactEvent> events = randomEvents(r, 5 + r.nextInt(36), NOW.minus(Duration.ofDays(59)), NOW);
            ContactHistory h = recordedAsTheyHappened(events);
            for (Instant t : List.of(NOW.minus(Duration.ofDays(30)), NOW, NOW.plus(Duration.ofDays(20)))) {
                Scorer.Stable stable = Scorer.stableScore(model, h, t);
                assertEquals(Scorer.score(model, h, t), stable.score(), "seed " + seed + " at " + t);
                // Every instant at which the brute force says anything may change, before the end.
                for (Instant c : bruteForceCandidates(model, events, t)) {
                    if (stable.until().isPresent() && !c.isBefore(stable.until().get())) {
                        break;
                    }
                    assertEquals(stable.score(), Scorer.score(model, h, c), "seed " + seed + " from " + t + " at " + c);
                    assertEquals(stable.score(), Scorer.score(model, h, c.minusNanos(1)), "seed " + seed + " at " + c);
                }
                if (stable.until().isPresent()) {
                    casesThatEnd++;
                    assertTrue(stable.until().get().isAfter(t), "seed " + seed);
                }
            }
        }
        assertTrue(casesThatEnd > CASES / 3, "the property should be exercised: only " + casesThatEnd
                + " cases had an end");
    }

    /**
     * The next change found the slow way: a score can only change at an event's instant, or that
     * instant plus one of the model's durations; try every such instant after {@code t} in order.
     */
    private static Optional<Instant> bruteForceNextChange(ScoringModel model, List<ContactEvent> events,
                                                          ContactHistory h, Instant t) {
        long total = Scorer.score(model, h, t).score();
        for (Instant c : bruteForceCandidates(model, events, t)) {
            if (Scorer.score(model, h, c).score() != total) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Every instant after {@code t} at which a score can change: an event's, plus one of the model's durations. */
    private static TreeSet<Instant> bruteForceCandidates(ScoringModel model, List<ContactEvent> events, Instant t) {
        List<Duration> durations = new java.util.ArrayList<>(List.of(Duration.ZERO));
        for (Rule rule : model.rules()) {
            rule.expiresAfter().ifPresent(e -> durations.add(e.length()));
            if (rule.criterion() instanceof Criterion.Inactivity in) {
                durations.add(in.forDuration().length());
            }
        }
        TreeSet<Instant> candidates = new TreeSet<>();
        for (ContactEvent e : events) {
            for (Duration d : durations) {
                Instant c = e.occurredAt().plus(d);
                if (c.isAfter(t)) {
                    candidates.add(c);
                }
            }
        }
        return candidates;
    }

    // ---------------------------------------------------------------------------------------
    // Cases worth naming

    @Test
    void theSameEventIdOnTwoDifferentContactsIsTwoEvents() {
        ContactEvent form = ContactEvent.activity("evt-1", "web_form_submitted", T0, Map.of());
        ContactHistory alice = history(T0, form);
        ContactHistory bob = history(T0, form);
        assertTrue(alice.hasSeen(form));
        assertTrue(bob.hasSeen(form));
        assertEquals(1, alice.activityCount());
        assertEquals(1, bob.activityCount());
    }

    @Test
    void forgettingKeepsThePastActivitiesACappedRuleStillCountsWhileNewerOnesAreAhead() {
        ScoringModel m = modelWith(20, """
                {"id": "opens", "name": "Email opens", "points": 2, "count": "each", "maxPoints": 2,
                 "criterion": {"type": "activity", "activity": "email_opened"}}""");
        Instant ahead = NOW.plus(Duration.ofMinutes(3));
        ContactHistory full = history(NOW, activity("email_opened", NOW.minus(Duration.ofDays(10))),
                activity("email_opened", ahead));
        ContactHistory forgotten = full.forgetBeyond(m, NOW, TINY);
        assertEquals(2, Scorer.score(m, full, NOW).score());
        assertEquals(2, Scorer.score(m, forgotten, NOW).score(),
                "the open ten days ago is what counts until the one ahead happens");
    }

    @Test
    void forgettingKeepsThePointsButMayLowerTheMatchesShown() {
        ScoringModel m = modelWith(20, """
                {"id": "visitor", "name": "Visits the site", "points": 3,
                 "criterion": {"type": "activity", "activity": "page_visited"}}""");
        ContactHistory full = history(NOW, activity("page_visited", NOW.minus(Duration.ofDays(20))),
                activity("page_visited", NOW.minus(Duration.ofDays(10))), activity("page_visited", NOW));
        ContactHistory forgotten = full.forgetBeyond(m, NOW, TINY);
        Contribution before = contribution(Scorer.score(m, full, NOW), "visitor").orElseThrow();
        Contribution after = contribution(Scorer.score(m, forgotten, NOW), "visitor").orElseThrow();
        assertEquals(before.points(), after.points());
        assertEquals(before.expiresAt(), after.expiresAt());
        assertEquals(3, before.matches());
        assertEquals(1, after.matches(), "a once rule keeps only its latest activity (documented limitation)");
    }

    @Test
    void forgettingDropsActivitiesNoRuleLooksAtBeyondTheLimits() {
        ScoringModel m = modelWith(20, """
                {"id": "form", "name": "Web form", "points": 2,
                 "criterion": {"type": "activity", "activity": "web_form_submitted"}}""");
        ContactHistory full = history(NOW, activity("link_clicked", NOW.minus(Duration.ofDays(3))),
                activity("link_clicked", NOW.minus(Duration.ofHours(2))),
                activity("link_clicked", NOW.minus(Duration.ofHours(1))));
        ContactHistory forgotten = full.forgetBeyond(m, NOW, TINY);
        assertEquals(1, forgotten.activities("link_clicked").size());
        assertEquals(NOW.minus(Duration.ofHours(1)), forgotten.activities("link_clicked").get(0).occurredAt());
    }

    // ---------------------------------------------------------------------------------------
    // Recording

    /** Each event once, in order of occurrence, as a live stream would bring them (future ones at NOW). */
    private static ContactHistory recordedAsTheyHappened(List<ContactEvent> events) {
        List<ContactEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(ContactEvent::occurredAt));
        ContactHistory h = ContactHistory.EMPTY;
        for (ContactEvent e : sorted) {
            Instant now = e.occurredAt().isAfter(NOW) ? NOW : e.occurredAt();
            h = h.record(e, now, HistoryLimits.DEFAULT);
        }
        return h;
    }

    /** The events shuffled, some with an id delivered again, all recorded at NOW, duplicates dropped. */
    private static ContactHistory recordedShuffledWithRedeliveries(List<ContactEvent> events, Random r) {
        List<ContactEvent> deliveries = new ArrayList<>(events);
        for (ContactEvent e : events) {
            if (e.eventId().isPresent() && r.nextInt(3) == 0) {
                deliveries.add(e);
            }
        }
        Collections.shuffle(deliveries, r);
        ContactHistory h = ContactHistory.EMPTY;
        for (ContactEvent e : deliveries) {
            if (!h.hasSeen(e)) {
                h = h.record(e, NOW, HistoryLimits.DEFAULT);
            }
        }
        return h;
    }

    /** Instants from {@code from} on, including the edges of the next change. */
    private static List<Instant> instantsToCheck(ScoringModel model, ContactHistory h, Instant from) {
        TreeSet<Instant> out = new TreeSet<>();
        for (long seconds : new long[]{0, 1, 59, 60, 150, 299, 300, 301}) {
            out.add(from.plusSeconds(seconds));
        }
        for (long days : new long[]{1, 3, 7, 10, 15, 30, 70, 400}) {
            out.add(from.plus(Duration.ofDays(days)));
        }
        Instant t = from;
        for (int i = 0; i < 4; i++) {
            Optional<Instant> next = Scorer.score(model, h, t).nextChangeAt();
            if (next.isEmpty()) {
                break;
            }
            out.add(next.get().minusSeconds(1));
            out.add(next.get());
            t = next.get();
        }
        return List.copyOf(out);
    }

    /** The score with the matches counts set aside (forgetting may lower them, never the points). */
    private static Score withoutMatches(Score s) {
        List<Contribution> breakdown = s.breakdown().stream()
                .map(c -> new Contribution(c.ruleId(), c.name(), c.category(), c.points(), 0, c.expiresAt()))
                .toList();
        return new Score(s.enabled(), s.score(), s.fit(), s.engagement(), s.percent(), s.flames(), s.range(),
                breakdown, s.nextChangeAt());
    }

    // ---------------------------------------------------------------------------------------
    // Random events

    /**
     * Events on a few tags, fields and activities. Instants fall on a coarse grid (so that many
     * collide), a few up to 5 minutes after {@code latest}; most events have an id.
     */
    private static List<ContactEvent> randomEvents(Random r, int count, Instant earliest, Instant latest) {
        List<ContactEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant at = randomInstant(r, earliest, latest);
            String id = r.nextInt(10) < 7 ? "evt-" + Long.toHexString(r.nextLong()) : null;
            int kind = r.nextInt(8);
            if (kind < 2) {
                String tag = pick(r, TAGS);
                events.add(kind == 0 ? ContactEvent.tagApplied(id, at, tag) : ContactEvent.tagRemoved(id, at, tag));
            } else if (kind < 4) {
                Map<String, Object> fields = new java.util.LinkedHashMap<>();
                int n = 1 + r.nextInt(2);
                for (int f = 0; f < n; f++) {
                    switch (r.nextInt(3)) {
                        case 0 -> fields.put("country", pick(r, new Object[]{"DE", "de", "US", "AT", null}));
                        case 1 -> fields.put("plan", pick(r, new Object[]{"pro", "PRO", "basic", null}));
                        default -> fields.put("employees", pick(r, new Object[]{9, 10, 50.0, 120, 10.5, null}));
                    }
                }
                events.add(ContactEvent.fieldsUpdated(id, at, fields));
            } else {
                String type = pick(r, ACTIVITIES);
                Map<String, Object> attributes = switch (type) {
                    case "page_visited" -> values("url", pick(r, new Object[]{"/pricing", "/blog/a", "/Pricing/team"}),
                            "durationSeconds", pick(r, new Object[]{0, 120, 300, 300.0, 600, 900}));
                    case "email_opened" -> r.nextBoolean()
                            ? values("campaign", pick(r, new Object[]{"newsletter", "promo", "Newsletter"}))
                            : values();
                    default -> values("formId", pick(r, new Object[]{"demo", "pricing", "contact"}));
                };
                events.add(ContactEvent.activity(id, type, at, attributes));
            }
        }
        return events;
    }

    private static Instant randomInstant(Random r, Instant earliest, Instant latest) {
        if (r.nextInt(7) == 0) {
            // Dated ahead, within the 5 minutes the API allows; on whole minutes half of the time.
            long seconds = r.nextBoolean() ? 60L * (1 + r.nextInt(5)) : 1 + r.nextInt(300);
            return latest.plusSeconds(seconds);
        }
        long spanHours = Duration.between(earliest, latest).toHours();
        long hoursBack = 6L * r.nextInt((int) (spanHours / 6) + 1);
        Instant at = latest.minus(Duration.ofHours(hoursBack));
        return at.isBefore(earliest) ? earliest : at;
    }

    // ---------------------------------------------------------------------------------------
    // Random models

    private static final String[] ACTIVITY_EXPIRIES = {"P1D", "P7D", "P28D", "PT2M", "PT36H"};
    private static final String[] TAG_EXPIRIES = {"P3D", "PT36H", "P10D", "PT4M"};
    private static final String[] INACTIVITY_LENGTHS = {"P7D", "P14D", "PT72H", "PT3M", "P45D"};

    private static final Map<String, String[]> WHERE = Map.of(
            "page_visited", new String[]{
                    "{\"field\": \"url\", \"op\": \"contains\", \"value\": \"/pricing\"}",
                    "{\"field\": \"durationSeconds\", \"op\": \"gte\", \"value\": 300}",
                    "{\"field\": \"durationSeconds\", \"op\": \"lt\", \"value\": 300.0}",
                    "{\"field\": \"url\", \"op\": \"exists\"}",
                    "{\"field\": \"missing\", \"op\": \"neq\", \"value\": 1}"},
            "email_opened", new String[]{
                    "{\"field\": \"campaign\", \"op\": \"eq\", \"value\": \"newsletter\"}",
                    "{\"field\": \"campaign\", \"op\": \"exists\"}",
                    "{\"field\": \"campaign\", \"op\": \"neq\", \"value\": \"promo\"}"},
            "web_form_submitted", new String[]{
                    "{\"field\": \"formId\", \"op\": \"in\", \"values\": [\"demo\"]}",
                    "{\"field\": \"formId\", \"op\": \"startsWith\", \"value\": \"PR\"}"});

    private static final String[] FIELD_PREDICATES = {
            "\"field\": \"country\", \"op\": \"eq\", \"value\": \"DE\"",
            "\"field\": \"country\", \"op\": \"neq\", \"value\": \"US\"",
            "\"field\": \"plan\", \"op\": \"in\", \"values\": [\"pro\", \"enterprise\"]",
            "\"field\": \"employees\", \"op\": \"gte\", \"value\": 50",
            "\"field\": \"plan\", \"op\": \"exists\"",
            "\"field\": \"employees\", \"op\": \"lt\", \"value\": 10.5"};

    /** A model of 1 to 7 rules of every kind, sometimes with limits and ranges. */
    private static ScoringModel randomModel(Random r) {
        int n = 1 + r.nextInt(7);
        List<String> rules = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rules.add(randomRule(r, i));
        }
        String limits = r.nextInt(4) == 0
                ? ", \"limits\": {\"fit\": {\"max\": 15}, \"engagement\": {\"min\": -10, \"max\": 30}, \"total\": {\"min\": -5}}"
                : "";
        String ranges = r.nextBoolean()
                ? ", \"ranges\": [{\"name\": \"cold\", \"min\": 0, \"color\": \"#4a90e2\"},"
                + " {\"name\": \"warm\", \"min\": 10, \"color\": \"#f5a623\"}]"
                : "";
        return model("{\"idealScore\": " + (1 + r.nextInt(50)) + limits + ranges + ", \"rules\": ["
                + String.join(",", rules) + "]}");
    }

    private static String randomRule(Random r, int index) {
        int points = 1 + r.nextInt(20);
        if (r.nextInt(4) == 0) {
            points = -points;
        }
        String head = "{\"id\": \"r" + index + "\", \"name\": \"Rule " + index + "\", \"category\": \""
                + (r.nextInt(3) == 0 ? "fit" : "engagement") + "\", \"points\": " + points;
        switch (r.nextInt(4)) {
            case 0 -> {
                List<String> anyOf = new ArrayList<>();
                anyOf.add("\"" + pick(r, TAGS) + "\"");
                if (r.nextBoolean()) {
                    anyOf.add("\"" + pick(r, TAGS) + "\"");
                }
                String expiry = r.nextBoolean() ? ", \"expiresAfter\": \"" + pick(r, TAG_EXPIRIES) + "\"" : "";
                return head + expiry + ", \"criterion\": {\"type\": \"tag\", \"anyOf\": [" + String.join(",", anyOf) + "]}}";
            }
            case 1 -> {
                String activity = pick(r, ACTIVITIES);
                String count = "";
                if (r.nextBoolean()) {
                    count = ", \"count\": \"each\"" + (r.nextBoolean() ? ", \"maxPoints\": " + (1 + r.nextInt(30)) : "");
                }
                String expiry = r.nextInt(3) > 0 ? ", \"expiresAfter\": \"" + pick(r, ACTIVITY_EXPIRIES) + "\"" : "";
                return head + count + expiry + ", \"criterion\": {\"type\": \"activity\", \"activity\": \"" + activity
                        + "\", \"where\": [" + randomWhere(r, activity) + "]}}";
            }
            case 2 -> {
                return head + ", \"criterion\": {\"type\": \"field\", " + pick(r, FIELD_PREDICATES) + "}}";
            }
            default -> {
                String activity = pick(r, ACTIVITIES);
                return head + ", \"criterion\": {\"type\": \"inactivity\", \"activity\": \"" + activity
                        + "\", \"for\": \"" + pick(r, INACTIVITY_LENGTHS) + "\", \"where\": ["
                        + randomWhere(r, activity) + "]}}";
            }
        }
    }

    private static String randomWhere(Random r, String activity) {
        String[] pool = WHERE.get(activity);
        int n = r.nextInt(3);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String p = pick(r, pool);
            if (!chosen.contains(p)) {
                chosen.add(p);
            }
        }
        return String.join(",", chosen);
    }

    private static <T> T pick(Random r, T[] options) {
        return options[r.nextInt(options.length)];
    }
}

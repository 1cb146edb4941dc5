package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.tagApplied;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The call list ({@code GET /leads}) and the distribution ({@code GET /stats}) over real HTTP:
 * order, filters and paging over a few thousand contacts, a contact leaving the hot list when
 * its points expire without any request to it, and the list following a model change.
 */
class LeadsEndToEndTest extends OneNodeTest {

    private static final int CONTACTS = 3000;
    /** Tags worth 1, 2, 4, 8 and 16 points: contact i holds the tags of the bits of i % 32. */
    private static final String[] TAGS = {"a", "b", "c", "d", "e"};
    private static final String MODEL = """
            {"idealScore": 20,
             "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"},
                        {"name": "warm", "min": 8, "color": "#f5a623"},
                        {"name": "hot", "min": 15, "color": "#d0021b"}],
             "rules": [
               {"id": "a", "name": "Tag a", "points": 1, "criterion": {"type": "tag", "anyOf": ["a"]}},
               {"id": "b", "name": "Tag b", "points": 2, "criterion": {"type": "tag", "anyOf": ["b"]}},
               {"id": "c", "name": "Tag c", "points": 4, "criterion": {"type": "tag", "anyOf": ["c"]}},
               {"id": "d", "name": "Tag d", "points": 8, "criterion": {"type": "tag", "anyOf": ["d"]}},
               {"id": "e", "name": "Tag e", "points": 16, "criterion": {"type": "tag", "anyOf": ["e"]}}]}
            """;

    private static String contactId(int i) {
        return String.format("c-%04d", i);
    }

    private static int scoreOf(int i) {
        return i % 32;
    }

    /** The whole call list as the model says it must be: score descending, then contact id. */
    private static List<String> expectedOrder(IntPredicate passes) {
        return IntStream.range(0, CONTACTS).filter(i -> passes.test(scoreOf(i))).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -scoreOf(i)).thenComparing(i -> contactId(i)))
                .map(LeadsEndToEndTest::contactId).toList();
    }

    private static String seed(String tenant) {
        node.publish(tenant, MODEL);
        Instant at = now().minusSeconds(60);
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < CONTACTS; i++) {
            for (int bit = 0; bit < TAGS.length; bit++) {
                if ((scoreOf(i) & (1 << bit)) != 0) {
                    events.add(tagApplied(contactId(i), TAGS[bit], at));
                }
            }
        }
        HttpReply r = node.postNdjson(tenant, E2e.ndjson(events));
        assertEquals(202, r.status(), r.body());
        assertEquals(events.size(), r.json().get("accepted").asInt());
        return tenant;
    }

    private static JsonNode leads(String tenant, String query) {
        HttpReply r = node.get(LeadflameNode.api(tenant) + "/leads" + query);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    /** Follows {@code next} from the first page to the last; the contact ids in order. */
    private static List<String> allPages(String tenant, String filters, int limit) {
        List<String> ids = new ArrayList<>();
        String query = "?limit=" + limit + filters;
        while (true) {
            JsonNode page = leads(tenant, query);
            assertTrue(page.get("leads").size() <= limit, page.toString());
            page.get("leads").forEach(lead -> ids.add(lead.get("contactId").asText()));
            if (page.get("next").isNull()) {
                return ids;
            }
            query = "?limit=" + limit + filters + "&after="
                    + URLEncoder.encode(page.get("next").asText(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theCallListIsInScoreOrderAndPagesThroughEveryContactOnce() {
        String tenant = seed("leads-order");
        // Contacts with score 0 hold no tag: they have no event, so they are not contacts at all.
        List<String> expected = expectedOrder(score -> score > 0);
        assertEquals(expected, allPages(tenant, "", 250));
        assertEquals(expected, allPages(tenant, "", 1000));
        assertEquals(expected.subList(0, 100), ids(leads(tenant, "")), "100 leads by default");

        JsonNode top = leads(tenant, "?limit=1").get("leads").get(0);
        assertEquals("c-0031", top.get("contactId").asText());
        assertEquals(31, top.get("score").asInt());
        assertEquals(5, top.get("flames").asInt());
        assertEquals(155, top.get("percent").asInt());
        assertEquals("hot", top.at("/range/name").asText());
        assertEquals("#d0021b", top.at("/range/color").asText());
        assertFalse(top.get("lastEventAt").asText().isEmpty());
        assertEquals(List.of("e", "d", "c"), ruleIds(top.get("reasons")), "the top 3 reasons, most points first");
        assertEquals(16, top.get("reasons").get(0).get("points").asInt());
    }

    @Test
    void filtersKeepTheOrderAndPaging() {
        String tenant = seed("leads-filters");
        // 4 flames: floor(5 * score / 20) >= 4, i.e. score >= 16.
        assertEquals(expectedOrder(score -> score >= 16), allPages(tenant, "&minFlames=4", 97));
        assertEquals(expectedOrder(score -> score >= 8 && score < 15), allPages(tenant, "&range=warm", 300));
        assertEquals(expectedOrder(score -> score >= 27), allPages(tenant, "&minScore=27", 50));
        assertEquals(expectedOrder(score -> score >= 15 && score >= 20), allPages(tenant, "&range=hot&minScore=20", 40));
        leads(tenant, "?minFlames=5&limit=1000").get("leads").forEach(lead -> {
            assertEquals(5, lead.get("flames").asInt(), lead.toString());
            assertTrue(lead.get("score").asInt() >= 20, lead.toString());
        });
    }

    @Test
    void statsCountTheContactsByFlamesRangeAndScore() {
        String tenant = seed("leads-stats");
        Map<Integer, Integer> byFlames = new TreeMap<>();
        Map<String, Integer> byRange = new TreeMap<>();
        int[] histogram = new int[12];
        int contacts = 0;
        for (int i = 0; i < CONTACTS; i++) {
            int score = scoreOf(i);
            if (score == 0) {
                continue;
            }
            contacts++;
            byFlames.merge(Math.min(5, 5 * score / 20), 1, Integer::sum);
            byRange.merge(score >= 15 ? "hot" : score >= 8 ? "warm" : "cold", 1, Integer::sum);
            // Buckets: below 0, then [0, 2), [2, 4) ... [18, 20), then 20 and above.
            histogram[score >= 20 ? 11 : 1 + score / 2]++;
        }
        HttpReply r = node.get(LeadflameNode.api(tenant) + "/stats");
        assertEquals(200, r.status(), r.body());
        JsonNode stats = r.json();
        assertEquals(contacts, stats.get("contacts").asInt());
        for (int f = 0; f <= 5; f++) {
            assertEquals(byFlames.getOrDefault(f, 0), stats.get("byFlames").get(String.valueOf(f)).asInt(), "flames " + f);
        }
        assertEquals(List.of("cold", "warm", "hot"), fieldNames(stats.get("byRange")), "the model's ranges, in order");
        byRange.forEach((name, n) -> assertEquals(n, stats.get("byRange").get(name).asInt(), name));
        JsonNode buckets = stats.get("histogram");
        assertEquals(12, buckets.size());
        assertTrue(buckets.get(0).get("min").isNull());
        assertEquals(-1, buckets.get(0).get("max").asInt());
        assertEquals(0, buckets.get(1).get("min").asInt());
        assertEquals(1, buckets.get(1).get("max").asInt());
        assertEquals(20, buckets.get(11).get("min").asInt());
        assertTrue(buckets.get(11).get("max").isNull());
        for (int b = 0; b < 12; b++) {
            assertEquals(histogram[b], buckets.get(b).get("count").asInt(), "bucket " + b);
        }
        assertEquals(1, stats.get("modelVersion").asInt());
    }

    @Test
    void aContactWhosePointsExpireLeavesTheHotListOnTimeWithoutAnyRequestToIt() {
        String tenant = "leads-expiry";
        node.publish(tenant, """
                {"idealScore": 10, "rules": [
                  {"id": "demo", "name": "Asked for a demo", "points": 10, "expiresAfter": "PT5S",
                   "criterion": {"type": "tag", "anyOf": ["demo"]}},
                  {"id": "lead", "name": "A lead", "points": 1, "criterion": {"type": "tag", "anyOf": ["lead"]}}]}""");
        Instant applied = Instant.now();
        Instant expires = applied.plusSeconds(5);
        node.record(tenant, tagApplied("hot-1", "demo", applied), tagApplied("hot-1", "lead", applied),
                tagApplied("cold-1", "lead", applied));
        // A write is answered once durable, before the contact rescores (DECISIONS.md, "The call
        // list follows a write"): the lead is in the list a moment after the 202.
        eventually(Duration.ofSeconds(5), () -> assertEquals(List.of("hot-1"), ids(leads(tenant, "?minFlames=4")),
                "hot a moment after the events are accepted"));

        // Only the call list is asked: the contact's own timer takes it out when its points expire.
        Instant askedWhenGone = eventually(Duration.ofSeconds(20), () -> {
            Instant asked = Instant.now();
            assertEquals(List.of(), ids(leads(tenant, "?minFlames=4")), "the demo points expired");
            return asked;
        });
        assertFalse(askedWhenGone.isBefore(expires), "gone at " + askedWhenGone + ", before its points expired at "
                + expires);
        JsonNode all = leads(tenant, "");
        assertEquals(List.of("cold-1", "hot-1"), ids(all), "both at 1 point now, by contact id");
        assertEquals(1, all.get("leads").get(1).get("score").asInt());
    }

    @Test
    void aModelChangeThatMakesPointsExpireSoonerTakesTheContactOutOnTime() {
        String tenant = "leads-sooner";
        String model = """
                {"idealScore": 10, "rules": [
                  {"id": "demo", "name": "Asked for a demo", "points": 10, "expiresAfter": "%s",
                   "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""";
        node.publish(tenant, model.formatted("P30D"));
        Instant applied = Instant.now();
        node.record(tenant, tagApplied("hot-1", "demo", applied));
        // In the list a moment after the 202 (DECISIONS.md "The call list follows a write").
        eventually(Duration.ofSeconds(3), () -> assertEquals(List.of("hot-1"), ids(leads(tenant, "?minFlames=4"))));

        // The contact's timer is armed 30 days out; the rescoring places its new lead itself and
        // tells the contact its score is due sooner, or it would stay hot for a month.
        node.publish(tenant, model.formatted("PT4S"));
        Instant expires = applied.plusSeconds(4);
        Instant askedWhenGone = eventually(Duration.ofSeconds(20), () -> {
            Instant asked = Instant.now();
            assertEquals(List.of(), ids(leads(tenant, "?minFlames=4")), "the demo points expired");
            return asked;
        });
        assertFalse(askedWhenGone.isBefore(expires), "gone at " + askedWhenGone + ", before " + expires);
    }

    @Test
    void aModelChangeReordersTheCallList() {
        String tenant = seed("leads-model");
        // Tag a is now worth the most: every contact holding it comes first.
        node.publish(tenant, MODEL.replace("\"points\": 1,", "\"points\": 64,"));
        List<String> expected = IntStream.range(0, CONTACTS).filter(i -> scoreOf(i) > 0).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -(scoreOf(i) + 63 * (scoreOf(i) & 1)))
                        .thenComparing(i -> contactId(i)))
                .map(LeadsEndToEndTest::contactId).toList();
        assertEquals(expected, allPages(tenant, "", 1000));
    }

    @Test
    void aPreviewShowsWhatPublishingWouldDoWithoutChangingAnything() {
        String tenant = seed("leads-preview");
        // Tag a worth 64 instead of 1 and an ideal score of 40: every contact holding a moves by 63.
        String candidate = MODEL.replace("\"points\": 1,", "\"points\": 64,").replace("\"idealScore\": 20", "\"idealScore\": 40");
        HttpReply r = node.send("POST", LeadflameNode.api(tenant) + "/model/preview?movers=10", "application/json",
                candidate);
        assertEquals(200, r.status(), r.body());
        JsonNode preview = r.json();

        HttpReply stats = node.get(LeadflameNode.api(tenant) + "/stats");
        assertEquals(stats.json(), preview.get("current"), "the distribution now, as /stats has it");
        assertEquals(1, node.model(tenant).get("version").asInt(), "nothing was published");
        assertEquals(expectedOrder(score -> score > 0), allPages(tenant, "", 1000), "no score changed");

        JsonNode movers = preview.get("movers");
        assertEquals(10, movers.size());
        // All move by 63 points; among them the largest change of flames first, then by contact id.
        java.util.function.IntUnaryOperator flamesChange = i -> Math.abs(Math.min(5, 5 * (scoreOf(i) + 63) / 40)
                - Math.min(5, 5 * scoreOf(i) / 20));
        List<String> expectedMovers = IntStream.range(0, CONTACTS).filter(i -> (scoreOf(i) & 1) == 1).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -flamesChange.applyAsInt(i))
                        .thenComparing(i -> contactId(i)))
                .map(LeadsEndToEndTest::contactId).limit(10).toList();
        List<String> moverIds = new ArrayList<>();
        movers.forEach(m -> {
            moverIds.add(m.get("contactId").asText());
            assertEquals(63, m.get("change").asInt(), m.toString());
            assertEquals(m.get("score").asInt() + 63, m.get("previewScore").asInt(), m.toString());
        });
        assertEquals(expectedMovers, moverIds, "the most moved, then the most flames moved, then by contact id");

        node.publish(tenant, candidate);
        JsonNode after = node.get(LeadflameNode.api(tenant) + "/stats").json();
        ObjectNode expected = ((ObjectNode) preview.get("preview").deepCopy()).put("modelVersion", 2);
        assertEquals(expected, after, "the preview is what publishing gave");
        movers.forEach(m -> assertEquals(m.get("previewScore").asInt(),
                node.contact(tenant, m.get("contactId").asText()).get("score").asInt(), m.toString()));
    }

    @Test
    void aNewIdealScoreMovesFlamesAndThePreviewSaysWhose() {
        String tenant = seed("leads-preview-ideal");
        HttpReply r = node.send("POST", LeadflameNode.api(tenant) + "/model/preview?movers=5", "application/json",
                MODEL.replace("\"idealScore\": 20", "\"idealScore\": 10"));
        assertEquals(200, r.status(), r.body());
        JsonNode movers = r.json().get("movers");
        assertEquals(5, movers.size(), movers.toString());
        movers.forEach(m -> {
            assertEquals(0, m.get("change").asInt(), m.toString());
            int score = m.get("score").asInt();
            assertEquals(Math.min(5, 5 * score / 10) - Math.min(5, 5 * score / 20),
                    m.get("previewFlames").asInt() - m.get("flames").asInt(), m.toString());
            assertEquals(3, m.get("previewFlames").asInt() - m.get("flames").asInt(),
                    "the largest flames change first: " + m);
        });
    }

    @Test
    void anInvalidCandidateIsRefusedWithEveryProblem() {
        HttpReply r = node.send("POST", LeadflameNode.api("leads-preview-bad") + "/model/preview", "application/json",
                "{\"idealScore\": 0, \"rules\": [{\"id\": \"x\"}]}");
        JsonNode error = assertError(r, 400, "invalid");
        assertTrue(error.get("details").size() >= 2, error.toString());
        assertError(node.send("POST", LeadflameNode.api("leads-preview-bad") + "/model/preview", "text/plain", "{}"),
                415, "unsupported_media_type");
    }

    @Test
    void badQueriesAreRefusedWithWhatIsWrong() {
        String tenant = seed("leads-errors");
        for (String query : List.of("?minFlames=6", "?minFlames=x", "?limit=0", "?limit=1001", "?minScore=1.5",
                "?range=lukewarm", "?after=not-a-cursor")) {
            HttpReply r = node.get(LeadflameNode.api(tenant) + "/leads" + query);
            JsonNode error = assertError(r, 400, "invalid");
            String parameter = query.substring(1, query.indexOf('='));
            assertEquals(parameter, error.get("details").get(0).get("path").asText(), error.toString());
        }
        JsonNode two = assertError(node.get(LeadflameNode.api(tenant) + "/leads?minFlames=9&limit=-1"), 400, "invalid");
        assertEquals(2, two.get("details").size(), two.toString());
        assertTrue(assertError(node.get(LeadflameNode.api("leads-no-ranges") + "/leads?range=hot"), 400, "invalid")
                .get("message").asText().contains("no ranges"));
    }

    private static List<String> ids(JsonNode page) {
        return E2e.texts(page.get("leads"), "contactId");
    }

    private static List<String> ruleIds(JsonNode reasons) {
        return E2e.texts(reasons, "ruleId");
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

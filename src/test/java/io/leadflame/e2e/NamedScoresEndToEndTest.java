package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.ScoreChangesListener;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.tagApplied;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named scores over real HTTP (issue 16): a tenant keeps, beside its default score, scores with
 * models of their own, each with its call list, distribution, contact reads, versions and
 * preview; the default score's API is unchanged; a named score can be deleted and restored, and
 * everything survives a restart.
 */
class NamedScoresEndToEndTest extends NodePerTest {

    private static final String TENANT = "named";
    private static final String DEFAULT_MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "lead", "name": "A lead", "points": 1, "criterion": {"type": "tag", "anyOf": ["lead"]}}]}""";
    private static final String INTEREST = """
            {"idealScore": 10, "rules": [
              {"id": "pricing", "name": "Looked at pricing", "points": 8, "criterion": {"type": "tag", "anyOf": ["pricing"]}},
              {"id": "docs", "name": "Read the docs", "points": 3, "criterion": {"type": "tag", "anyOf": ["docs"]}}]}""";
    private static final String READINESS = """
            {"idealScore": 10, "rules": [
              {"id": "demo", "name": "Asked for a demo", "points": 10, "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""";

    private static String score(String name) {
        return LeadflameNode.api(TENANT) + "/scores/" + name;
    }

    @Test
    void eachNamedScoreHasItsOwnModelCallListStatsAndContactReadsAndARestartKeepsThem() {
        node = LeadflameNode.start(dataDir);
        node.publish(TENANT, DEFAULT_MODEL);
        assertEquals(200, node.send("PUT", score("product-interest") + "/model", "application/json", INTEREST).status());
        HttpReply readiness = node.send("PUT", score("sales-readiness") + "/model", "application/json", READINESS);
        assertEquals(200, readiness.status(), readiness.body());
        assertEquals(1, readiness.json().get("version").asLong());
        Instant now = Instant.now();
        node.record(TENANT, tagApplied("c-1", "lead", now), tagApplied("c-1", "pricing", now),
                tagApplied("c-2", "lead", now), tagApplied("c-2", "demo", now), tagApplied("c-2", "docs", now),
                tagApplied("c-3", "lead", now));

        JsonNode scores = eventually(Duration.ofSeconds(3), () -> {
            JsonNode listed = node.get(LeadflameNode.api(TENANT) + "/scores").json();
            assertEquals(List.of("default", "product-interest", "sales-readiness"), names(listed));
            return listed;
        });
        assertEquals(2, scores.at("/scores/1/rules").asInt(), scores.toString());

        // Each list in its own score's order, the default one unchanged.
        eventually(Duration.ofSeconds(3), () -> assertEquals(List.of("c-1", "c-2", "c-3"),
                contactIds(node.get(LeadflameNode.api(TENANT) + "/leads").json())));
        JsonNode interest = node.get(score("product-interest") + "/leads").json();
        assertEquals(List.of("c-1", "c-2", "c-3"), contactIds(interest));
        assertEquals(List.of(8L, 3L, 0L), scoresOf(interest));
        assertEquals("pricing", interest.at("/leads/0/reasons/0/ruleId").asText(), interest.toString());
        assertEquals(List.of("c-2"), contactIds(node.get(score("sales-readiness") + "/leads?minFlames=5").json()));
        // Paged in that order: the next page of one starts after c-1.
        JsonNode first = node.get(score("product-interest") + "/leads?minScore=1&limit=1").json();
        assertEquals(List.of("c-1"), contactIds(first));
        JsonNode second = node.get(score("product-interest") + "/leads?minScore=1&limit=1&after="
                + first.get("next").asText()).json();
        assertEquals(List.of("c-2"), contactIds(second));
        assertTrue(second.get("next").isNull(), "c-3 scores 0 here: " + second);
        // The default score under its name is the tenant's default.
        assertEquals(node.get(LeadflameNode.api(TENANT) + "/leads").json(), node.get(score("default") + "/leads").json());

        JsonNode c1 = node.get(score("product-interest") + "/contacts/c-1").json();
        assertEquals(8, c1.get("score").asLong(), c1.toString());
        assertEquals(4, c1.get("flames").asInt(), c1.toString());
        assertEquals("product-interest", c1.get("scoreName").asText());
        assertEquals(1, c1.get("modelVersion").asLong());
        assertEquals(1, node.contact(TENANT, "c-1").get("score").asLong(), "the default score is still its own");
        assertFalse(node.contact(TENANT, "c-1").has("scoreName"));
        assertEquals(10, node.get(score("sales-readiness") + "/contacts/c-2/score").json().get("score").asLong());
        JsonNode history = node.get(score("product-interest") + "/contacts/c-2/history?days=1").json();
        assertEquals(3, history.at("/changes/0/score").asLong(), history.toString());
        assertError(node.get(score("product-interest") + "/contacts/nobody"), 404, "not_found");

        JsonNode stats = node.get(score("product-interest") + "/stats").json();
        assertEquals(3, stats.get("contacts").asLong(), stats.toString());
        assertEquals(1, stats.get("modelVersion").asLong(), stats.toString());

        // A preview of a named score compares with that score, and is what publishing gives.
        String moreInterest = INTEREST.replace("\"points\": 3", "\"points\": 6");
        HttpReply preview = node.send("POST", score("product-interest") + "/model/preview", "application/json",
                moreInterest);
        assertEquals(200, preview.status(), preview.body());
        assertEquals(stats, preview.json().get("current"), "the current side is this score's distribution");
        assertEquals(List.of("c-2"), preview.json().findValuesAsText("contactId"), preview.body());
        assertEquals(3, preview.json().at("/movers/0/score").asLong(), preview.body());
        HttpReply published = node.send("PUT", score("product-interest") + "/model", "application/json", moreInterest);
        assertEquals(2, published.json().get("version").asLong(), published.body());
        ObjectNode expected = ((ObjectNode) preview.json().get("preview").deepCopy()).put("modelVersion", 2);
        eventually(Duration.ofSeconds(3), () ->
                assertEquals(expected, node.get(score("product-interest") + "/stats").json()));
        assertEquals(6, node.get(score("product-interest") + "/contacts/c-2").json().get("score").asLong());
        // Accounts roll up under a named score's model when it says so, as under the default's.
        assertError(node.get(score("product-interest") + "/accounts"), 409, "conflict");
        node.record(TENANT, E2e.fieldsUpdated("c-1", now, "company", "Acme"),
                E2e.fieldsUpdated("c-2", now, "company", "Acme"), E2e.fieldsUpdated("c-3", now, "company", "Globex"));
        assertEquals(200, node.send("PUT", score("sales-readiness") + "/model", "application/json",
                READINESS.replaceFirst("\\{", "{\"accounts\": {\"field\": \"company\", \"score\": \"sum\"}, ")).status());
        JsonNode accounts = eventually(Duration.ofSeconds(3), () -> {
            JsonNode list = node.get(score("sales-readiness") + "/accounts").json();
            assertEquals(2, list.get("accounts").size(), list.toString());
            return list;
        });
        assertEquals("Acme", accounts.at("/accounts/0/account").asText(), accounts.toString());
        assertEquals(10, accounts.at("/accounts/0/score").asLong(), "c-2's demo under sales-readiness: " + accounts);
        JsonNode rescoring = eventually(Duration.ofSeconds(3), () -> {
            JsonNode status = node.get(score("product-interest") + "/model/rescoring").json();
            assertTrue(status.get("done").asBoolean(), status.toString());
            return status;
        });
        assertEquals(2, rescoring.get("version").asLong(), rescoring.toString());
        assertEquals(3, rescoring.get("contacts").asLong(), "scored when read, every contact counts: " + rescoring);
        assertEquals(List.of(2L, 1L), versions(node.get(score("product-interest") + "/model/versions").json()));

        List<JsonNode> before = new ArrayList<>();
        for (String name : List.of("default", "product-interest", "sales-readiness")) {
            before.add(node.get(score(name) + "/leads").json());
        }
        node.close();
        node = null;
        node = LeadflameNode.start(dataDir);
        assertEquals(List.of("default", "product-interest", "sales-readiness"),
                names(node.get(LeadflameNode.api(TENANT) + "/scores").json()));
        List<JsonNode> after = new ArrayList<>();
        for (String name : List.of("default", "product-interest", "sales-readiness")) {
            after.add(eventually(Duration.ofSeconds(10), () -> {
                JsonNode list = node.get(score(name) + "/leads").json();
                assertEquals(3, list.get("leads").size(), list.toString());
                assertFalse(list.get("partial").asBoolean(), list.toString());
                return list;
            }));
        }
        assertEquals(before, after, "a restart scores every named score alike");
    }

    @Test
    void aNamedScoresLiveChangesFollowItsEventsAndItsOwnExpiryApartFromTheDefaultStream() throws Exception {
        node = LeadflameNode.start(dataDir);
        node.publish(TENANT, DEFAULT_MODEL);
        // A demo's 10 points for 3 seconds: the named score changes by itself, the default does not.
        HttpReply fleeting = node.send("PUT", score("fleeting") + "/model", "application/json", """
                {"idealScore": 10, "rules": [{"id": "demo", "name": "Asked for a demo", "points": 10,
                  "expiresAfter": "PT3S", "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""");
        assertEquals(200, fleeting.status(), fleeting.body());
        eventually(Duration.ofSeconds(3), () -> assertEquals(List.of("default", "fleeting"),
                names(node.get(LeadflameNode.api(TENANT) + "/scores").json())));
        assertError(node.get(score("nope") + "/score-changes"), 404, "not_found");

        try (ScoreChangesListener named = new ScoreChangesListener(node.uri(score("fleeting") + "/score-changes?minFlames=5"));
             ScoreChangesListener all = new ScoreChangesListener(node.uri(LeadflameNode.api(TENANT) + "/score-changes"))) {
            Instant at = Instant.now();
            node.record(TENANT, tagApplied("c-1", "demo", at), tagApplied("c-1", "lead", at),
                    tagApplied("c-2", "lead", at));

            JsonNode up = named.next("c-1");
            assertEquals("fleeting", up.get("scoreName").asText(), up.toString());
            assertEquals(List.of(10L, 0L, 5L), List.of(up.get("score").asLong(), up.get("previous").asLong(),
                    up.get("flames").asLong()), up.toString());
            assertEquals("event", up.get("reason").asText());
            JsonNode down = named.next("c-1");
            assertEquals(List.of(0L, 10L), List.of(down.get("score").asLong(), down.get("previous").asLong()),
                    down.toString());
            assertEquals("expiry", down.get("reason").asText(), "the contact's own timer: " + down);
            assertFalse(Instant.parse(down.get("at").asText()).isBefore(at.plusSeconds(3)), down.toString());
            assertEquals(0, named.drain().size(), "c-2 never reached 5 flames under this score");

            // A new version of the named score's model: what it changes is heard as a model change.
            HttpReply v2 = node.send("PUT", score("fleeting") + "/model", "application/json", """
                    {"idealScore": 10, "rules": [{"id": "lead", "name": "A lead", "points": 10,
                      "criterion": {"type": "tag", "anyOf": ["lead"]}}]}""");
            assertEquals(200, v2.status(), v2.body());
            Set<String> moved = new TreeSet<>();
            for (int i = 0; i < 2; i++) {
                JsonNode change = named.poll(ScoreChangesListener.WAIT);
                assertEquals(List.of("model", "10", "0"), List.of(change.get("reason").asText(),
                        change.get("score").asText(), change.get("previous").asText()), change.toString());
                moved.add(change.get("contactId").asText());
            }
            assertEquals(Set.of("c-1", "c-2"), moved);

            // The default stream hears the default score only: each contact's lead point.
            List<JsonNode> defaults = new ArrayList<>(all.drain());
            assertEquals(2, defaults.size(), defaults.toString());
            defaults.forEach(change -> {
                assertEquals(1, change.get("score").asLong(), change.toString());
                assertFalse(change.has("scoreName"), change.toString());
            });
        }
    }

    @Test
    void aNewVersionThatExpiresSoonerWakesTheContactsInTime() throws Exception {
        node = LeadflameNode.start(dataDir);
        node.publish(TENANT, DEFAULT_MODEL);
        String lasting = """
                {"idealScore": 10, "rules": [{"id": "demo", "name": "Asked for a demo", "points": 10,
                  "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""";
        assertEquals(200, node.send("PUT", score("demo") + "/model", "application/json", lasting).status());
        eventually(Duration.ofSeconds(3), () -> assertEquals(List.of("default", "demo"),
                names(node.get(LeadflameNode.api(TENANT) + "/scores").json())));
        Instant at = Instant.now();
        node.record(TENANT, tagApplied("c-1", "demo", at));

        try (ScoreChangesListener named = new ScoreChangesListener(node.uri(score("demo") + "/score-changes"))) {
            // The contact's timer was armed for no change at all: the new version's expiry wakes it.
            HttpReply fleeting = node.send("PUT", score("demo") + "/model", "application/json",
                    lasting.replace("\"points\": 10,", "\"points\": 10, \"expiresAfter\": \"PT5S\","));
            assertEquals(200, fleeting.status(), fleeting.body());
            JsonNode expired = named.next("c-1");
            assertEquals(List.of("expiry", "0", "10"), List.of(expired.get("reason").asText(),
                    expired.get("score").asText(), expired.get("previous").asText()), expired.toString());
            assertFalse(Instant.parse(expired.get("at").asText()).isBefore(at.plusSeconds(5)), expired.toString());
        }
    }

    @Test
    void aContactForgetsOnlyWhatNoScoreCountsAndARestartScoresAlike() {
        // 5 activities a name are kept beyond what a model counts: the default model counts no
        // visit, the named score each of them.
        node = LeadflameNode.start(dataDir, ConfigFactory.parseMap(Map.of("leadflame.contact.activities-per-name", 5)));
        node.publish(TENANT, DEFAULT_MODEL);
        HttpReply visits = node.send("PUT", score("visits") + "/model", "application/json", """
                {"idealScore": 20, "rules": [{"id": "visit", "name": "Visits", "points": 1, "count": "each",
                  "criterion": {"type": "activity", "activity": "page_visited"}}]}""");
        assertEquals(200, visits.status(), visits.body());
        eventually(Duration.ofSeconds(3), () -> assertEquals(List.of("default", "visits"),
                names(node.get(LeadflameNode.api(TENANT) + "/scores").json())));
        Instant at = Instant.now().minusSeconds(60);
        node.record(TENANT, tagApplied("c-1", "lead", at));
        for (int batch = 0; batch < 3; batch++) {
            List<JsonNode> events = new ArrayList<>();
            for (int v = 0; v < 4; v++) {
                events.add(E2e.activity("c-1", "page_visited", at.plusMillis(10L * batch + v)));
            }
            node.record(TENANT, events.toArray(JsonNode[]::new));
        }
        // 12 visits: beyond 5 + 5/4, the contact compacts after a write, and keeps all 12.
        eventually(Duration.ofSeconds(3), () ->
                assertEquals(12, node.get(score("visits") + "/contacts/c-1").json().get("score").asLong()));
        assertEquals(1, node.contact(TENANT, "c-1").get("score").asLong());

        node.close();
        node = null;
        node = LeadflameNode.start(dataDir, ConfigFactory.parseMap(Map.of("leadflame.contact.activities-per-name", 5)));
        assertEquals(12, node.get(score("visits") + "/contacts/c-1").json().get("score").asLong(),
                "nothing a named score counts was forgotten");
    }

    @Test
    void aDeletedScoreLeavesTheListKeepsItsVersionsAndARestoreBringsItBack() {
        node = LeadflameNode.start(dataDir);
        node.record(TENANT, tagApplied("c-1", "demo", Instant.now()));
        assertEquals(200, node.send("PUT", score("sales-readiness") + "/model", "application/json", READINESS).status());

        assertError(node.send("DELETE", score("default"), null, null), 400, "invalid");
        assertError(node.send("DELETE", score("nope"), null, null), 404, "not_found");
        assertEquals(204, node.send("DELETE", score("sales-readiness"), null, null).status());
        eventually(Duration.ofSeconds(3), () -> assertEquals(List.of("default"),
                names(node.get(LeadflameNode.api(TENANT) + "/scores").json())));
        assertError(node.get(score("sales-readiness") + "/leads"), 404, "not_found");
        assertError(node.get(score("sales-readiness") + "/contacts/c-1"), 404, "not_found");
        assertEquals(List.of(2L, 1L), versions(node.get(score("sales-readiness") + "/model/versions").json()));

        assertEquals(200, node.send("POST", score("sales-readiness") + "/model/versions/1/restore", null, null).status());
        eventually(Duration.ofSeconds(3), () -> assertEquals(List.of("default", "sales-readiness"),
                names(node.get(LeadflameNode.api(TENANT) + "/scores").json())));
        assertEquals(10, node.get(score("sales-readiness") + "/contacts/c-1").json().get("score").asLong());
    }

    @Test
    void badNamesUnknownScoresAndTooManyScoresAreRefusedAndChangeNothing() {
        node = LeadflameNode.start(dataDir);
        assertError(node.get(score("Bad.Name") + "/leads"), 400, "invalid");
        assertError(node.send("PUT", score("-dash") + "/model", "application/json", READINESS), 400, "invalid");
        assertError(node.get(score("typo") + "/leads"), 404, "not_found");
        assertError(node.get(score("typo") + "/stats"), 404, "not_found");
        assertError(node.send("PUT", score("broken") + "/model", "application/json", "{\"idealScore\": -1}"),
                400, "invalid");

        for (int i = 0; i < 10; i++) {
            HttpReply put = node.send("PUT", score("s" + i) + "/model", "application/json", READINESS);
            assertEquals(200, put.status(), put.body());
        }
        eventually(Duration.ofSeconds(3), () ->
                assertEquals(11, node.get(LeadflameNode.api(TENANT) + "/scores").json().get("scores").size()));
        assertError(node.send("PUT", score("s10") + "/model", "application/json", READINESS), 409, "conflict");
        // A score the tenant has takes new versions still.
        assertEquals(200, node.send("PUT", score("s3") + "/model", "application/json", INTEREST).status());
        assertEquals(11, node.get(LeadflameNode.api(TENANT) + "/scores").json().get("scores").size());
        // One deleted makes room for another; restoring the deleted one then counts as creating it.
        assertEquals(204, node.send("DELETE", score("s0"), null, null).status());
        eventually(Duration.ofSeconds(3), () ->
                assertEquals(10, node.get(LeadflameNode.api(TENANT) + "/scores").json().get("scores").size()));
        assertEquals(200, node.send("PUT", score("s10") + "/model", "application/json", READINESS).status());
        eventually(Duration.ofSeconds(3), () ->
                assertEquals(11, node.get(LeadflameNode.api(TENANT) + "/scores").json().get("scores").size()));
        assertError(node.send("POST", score("s0") + "/model/versions/1/restore", null, null), 409, "conflict");
        assertError(node.get(score("s0") + "/leads"), 404, "not_found");
    }

    @Test
    void deletingATenantDeletesItsNamedScores() {
        node = LeadflameNode.start(dataDir);
        node.record(TENANT, tagApplied("c-1", "demo", Instant.now()));
        assertEquals(200, node.send("PUT", score("sales-readiness") + "/model", "application/json", READINESS).status());
        eventually(Duration.ofSeconds(3), () ->
                assertEquals(2, node.get(LeadflameNode.api(TENANT) + "/scores").json().get("scores").size()));

        assertEquals(202, node.send("DELETE", LeadflameNode.api(TENANT), null, null).status());
        eventually(Duration.ofSeconds(20), () -> assertEquals("deleted",
                node.get(LeadflameNode.api(TENANT) + "/deletion").json().path("status").asText()));
        assertEquals(List.of("default"), names(node.get(LeadflameNode.api(TENANT) + "/scores").json()));
        assertError(node.get(score("sales-readiness") + "/leads"), 404, "not_found");
    }

    private static List<String> names(JsonNode scores) {
        return E2e.texts(scores.get("scores"), "name");
    }

    private static List<String> contactIds(JsonNode page) {
        return E2e.texts(page.get("leads"), "contactId");
    }

    private static List<Long> scoresOf(JsonNode page) {
        return E2e.longs(page.get("leads"), "score");
    }

    private static List<Long> versions(JsonNode list) {
        return E2e.longs(list.get("versions"), "version");
    }
}

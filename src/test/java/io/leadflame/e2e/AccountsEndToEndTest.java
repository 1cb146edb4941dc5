package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import java.util.TreeMap;
import java.util.Map;
import io.leadflame.testing.ScoreChangesListener;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.fieldsUpdated;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Account roll-up over real HTTP (issue 16): contacts with the same company form an account scored
 * by the tenant's choice (sum, max, top-N average), listed hottest first, following writes and
 * model changes live, page by page, and the same after a restart.
 */
class AccountsEndToEndTest extends NodePerTest {

    private static final String TENANT = "accounts";
    private static final String MODEL = """
            {"idealScore": 20, "accounts": ACCOUNTS, "rules": [
              {"id": "visit", "name": "Visits", "points": 2, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}}]}""";

    private List<String> accounts(String query) {
        JsonNode list = node.get(LeadflameNode.api(TENANT) + "/accounts" + query).json();
        List<String> out = new ArrayList<>();
        list.get("accounts").forEach(a -> out.add(a.get("account").asText() + "=" + a.get("score").asLong() + "/"
                + a.get("contacts").asInt()));
        return out;
    }

    /** The latest event of each account, polled until {@code done} holds of them (or the listener's wait passes). */
    private static Map<String, JsonNode> accountEvents(ScoreChangesListener live,
                                                       java.util.function.Predicate<Map<String, JsonNode>> done)
            throws InterruptedException {
        Map<String, JsonNode> latest = new TreeMap<>();
        long deadline = System.nanoTime() + ScoreChangesListener.WAIT.toNanos();
        while (!done.test(latest) && System.nanoTime() < deadline) {
            JsonNode event = live.poll(Duration.ofMillis(200));
            if (event != null) {
                latest.put(event.get("account").asText(), event);
            }
        }
        return latest;
    }

    private static String scoreOf(Map<String, JsonNode> latest, String account) {
        JsonNode a = latest.get(account);
        return a == null ? null : a.get("score").asLong() + "/" + a.get("contacts").asInt();
    }

    @Test
    void anAccountsScoreIsStreamedAsItsContactsChange() throws Exception {
        node = LeadflameNode.start(dataDir);
        String api = LeadflameNode.api(TENANT);
        assertError(node.get(api + "/accounts/changes"), 409, "conflict");
        node.publish(TENANT, MODEL.replace("ACCOUNTS", "{\"field\": \"company\", \"score\": \"sum\"}"));
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        node.record(TENANT, fieldsUpdated("c-1", t, "company", "Acme"), activity("c-1", "page_visited", t));
        eventually(Duration.ofSeconds(5), () -> assertEquals(List.of("Acme=2/1"), accounts("")));

        try (ScoreChangesListener live = new ScoreChangesListener(node.uri(api + "/accounts/changes"))) {
            // A second Acme contact, and another visit of the first: Acme 4 + 2 with 2 contacts.
            node.record(TENANT, fieldsUpdated("c-2", t, "company", "Acme"), activity("c-2", "page_visited",
                    t.plusSeconds(1)), activity("c-1", "page_visited", t.plusSeconds(2)));
            Map<String, JsonNode> latest = accountEvents(live, l -> "6/2".equals(scoreOf(l, "Acme")));
            assertEquals("6/2", scoreOf(latest, "Acme"), latest.toString());

            // c-1 moves to Globex: Acme keeps c-2's 2, Globex gets c-1's 4.
            node.record(TENANT, fieldsUpdated("c-1", t.plusSeconds(3), "company", "Globex"));
            latest = accountEvents(live, l -> "4/1".equals(scoreOf(l, "Globex")) && "2/1".equals(scoreOf(l, "Acme")));
            assertEquals("4/1", scoreOf(latest, "Globex"), latest.toString());
            assertEquals("2/1", scoreOf(latest, "Acme"), latest.toString());
            assertEquals(0, latest.get("Globex").get("previous").asLong(), "a new account comes from 0");
            // c-2 leaves every account: Acme is gone, at 0.
            node.record(TENANT, fieldsUpdated("c-2", t.plusSeconds(4), "company", null));
            latest = accountEvents(live, l -> "0/0".equals(scoreOf(l, "Acme")));
            assertEquals("0/0", scoreOf(latest, "Acme"), latest.toString());
            assertEquals(2, latest.get("Acme").get("previous").asLong(), latest.toString());
        }
    }

    @Test
    void contactsRollUpIntoAccountsScoredAsTheTenantChoosesAndFollowWritesLive() {
        node = LeadflameNode.start(dataDir);
        String api = LeadflameNode.api(TENANT);
        assertError(node.get(api + "/accounts"), 409, "conflict");
        node.publish(TENANT, MODEL.replace("ACCOUNTS", "{\"field\": \"company\", \"score\": \"sum\"}"));
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
        List<JsonNode> events = new ArrayList<>();
        String[][] contacts = {{"c-1", "Acme", "3"}, {"c-2", "Acme", "1"}, {"c-3", "Globex", "2"},
                {"c-4", "Globex", "2"}, {"c-5", null, "5"}};
        for (String[] c : contacts) {
            if (c[1] != null) {
                events.add(fieldsUpdated(c[0], t, "company", c[1]).put("eventId", c[0] + "-company"));
            }
            for (int v = 0; v < Integer.parseInt(c[2]); v++) {
                events.add(activity(c[0], "page_visited", t.plusSeconds(v + 1)).put("eventId", c[0] + "-v" + v));
            }
        }
        node.record(TENANT, events.toArray(JsonNode[]::new));

        // Acme 6 + 2, Globex 4 + 4: a tie goes by name; c-5 belongs to no account.
        eventually(Duration.ofSeconds(5), () -> assertEquals(List.of("Acme=8/2", "Globex=8/2"), accounts("")));
        JsonNode acme = node.get(api + "/accounts").json().at("/accounts/0");
        assertEquals("c-1", acme.at("/hottest/0/contactId").asText(), acme.toString());
        assertEquals(6, acme.at("/hottest/0/score").asLong(), acme.toString());

        // One more visit of a Globex contact: the account list follows it.
        node.record(TENANT, activity("c-3", "page_visited", t.plusSeconds(30)).put("eventId", "c-3-more"));
        eventually(Duration.ofSeconds(5), () -> assertEquals(List.of("Globex=10/2", "Acme=8/2"), accounts("")));

        // A page at a time.
        JsonNode first = node.get(api + "/accounts?limit=1").json();
        assertEquals(1, first.get("accounts").size());
        assertEquals(List.of("Acme=8/2"), accounts("?limit=1&after=" + first.get("next").asText()));
        assertTrue(node.get(api + "/accounts?limit=1&after=" + first.get("next").asText()).json().get("next").isNull());
        assertError(node.get(api + "/accounts?limit=0"), 400, "invalid");
        assertError(node.get(api + "/accounts?after=nonsense"), 400, "invalid");

        // The average of each account's two hottest: Globex (6 + 4) / 2, Acme (6 + 2) / 2.
        node.publish(TENANT, MODEL.replace("ACCOUNTS", "{\"field\": \"company\", \"score\": \"topAverage\", \"top\": 2}"));
        assertEquals(List.of("Globex=5/2", "Acme=4/2"), accounts(""));
        node.publish(TENANT, MODEL.replace("ACCOUNTS", "{\"field\": \"company\", \"score\": \"max\"}"));
        assertEquals(List.of("Acme=6/2", "Globex=6/2"), accounts(""));
        assertEquals("max", node.model(TENANT).at("/accounts/score").asText());

        node.close();
        node = null;
        node = LeadflameNode.start(dataDir);
        eventually(Duration.ofSeconds(10), () -> assertEquals(List.of("Acme=6/2", "Globex=6/2"), accounts("")));
    }

    @Test
    void aRollUpThatCannotBeIsRefusedWithWhereAndWhy() {
        node = LeadflameNode.start(dataDir);
        JsonNode error = assertError(node.putModel(TENANT,
                MODEL.replace("ACCOUNTS", "{\"field\": \"company\", \"score\": \"sum\", \"top\": 2}"), null), 400, "invalid");
        assertEquals("accounts.top", error.at("/details/0/path").asText(), error.toString());
        JsonNode mode = assertError(node.putModel(TENANT,
                MODEL.replace("ACCOUNTS", "{\"field\": \"company\", \"score\": \"median\"}"), null), 400, "invalid");
        assertEquals("accounts.score", mode.at("/details/0/path").asText(), mode.toString());
        JsonNode field = assertError(node.putModel(TENANT, MODEL.replace("ACCOUNTS", "{\"score\": \"sum\"}"), null),
                400, "invalid");
        assertEquals("accounts.field", field.at("/details/0/path").asText(), field.toString());
    }
}

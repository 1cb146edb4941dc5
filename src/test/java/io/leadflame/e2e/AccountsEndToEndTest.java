package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

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

package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.Eventually;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.ScoreChangesListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.leadflame.e2e.E2e.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys on one node over real HTTP (README "Security"): every route of the tenant API without
 * a key, with a bad one, with another tenant's and with each role's; a key's life from creation
 * to revocation, across a restart.
 */
class ApiKeysEndToEndTest {

    static final String OPERATOR_KEY = "operator-key-for-tests-0123456789abcdef";
    private static final String TENANT = "acme";
    private static final String MODEL = """
            {"idealScore": 10, "rules": [{"id": "visit", "name": "Visit", "points": 1,
              "criterion": {"type": "activity", "activity": "page_visited"}}]}""";
    private static final String EVENT = "{\"contactId\": \"c-1\", \"type\": \"page_visited\"}";

    @TempDir
    Path dataDir;
    private LeadflameNode node;

    /** One route of the tenant API and the role it needs ({@code operator}: no tenant key may). */
    private record Call(String method, String path, String body, String needs) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every route of API.md and the call list, webhooks and keys, for {@code tenant}. */
    private static List<Call> everyRoute(String tenant) {
        String api = LeadflameNode.api(tenant);
        return List.of(
                new Call("POST", api + "/events", EVENT, "ingest"),
                new Call("GET", api + "/contacts/c-1", null, "read"),
                new Call("GET", api + "/contacts/c-1/score", null, "read"),
                new Call("GET", api + "/contacts/c-1/history", null, "read"),
                new Call("DELETE", api + "/contacts/c-2", null, "admin"),
                new Call("GET", api + "/leads", null, "read"),
                new Call("GET", api + "/stats", null, "read"),
                new Call("GET", api + "/accounts", null, "read"),
                new Call("GET", api + "/score-changes", null, "read"),
                new Call("GET", api + "/model", null, "read"),
                new Call("GET", api + "/model/rescoring", null, "read"),
                new Call("PUT", api + "/model", MODEL, "admin"),
                new Call("POST", api + "/model/preview", MODEL, "admin"),
                new Call("GET", api + "/model/versions", null, "read"),
                new Call("GET", "/keap/" + tenant + "/crm/rest/v2/contacts/c-1/leadScore", null, "read"),
                new Call("GET", api + "/model/versions/1", null, "read"),
                new Call("GET", api + "/model/versions/1/diff", null, "read"),
                new Call("POST", api + "/model/versions/1/restore", null, "admin"),
                new Call("GET", api + "/webhooks", null, "read"),
                new Call("GET", api + "/webhooks/hot", null, "read"),
                new Call("PUT", api + "/webhooks/hot", "{\"url\": \"http://127.0.0.1:9/hook\", \"minFlames\": 3}",
                        "admin"),
                new Call("DELETE", api + "/webhooks/hot", null, "admin"),
                new Call("GET", api + "/keys", null, "admin"),
                new Call("POST", api + "/keys", "{\"name\": \"k\", \"role\": \"read\"}", "admin"),
                new Call("DELETE", api + "/keys/0123456789abcdef", null, "admin"),
                // Deleting the tenant itself is the operator's only (TenantDeletionEndToEndTest).
                new Call("GET", api + "/deletion", null, "operator"));
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private LeadflameNode start() {
        return start(ConfigFactory.empty());
    }

    private LeadflameNode start(Config more) {
        Config keysOn = ConfigFactory.parseMap(Map.of("leadflame.auth.operator-key", OPERATOR_KEY));
        return LeadflameNode.start(dataDir, more.withFallback(keysOn));
    }

    @Test
    void aKeyPastItsRateIsToldToWaitAndOtherKeysAreNot() {
        node = start(ConfigFactory.parseMap(Map.of("leadflame.auth.rate-limit.requests-per-second", 0.2,
                "leadflame.auth.rate-limit.burst", 3)));
        String busy = createKey(TENANT, "runaway sync", "read").path("key").asText();
        String calm = createKey(TENANT, "dashboard", "read").path("key").asText();
        Call read = new Call("GET", LeadflameNode.api(TENANT) + "/model", null, "read");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, send(read, busy).status(), "request " + (i + 1) + " of the burst");
        }
        HttpReply refused = send(read, busy);
        assertError(refused, 429, "overloaded");
        assertEquals(1, refused.headers().allValues("Retry-After").size(), refused.headers().toString());
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter + " at 0.2 requests a second");
        assertEquals(200, send(read, calm).status(), "another key of the same tenant has its own allowance");
        assertEquals(200, node.get("/health/ready").status());
    }

    @Test
    void everyRouteAnswers401WithoutAValidKey() {
        node = start();
        String revoked = createKey(TENANT, "soon revoked", "admin").path("key").asText();
        assertEquals(200, send(new Call("DELETE", LeadflameNode.api(TENANT) + "/keys/" + idOf(revoked), null, null),
                OPERATOR_KEY).status());
        List<String> badHeaders = List.of("Bearer not-a-key", "Bearer lf_0123456789abcdef_guess",
                "Basic " + java.util.Base64.getEncoder().encodeToString(("x:" + OPERATOR_KEY).getBytes()),
                "Bearer " + OPERATOR_KEY + "x", "Bearer " + revoked, "Bearer " + "k".repeat(1_000));
        long eventsBefore = node.journalRows();
        for (Call call : everyRoute(TENANT)) {
            List<String> headers = new ArrayList<>(badHeaders);
            headers.add(null);
            for (String header : headers) {
                HttpReply reply = sendWithHeader(call, header);
                assertError(reply, 401, "unauthorized");
                assertEquals("Bearer realm=\"leadflame\"", reply.header("WWW-Authenticate"), call + " " + header);
            }
        }
        // Unknown paths under /api/ too: nobody learns the routes without a key.
        assertError(sendWithHeader(new Call("GET", "/api/v1/nothing-here", null, null), null), 401, "unauthorized");
        assertEquals(eventsBefore, node.journalRows(), "a refused request changed the journal");
        // What operators and probes need stays open.
        assertEquals(200, node.get("/health/ready").status());
        assertEquals(200, node.get("/metrics").status());
        assertEquals(200, node.get("/").status());
    }

    @Test
    void eachRoleAndTenantGetsExactlyItsRoutes() {
        node = start();
        Map<String, String> keys = Map.of(
                "ingest", createKey(TENANT, "CRM sync", "ingest").path("key").asText(),
                "read", createKey(TENANT, "BI export", "read").path("key").asText(),
                "admin", createKey(TENANT, "Ops", "admin").path("key").asText());
        String otherTenantsAdmin = createKey("globex", "Globex ops", "admin").path("key").asText();

        for (Call call : everyRoute(TENANT)) {
            for (Map.Entry<String, String> key : keys.entrySet()) {
                boolean allowed = !call.needs().equals("operator")
                        && (key.getKey().equals("admin") || key.getKey().equals(call.needs()));
                HttpReply reply = send(call, key.getValue());
                if (allowed) {
                    assertNotEquals(401, reply.status(), call + " with " + key.getKey() + ": " + reply.body());
                    assertNotEquals(403, reply.status(), call + " with " + key.getKey() + ": " + reply.body());
                } else {
                    assertError(reply, 403, "forbidden");
                }
            }
            assertError(send(call, otherTenantsAdmin), 403, "forbidden");
            HttpReply operator = send(call, OPERATOR_KEY);
            assertNotEquals(401, operator.status(), call + " with the operator key: " + operator.body());
            assertNotEquals(403, operator.status(), call + " with the operator key: " + operator.body());
        }
        // A tenant that exists and one that never did are refused alike: no hint either way.
        for (String tenant : List.of("globex", "never-seen")) {
            HttpReply reply = send(new Call("GET", LeadflameNode.api(tenant) + "/model", null, "read"), keys.get("read"));
            assertError(reply, 403, "forbidden");
            assertEquals(send(new Call("GET", LeadflameNode.api("acme-two") + "/model", null, "read"),
                    keys.get("read")).body(), reply.body());
        }
        // What an allowed key did, it really did: the ingest key's event was scored.
        Eventually.eventually(LeadflameNode.RESCORED_WITHIN, () -> {
            JsonNode contact = E2e.parse(send(everyRoute(TENANT).get(1), keys.get("read")).body());
            assertTrue(contact.path("score").asLong() >= 1, contact.toString());
        });
    }

    @Test
    void aKeyIsShownOnceWorksUntilRevokedAndSurvivesARestart() {
        node = start();
        JsonNode created = createKey(TENANT, "HubSpot sync", "ingest");
        String key = created.path("key").asText();
        String id = created.path("id").asText();
        assertTrue(key.startsWith("lf_" + id + "_"), created.toString());
        assertEquals("HubSpot sync", created.path("name").asText());
        assertEquals("ingest", created.path("role").asText());
        String second = createKey(TENANT, "Backup", "read").path("key").asText();

        Call post = everyRoute(TENANT).get(0);
        assertEquals(202, send(post, key).status());
        // What a key may do, for clients such as the dashboard; never the key itself.
        Call whoami = new Call("GET", "/api/v1/whoami", null, null);
        JsonNode me = send(whoami, key).json();
        assertEquals("key", me.path("caller").asText(), me.toString());
        assertEquals(TENANT, me.path("tenant").asText());
        assertEquals("ingest", me.path("role").asText());
        assertEquals(id, me.path("keyId").asText());
        assertFalse(me.toString().contains(key.substring(20)), me.toString());
        assertEquals("operator", send(whoami, OPERATOR_KEY).json().path("caller").asText());
        assertError(sendWithHeader(whoami, null), 401, "unauthorized");
        HttpReply list = send(new Call("GET", LeadflameNode.api(TENANT) + "/keys", null, null), OPERATOR_KEY);
        assertEquals(200, list.status(), list.body());
        assertEquals(2, list.json().path("keys").size(), list.body());
        assertFalse(list.body().contains(key.substring(20)), "a listing shows a key's text: " + list.body());
        assertFalse(list.body().contains("hash"), list.body());
        assertFalse(node.journalText().contains(key.substring(20)), "the journal holds a key's text");

        // Bad requests change nothing.
        String keysPath = LeadflameNode.api(TENANT) + "/keys";
        assertError(send(new Call("POST", keysPath, "{\"name\": \"x\", \"role\": \"owner\"}", null), OPERATOR_KEY),
                400, "invalid");
        assertError(send(new Call("POST", keysPath, "{\"role\": \"read\"}", null), OPERATOR_KEY), 400, "invalid");
        assertError(send(new Call("POST", keysPath, "[1]", null), OPERATOR_KEY), 400, "invalid");
        assertError(send(new Call("DELETE", keysPath + "/ffffffffffffffff", null, null), OPERATOR_KEY), 404, "not_found");
        assertEquals(2, send(new Call("GET", keysPath, null, null), OPERATOR_KEY).json().path("keys").size());

        HttpReply revoked = send(new Call("DELETE", keysPath + "/" + id, null, null), OPERATOR_KEY);
        assertEquals(200, revoked.status(), revoked.body());
        assertTrue(revoked.json().has("revokedAt"), revoked.body());
        assertError(send(post, key), 401, "unauthorized");
        assertEquals(200, send(new Call("DELETE", keysPath + "/" + id, null, null), OPERATOR_KEY).status(),
                "revoking twice is not an error");

        node.close();
        node = start();
        assertError(send(post, key), 401, "unauthorized");
        assertEquals(200, send(new Call("GET", LeadflameNode.api(TENANT) + "/model", null, null), second).status(),
                "a key made before the restart still works");
        JsonNode keys = send(new Call("GET", keysPath, null, null), OPERATOR_KEY).json().path("keys");
        assertEquals(2, keys.size(), keys.toString());
        assertTrue(keys.get(0).has("revokedAt") && !keys.get(1).has("revokedAt"), keys.toString());
    }

    @Test
    void aKeyHoldsAtMostItsShareOfLiveStreams() throws Exception {
        node = start(ConfigFactory.parseMap(Map.of("leadflame.http.sse.max-streams-per-key", 1,
                "leadflame.http.sse.heartbeat", "500ms")));
        String first = createKey(TENANT, "wallboard", "read").path("key").asText();
        String second = createKey(TENANT, "sales app", "read").path("key").asText();
        String path = LeadflameNode.api(TENANT) + "/score-changes";
        try (ScoreChangesListener open = new ScoreChangesListener(HttpRequest.newBuilder(node.uri(path))
                .header("Authorization", "Bearer " + first));
             ScoreChangesListener other = new ScoreChangesListener(HttpRequest.newBuilder(node.uri(path))
                     .header("Authorization", "Bearer " + second))) {
            HttpReply refused = send(new Call("GET", path, null, "read"), first);
            assertError(refused, 429, "overloaded");
            assertTrue(refused.body().contains("This key"), refused.body());
            assertFalse(refused.header("Retry-After").isEmpty());
        }
        // Closed streams give their places back (after at most two heartbeats).
        Eventually.eventually(Duration.ofSeconds(10), () -> {
            HttpReply again = send(new Call("GET", path, null, "read"), first);
            assertEquals(200, again.status(), "the key's place is not back yet: " + again.body());
        });
    }

    @Test
    void revokingAKeyEndsItsOpenLiveStream() throws Exception {
        node = start(ConfigFactory.parseMap(Map.of("leadflame.http.sse.heartbeat", "500ms")));
        JsonNode created = createKey(TENANT, "wallboard", "read");
        HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(node.uri(LeadflameNode.api(TENANT)
                        + "/score-changes")).header("Authorization", "Bearer " + created.path("key").asText()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        java.util.concurrent.CompletableFuture<byte[]> untilEnd = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (InputStream in = stream.body()) {
                return in.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertFalse(untilEnd.isDone(), "the stream ended before the key was revoked");
        assertEquals(200, send(new Call("DELETE", LeadflameNode.api(TENANT) + "/keys/" + created.path("id").asText(),
                null, null), OPERATOR_KEY).status());
        // Ends at the next heartbeat (0.5 s here, 15 s by default).
        untilEnd.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void keysForMoreTenantsThanTheLimitAreRefused() {
        node = start(ConfigFactory.parseMap(Map.of("leadflame.auth.max-tenants", 2)));
        createKey("first", "k", "read");
        createKey("second", "k", "read");
        HttpReply refused = send(new Call("POST", LeadflameNode.api("third") + "/keys",
                "{\"name\": \"k\", \"role\": \"read\"}", null), OPERATOR_KEY);
        assertError(refused, 409, "conflict");
        assertTrue(refused.body().contains("LEADFLAME_MAX_TENANTS"), refused.body());
        createKey("first", "another", "admin");
        // A tenant whose keys are all revoked (a deleted one) no longer counts.
        for (JsonNode key : send(new Call("GET", LeadflameNode.api("second") + "/keys", null, null), OPERATOR_KEY)
                .json().path("keys")) {
            send(new Call("DELETE", LeadflameNode.api("second") + "/keys/" + key.path("id").asText(), null, null),
                    OPERATOR_KEY);
        }
        createKey("third", "k", "read");
    }

    /** /health/ready answers without a key: with keys on, what it says of unreadable models names no tenant. */
    @Test
    void readinessNamesNoTenantWhenKeysAreOn() {
        node = start();
        node.storeModelUnvalidated("secret-customer", """
                {"rules":[{"id":"r","name":"r","points":1,"criterion":{"type":"activity","activity":"a",
                  "where":[{"field":"n","op":"gte","value":1e400}]}}]}""");
        Eventually.eventually(LeadflameNode.READY_WITHIN, () -> {
            HttpReply ready = node.get("/health/ready");
            assertEquals(200, ready.status(), ready.body());
            assertEquals("models", ready.json().path("details").get(0).path("path").asText(), ready.body());
            assertFalse(ready.body().contains("secret-customer"), ready.body());
        });
    }

    // ---- helpers

    private JsonNode createKey(String tenant, String name, String role) {
        HttpReply reply = send(new Call("POST", LeadflameNode.api(tenant) + "/keys",
                "{\"name\": \"" + name + "\", \"role\": \"" + role + "\"}", null), OPERATOR_KEY);
        assertEquals(201, reply.status(), reply.body());
        return reply.json();
    }

    private static String idOf(String key) {
        return key.substring(3, 19);
    }

    private HttpReply send(Call call, String key) {
        return sendWithHeader(call, "Bearer " + key);
    }

    /**
     * Sends the call with this {@code Authorization} header (none when null). A live stream
     * that opens is read only up to its headers, then closed.
     */
    private HttpReply sendWithHeader(Call call, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(node.uri(call.path())).timeout(Duration.ofSeconds(30))
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(call.body(), StandardCharsets.UTF_8));
        if (call.body() != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            String contentType = r.headers().firstValue("Content-Type").orElse("");
            try (InputStream body = r.body()) {
                String text = contentType.startsWith("text/event-stream") ? ""
                        : new String(body.readAllBytes(), StandardCharsets.UTF_8);
                return new HttpReply(r.statusCode(), r.headers(), text);
            }
        } catch (Exception e) {
            throw new IllegalStateException(call + ": " + e, e);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
}

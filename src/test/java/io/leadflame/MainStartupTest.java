package io.leadflame;

import io.leadflame.config.StartupRefused;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts a whole node in-process, as the jar does, and talks to it over real HTTP: the
 * configuration loads, the journal schema is created in the given data dir, the node joins
 * itself and the health and error routes answer.
 */
class MainStartupTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    private Main.Started node;

    @AfterEach
    void stopNode() throws Exception {
        if (node != null) {
            node.system().terminate();
            node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void startsAndBecomesReadyOverHttp() throws Exception {
        node = Main.start(overrides(dataDir));

        HttpResponse<String> ready = awaitStatus("/health/ready", 200);
        assertEquals("ready", JSON.readTree(ready.body()).get("status").asText());
        assertEquals("application/json", ready.headers().firstValue("Content-Type").orElse(""));

        HttpResponse<String> alive = get("/health/alive");
        assertEquals(200, alive.statusCode());
        assertEquals("alive", JSON.readTree(alive.body()).get("status").asText());

        // The H2 URL is built from leadflame.data-dir by substitution: the override moved it.
        assertTrue(Files.exists(dataDir.resolve("leadflame.mv.db")), "H2 database file in " + dataDir);
    }

    @Test
    void unknownPathIsAJsonNotFound() throws Exception {
        node = Main.start(overrides(dataDir));

        HttpResponse<String> response = get("/no/such/path");
        assertEquals(404, response.statusCode());
        assertErrorShape(response, "not_found");

        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(uri("/health/alive"))
                .DELETE().build());
        assertEquals(405, wrongMethod.statusCode());
        assertErrorShape(wrongMethod, "method_not_allowed");
    }

    @Test
    void notReadyWhenTheJournalDoesNotAnswer() throws Exception {
        node = Main.start(overrides(dataDir));
        awaitStatus("/health/ready", 200);

        SchemaUtils.dropIfExists(node.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);

        HttpResponse<String> response = get("/health/ready");
        assertEquals(503, response.statusCode());
        JsonNode body = assertErrorShape(response, "not_ready");
        assertTrue(body.get("message").asText().contains("journal"), body.toString());
    }

    @Test
    void refusesAnEmbeddedJournalInAMultiNodeCluster() {
        Config clustered = ConfigFactory.parseMap(Map.of(
                "leadflame.discovery", "kubernetes-api",
                "leadflame.journal", "h2")).withFallback(overrides(dataDir));

        StartupRefused refused = assertThrows(StartupRefused.class, () -> Main.start(clustered));
        assertTrue(refused.getMessage().contains("LEADFLAME_JOURNAL=postgres"), refused.getMessage());
    }

    @Test
    void refusesLiveStreamsThatCouldTakeMoreThanHalfTheConnections() {
        Config greedy = ConfigFactory.parseMap(Map.of(
                "leadflame.http.max-connections", 100,
                "leadflame.http.sse.max-streams", 51)).withFallback(overrides(dataDir));

        StartupRefused refused = assertThrows(StartupRefused.class, () -> Main.start(greedy));
        assertTrue(refused.getMessage().contains("SSE_MAX_STREAMS"), refused.getMessage());
    }

    @Test
    void refusesThePostgresJournalWithoutAUrl() {
        Config postgres = ConfigFactory.parseMap(Map.of(
                "leadflame.journal", "postgres",
                "leadflame.databases.postgres.db.url", "")).withFallback(overrides(dataDir));

        StartupRefused refused = assertThrows(StartupRefused.class, () -> Main.start(postgres));
        assertTrue(refused.getMessage().contains("JDBC_URL"), refused.getMessage());
    }

    @Test
    void refusesClusterDiscoveryThatCannotFormACluster() {
        Config postgres = ConfigFactory.parseMap(Map.of(
                "leadflame.journal", "postgres",
                "leadflame.databases.postgres.db.url", "jdbc:postgresql://127.0.0.1:5432/never-reached"))
                .withFallback(overrides(dataDir));
        Map<Map<String, Object>, String> refusals = Map.of(
                Map.of("leadflame.discovery", "config"), "needs CONTACT_POINTS",
                Map.of("leadflame.discovery", "config", "leadflame.contact-points", "10.0.0.1:8558,10.0.0.2"),
                "'10.0.0.2' is not host:port",
                Map.of("leadflame.discovery", "config", "leadflame.contact-points", "10.0.0.1:8558"),
                "REQUIRED_CONTACT_POINTS is 2",
                Map.of("leadflame.discovery", "dns"), "Unknown discovery 'dns'",
                Map.of("leadflame.discovery", "kubernetes-api",
                        "pekko.discovery.kubernetes-api.api-service-host-env-name", "LEADFLAME_TEST_NEVER_SET",
                        "pekko.discovery.kubernetes-api.api-token-path", dataDir.resolve("no-token").toString()),
                "lacks the environment variable LEADFLAME_TEST_NEVER_SET,");
        refusals.forEach((settings, expected) -> {
            Config config = ConfigFactory.parseMap(settings).withFallback(postgres);
            StartupRefused refused = assertThrows(StartupRefused.class, () -> Main.start(config),
                    settings.toString());
            assertTrue(refused.getMessage().contains(expected), refused.getMessage());
        });
    }

    /** An API without keys is never reachable from another machine; keys need a real operator key. */
    @Test
    void refusesAnApiWithoutKeysBeyondLoopbackAndWeakOrMissingOperatorKeys() {
        Map<Map<String, Object>, String> refusals = Map.of(
                Map.of("leadflame.http.interface", "0.0.0.0"), "Set LEADFLAME_OPERATOR_KEY",
                Map.of("leadflame.http.interface", "0.0.0.0", "leadflame.auth.mode", "off",
                        "leadflame.auth.operator-key", "k".repeat(40)), "without a key",
                Map.of("leadflame.auth.mode", "on"), "needs an operator key",
                Map.of("leadflame.auth.operator-key", "short"), "32 to 128 characters",
                Map.of("leadflame.auth.mode", "maybe"), "must be on or off");
        refusals.forEach((settings, expected) -> {
            Config config = ConfigFactory.parseMap(settings).withFallback(overrides(dataDir));
            StartupRefused refused = assertThrows(StartupRefused.class, () -> Main.start(config),
                    settings.toString());
            assertTrue(refused.getMessage().contains(expected), settings + ": " + refused.getMessage());
        });
    }

    private static Config overrides(Path dataDir) {
        return ConfigFactory.parseMap(Map.of(
                "leadflame.http.interface", "127.0.0.1",
                "leadflame.http.port", 0,
                "leadflame.data-dir", dataDir.toString(),
                "pekko.remote.artery.canonical.port", 0));
    }

    private JsonNode assertErrorShape(HttpResponse<String> response, String code) throws IOException {
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(response.body());
        assertEquals(code, body.get("error").asText(), body.toString());
        assertFalse(body.get("message").asText().isBlank(), body.toString());
        return body;
    }

    /** Polls until the node answers {@code status}: readiness follows cluster membership, which takes a moment. */
    private HttpResponse<String> awaitStatus(String path, int status) throws Exception {
        Instant deadline = Instant.now().plus(READY_WITHIN);
        HttpResponse<String> last = get(path);
        while (last.statusCode() != status && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            last = get(path);
        }
        assertEquals(status, last.statusCode(), "last answer: " + last.body());
        return last;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + node.httpPort() + path);
    }
}

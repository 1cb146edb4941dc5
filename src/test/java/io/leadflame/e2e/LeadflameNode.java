package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import io.leadflame.testing.Scrape;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.Main;
import io.leadflame.model.ScoringModelEntity;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Leadflame node started in-process (as {@link io.leadflame.MainStartupTest} does) on a
 * data dir of the test's choosing, and an HTTP client for its API. Every helper goes over real
 * HTTP, except the two that stand for what no request can do: reading the journal's row count and
 * storing a model the API would refuse (as an older, laxer release might have stored it).
 */
final class LeadflameNode implements AutoCloseable {

    static final Duration READY_WITHIN = Duration.ofSeconds(30);
    static final Duration RESCORED_WITHIN = Duration.ofSeconds(15);

    private final Path dataDir;
    private final Main.Started started;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private LeadflameNode(Path dataDir, Main.Started started) {
        this.dataDir = dataDir;
        this.started = started;
    }

    /** Starts a node on {@code dataDir} (absolute) and returns once it reports ready. */
    static LeadflameNode start(Path dataDir) {
        return start(dataDir, ConfigFactory.empty());
    }

    /**
     * Starts a node on {@code dataDir} with {@code more} settings (e.g. the postgres journal)
     * over the test defaults (loopback, free ports) and returns once it reports ready.
     */
    static LeadflameNode start(Path dataDir, Config more) {
        LeadflameNode node = launch(dataDir, more);
        try {
            // Readiness follows cluster membership and the loading of the stored models.
            eventually(READY_WITHIN, () -> assertEquals(200, node.get("/health/ready").status(), "ready"));
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** Starts a node as {@link #start(Path, Config)} does, without waiting until it is ready. */
    static LeadflameNode launch(Path dataDir, Config more) {
        Config overrides = more.withFallback(ConfigFactory.parseMap(Map.of(
                "leadflame.http.interface", "127.0.0.1",
                // The tests' webhook receivers listen on loopback, which only an operator can allow.
                "leadflame.webhooks.allowed-receivers", "127.0.0.1/32",
                "leadflame.http.port", 0,
                "leadflame.data-dir", dataDir.toAbsolutePath().toString(),
                "pekko.remote.artery.canonical.port", 0)));
        return new LeadflameNode(dataDir, Main.start(overrides));
    }

    Path dataDir() {
        return dataDir;
    }

    /** The node's actor system, for what no request shows (where its contacts live). */
    org.apache.pekko.actor.typed.ActorSystem<?> system() {
        return started.system();
    }

    /**
     * Stops the node: terminates its actor system and waits for it, then closes the embedded H2
     * database (if the journal is H2), which {@code DB_CLOSE_DELAY=-1} would otherwise keep open
     * (and cached) in this JVM: a node started afterwards on the same data dir then really reads
     * the files.
     */
    @Override
    public void close() {
        String url = started.system().settings().config()
                .getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
        started.system().terminate();
        try {
            started.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the node did not terminate within 30 s", e);
        }
        if (!url.startsWith("jdbc:h2:")) {
            return;
        }
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            throw new IllegalStateException("could not close the H2 database " + url, e);
        }
    }

    int port() {
        return started.httpPort();
    }

    /** Rows in the journal table (events, snapshots aside, and sharding's remember-entities rows). */
    long journalRows() {
        String url = started.system().settings().config()
                .getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             Statement s = c.createStatement();
             var rows = s.executeQuery("SELECT COUNT(*) FROM \"event_journal\"")) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not count the journal's rows", e);
        }
    }

    /** The payloads of one persistence id's journal and snapshot rows, as Latin-1 text. */
    String journalTextOf(String persistenceId) {
        StringBuilder text = new StringBuilder();
        try (Connection c = journalConnection()) {
            for (String query : List.of("SELECT \"event_payload\" FROM \"event_journal\" WHERE \"persistence_id\" = ?",
                    "SELECT \"snapshot_payload\" FROM \"snapshot\" WHERE \"persistence_id\" = ?")) {
                try (var select = c.prepareStatement(query)) {
                    select.setString(1, persistenceId);
                    try (var rows = select.executeQuery()) {
                        while (rows.next()) {
                            text.append(new String(rows.getBytes(1), StandardCharsets.ISO_8859_1)).append('\n');
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the rows of " + persistenceId, e);
        }
        return text.toString();
    }

    /** The rows of the journal and of the snapshot table written by one persistence id. */
    long rowsOf(String persistenceId) {
        long rows = 0;
        try (Connection c = journalConnection()) {
            for (String table : List.of("event_journal", "snapshot")) {
                try (var count = c.prepareStatement("SELECT COUNT(*) FROM \"" + table + "\" WHERE \"persistence_id\" = ?")) {
                    count.setString(1, persistenceId);
                    try (var result = count.executeQuery()) {
                        result.next();
                        rows += result.getLong(1);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count the rows of " + persistenceId, e);
        }
        return rows;
    }

    /** A connection to the node's journal database (H2 or PostgreSQL), as its own settings say. */
    private Connection journalConnection() throws SQLException {
        com.typesafe.config.Config db = started.system().settings().config()
                .getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
        return DriverManager.getConnection(db.getString("url"), db.getString("user"), db.getString("password"));
    }

    /**
     * Every payload the journal and snapshot tables hold, as Latin-1 text: what a search of the
     * database files for a string (a key's text) would find in their rows.
     */
    String journalText() {
        StringBuilder text = new StringBuilder();
        try (Connection c = journalConnection();
             Statement s = c.createStatement()) {
            for (String query : List.of("SELECT \"event_payload\" FROM \"event_journal\"",
                    "SELECT \"snapshot_payload\" FROM \"snapshot\"")) {
                try (var rows = s.executeQuery(query)) {
                    while (rows.next()) {
                        text.append(new String(rows.getBytes(1), StandardCharsets.ISO_8859_1)).append('\n');
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the journal", e);
        }
        return text.toString();
    }

    /**
     * Stores {@code modelJson} as the tenant's next model version without the API's validation,
     * as a release before the {@code StoredModel} form stored models (their API JSON): what a
     * stored model that a later, stricter release cannot read looks like.
     */
    void storeModelUnvalidated(String tenant, String modelJson) {
        try {
            ClusterSharding.get(started.system()).entityRefFor(ScoringModelEntity.TYPE_KEY, tenant)
                    .<ScoringModelEntity.PutResult>ask(
                            replyTo -> new ScoringModelEntity.Put(modelJson, Optional.empty(), replyTo),
                            Duration.ofSeconds(10))
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not store the model", e);
        }
    }

    // ---- raw HTTP

    HttpReply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpReply send(String method, String path, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    /**
     * Sends the request, with the node's operator key when keys are on and the request carries
     * no key of its own: the helpers act as the operator, tests of keys send their own.
     */
    HttpReply send(HttpRequest.Builder request) {
        String operatorKey = started.system().settings().config().getString("leadflame.auth.operator-key");
        if (!operatorKey.isEmpty() && request.copy().build().headers().firstValue("Authorization").isEmpty()) {
            request.header("Authorization", "Bearer " + operatorKey);
        }
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new HttpReply(r.statusCode(), r.headers(), r.body());
        } catch (Exception e) {
            throw new IllegalStateException("HTTP request failed: " + e, e);
        }
    }

    /** {@code GET /metrics} read as samples, asserting 200. */
    Scrape metrics() {
        HttpReply r = get("/metrics");
        assertEquals(200, r.status(), r.body());
        return Scrape.parse(r.body());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    // ---- the tenant API

    static String api(String tenant) {
        return "/api/v1/tenants/" + tenant;
    }

    /** {@code POST /events} with an {@code application/json} body (an event or an array). */
    HttpReply postJson(String tenant, Object body) {
        return send("POST", api(tenant) + "/events", "application/json", E2e.text(body));
    }

    /** {@code POST /events} with an {@code application/x-ndjson} body. */
    HttpReply postNdjson(String tenant, String body) {
        return send("POST", api(tenant) + "/events", "application/x-ndjson", body);
    }

    /** Posts events that must all be new: asserts 202 with every one accepted. */
    void record(String tenant, JsonNode... events) {
        HttpReply r = postJson(tenant, E2e.array(events));
        assertEquals(202, r.status(), r.body());
        assertEquals(events.length, r.json().get("accepted").asInt(), r.body());
        assertEquals(0, r.json().get("duplicates").asInt(), r.body());
        assertEquals(0, r.json().get("rejected").size(), r.body());
    }

    HttpReply getContact(String tenant, String contactId) {
        return get(api(tenant) + "/contacts/" + contactId);
    }

    /** The contact's whole answer, asserting 200. */
    JsonNode contact(String tenant, String contactId) {
        HttpReply r = getContact(tenant, contactId);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    HttpReply getScore(String tenant, String contactId, String at) {
        return get(api(tenant) + "/contacts/" + contactId + "/score"
                + (at == null ? "" : "?at=" + URLEncoder.encode(at, StandardCharsets.UTF_8)));
    }

    /** The score projected to {@code at}, asserting 200. */
    JsonNode scoreAt(String tenant, String contactId, Instant at) {
        HttpReply r = getScore(tenant, contactId, at.toString());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    JsonNode model(String tenant) {
        HttpReply r = get(api(tenant) + "/model");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    HttpReply putModel(String tenant, String json, String ifMatch) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(api(tenant) + "/model"))
                .PUT(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json");
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        return send(b);
    }

    /** Publishes a model, asserts 200, and waits until every contact of the tenant is rescored for it. */
    long publish(String tenant, String json) {
        HttpReply r = putModel(tenant, json, null);
        assertEquals(200, r.status(), r.body());
        long version = r.json().get("version").asLong();
        awaitRescored(tenant, version);
        return version;
    }

    /** Polls {@code GET /model/rescoring} until the rescoring of {@code version} is done. */
    JsonNode awaitRescored(String tenant, long version) {
        return eventually(RESCORED_WITHIN, () -> {
            HttpReply r = get(api(tenant) + "/model/rescoring");
            assertEquals(200, r.status(), r.body());
            JsonNode status = r.json();
            assertEquals(version, status.get("version").asLong(), status.toString());
            assertTrue(status.get("done").asBoolean(), status.toString());
            return status;
        });
    }
}

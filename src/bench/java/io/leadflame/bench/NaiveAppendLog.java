package io.leadflame.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;

/**
 * What a user could write in an afternoon instead of Leadflame (issue 13's baseline): an HTTP
 * server whose {@code POST /api/v1/tenants/{t}/events} reads the NDJSON body, checks that each
 * line is JSON with a {@code contactId}, appends the whole request as one row of a table and
 * answers 202 once that row is committed. No scores, no dedupe, no contacts: just a durable log.
 * On the same database as the Leadflame it is compared with (H2 file or PostgreSQL), in a JVM of
 * its own with the same flags ({@link ServerUnderTest#naiveAppendLog}).
 *
 * <p>Arguments: host, port, JDBC URL, user, password.
 */
public final class NaiveAppendLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 8;

    private NaiveAppendLog() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[2];
        String user = args[3];
        String password = args.length > 4 ? args[4] : "";
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS naive_log (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                    + "tenant VARCHAR(64) NOT NULL, events INT NOT NULL, body BYTEA NOT NULL)"
                    .replace("BYTEA", url.startsWith("jdbc:h2:") ? "VARBINARY" : "BYTEA"));
        }
        // One connection per worker thread, as a hand-written server would keep them.
        ThreadLocal<Connection> connections = ThreadLocal.withInitial(() -> {
            try {
                Connection c = DriverManager.getConnection(url, user, password);
                c.setAutoCommit(true);
                return c;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 1024);
        server.setExecutor(Executors.newFixedThreadPool(THREADS));
        server.createContext("/health/ready", exchange -> answer(exchange, 200, "{\"status\":\"ready\"}"));
        server.createContext("/api/v1/tenants/", exchange -> {
            try {
                events(exchange, connections.get());
            } catch (Exception e) {
                answer(exchange, 500, "{\"error\":\"internal\"}");
            }
        });
        server.start();
        System.out.println("naive append log listening on " + server.getAddress());
    }

    private static void events(HttpExchange exchange, Connection db) throws IOException, SQLException {
        String path = exchange.getRequestURI().getPath();
        if (!exchange.getRequestMethod().equals("POST") || !path.endsWith("/events")) {
            answer(exchange, 404, "{\"error\":\"not_found\"}");
            return;
        }
        String tenant = path.substring("/api/v1/tenants/".length(), path.length() - "/events".length());
        byte[] body = exchange.getRequestBody().readAllBytes();
        int events = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                new java.io.ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                if (!event.hasNonNull("contactId")) {
                    answer(exchange, 400, "{\"error\":\"invalid\"}");
                    return;
                }
                events++;
            }
        }
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO naive_log (tenant, events, body) VALUES (?, ?, ?)")) {
            insert.setString(1, tenant);
            insert.setInt(2, events);
            insert.setBytes(3, body);
            insert.executeUpdate();
        }
        answer(exchange, 202, "{\"accepted\":" + events + ",\"duplicates\":0,\"rejected\":[]}");
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

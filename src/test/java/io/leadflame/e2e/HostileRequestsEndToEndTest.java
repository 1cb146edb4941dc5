package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile requests against a node with keys on, as an attacker holding a valid key would send
 * them (README "Security"): deep nesting, huge strings, wrong types, odd ids, odd keys, and
 * clients that stall. Every one is a clear 4xx in the API's error shape (or a closed
 * connection), none a 500 or a stack trace; nothing is stored; the node stays ready.
 */
class HostileRequestsEndToEndTest {

    private static final String TENANT = "target";
    private static final String MODEL = """
            {"idealScore": 10, "rules": [{"id": "visit", "name": "Visit", "points": 1,
              "criterion": {"type": "activity", "activity": "page_visited"}}]}""";

    @TempDir
    static Path dataDir;
    static LeadflameNode node;
    static String admin;

    @BeforeAll
    static void start() {
        node = LeadflameNode.start(dataDir, ConfigFactory.parseMap(Map.of(
                "leadflame.auth.operator-key", ApiKeysEndToEndTest.OPERATOR_KEY,
                // Stalled clients are cut off after this (60 s in production).
                "pekko.http.server.idle-timeout", "2s")));
        node.publish(TENANT, MODEL);
        HttpReply created = node.send("POST", LeadflameNode.api(TENANT) + "/keys", "application/json",
                "{\"name\": \"attacker\", \"role\": \"admin\"}");
        assertEquals(201, created.status(), created.body());
        admin = created.json().path("key").asText();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private record Hostile(String what, String method, String path, String contentType, String body) {
    }

    private static List<Hostile> requests() {
        String api = LeadflameNode.api(TENANT);
        String deepArray = "[".repeat(5_000) + "]".repeat(5_000);
        String deepObject = "{\"contactId\": \"c-1\", \"type\": \"page_visited\", \"attributes\": "
                + "{\"a\": ".repeat(3_000) + "1" + "}".repeat(3_000) + "}";
        String hugeString = "x".repeat(6 * 1024 * 1024);
        List<Hostile> all = new ArrayList<>(List.of(
                new Hostile("deeply nested array", "POST", api + "/events", "application/json", deepArray),
                new Hostile("deeply nested attributes", "POST", api + "/events", "application/json", deepObject),
                new Hostile("deeply nested NDJSON line", "POST", api + "/events", "application/x-ndjson", deepObject),
                new Hostile("deeply nested model", "PUT", api + "/model", "application/json",
                        "{\"rules\": " + deepArray + "}"),
                new Hostile("a 6 MiB contact id", "POST", api + "/events", "application/json",
                        "{\"contactId\": \"" + hugeString + "\", \"type\": \"page_visited\"}"),
                new Hostile("a 6 MiB tag", "POST", api + "/events", "application/json",
                        "{\"contactId\": \"c-1\", \"type\": \"tag_applied\", \"tag\": \"" + hugeString + "\"}"),
                new Hostile("a 3,000-character key name", "POST", api + "/keys", "application/json",
                        "{\"name\": \"" + hugeString.substring(0, 3_000) + "\", \"role\": \"read\"}"),
                new Hostile("a contact id that is a number", "POST", api + "/events", "application/json",
                        "{\"contactId\": 12, \"type\": \"page_visited\"}"),
                new Hostile("a type that is an array", "POST", api + "/events", "application/json",
                        "{\"contactId\": \"c-1\", \"type\": [\"page_visited\"]}"),
                new Hostile("occurredAt an object", "POST", api + "/events", "application/json",
                        "{\"contactId\": \"c-1\", \"type\": \"page_visited\", \"occurredAt\": {\"$date\": 1}}"),
                new Hostile("fields an array", "POST", api + "/events", "application/json",
                        "{\"contactId\": \"c-1\", \"type\": \"fields_updated\", \"fields\": [1, 2]}"),
                new Hostile("a model that is a string", "PUT", api + "/model", "application/json", "\"rules\""),
                new Hostile("a webhook trigger that is a string", "PUT", api + "/webhooks/w", "application/json",
                        "{\"url\": \"https://8.8.8.8/x\", \"secret\": \"s\", \"trigger\": \"hot\"}"),
                new Hostile("a key role that is a number", "POST", api + "/keys", "application/json",
                        "{\"name\": \"k\", \"role\": 3}"),
                new Hostile("JSON with a trailing comma", "POST", api + "/events", "application/json",
                        "{\"contactId\": \"c-1\", \"type\": \"page_visited\",}"),
                new Hostile("a NUL in a contact id", "POST", api + "/events", "application/json",
                        "{\"contactId\": \"c\\u0000-1\", \"type\": \"page_visited\"}"),
                new Hostile("a tenant with unicode", "GET", "/api/v1/tenants/t%C3%A9nant/model", null, null),
                new Hostile("an encoded slash in a contact id", "GET", api + "/contacts/a%2Fb", null, null),
                new Hostile("a dot-dot contact id", "GET", api + "/contacts/..%2F..%2Fmodel", null, null),
                new Hostile("a 10,000-character contact id", "GET", api + "/contacts/" + "c".repeat(10_000), null, null),
                new Hostile("a key id that is not one", "DELETE", api + "/keys/..%2F..%2Fmodel", null, null)));
        return all;
    }

    @Test
    void everyHostileRequestIsAClear4xxThatChangesNothing() {
        long rowsBefore = node.journalRows();
        for (Hostile h : requests()) {
            HttpReply reply = node.send(java.net.http.HttpRequest.newBuilder(node.uri(h.path()))
                    .header("Authorization", "Bearer " + admin)
                    .header("Content-Type", h.contentType() == null ? "application/json" : h.contentType())
                    .method(h.method(), h.body() == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                            : java.net.http.HttpRequest.BodyPublishers.ofString(h.body(), StandardCharsets.UTF_8)));
            assertClear4xx(h.what(), reply);
        }
        assertEquals(rowsBefore, node.journalRows(), "a hostile request was stored");
        assertEquals(200, node.get("/health/ready").status(), "the node is not ready after the hostile requests");
    }

    @Test
    void oddAuthorizationHeadersAre401() {
        for (String header : List.of("Bearer", "Bearer ", "bearer  " + admin + " extra",
                "Bearer " + admin.replace('_', '-'), "Token " + admin, "Bearer " + "lf_".repeat(2_000))) {
            HttpReply reply = node.send(java.net.http.HttpRequest.newBuilder(node.uri(LeadflameNode.api(TENANT) + "/model"))
                    .header("Authorization", header).GET());
            assertClear4xx(header.length() > 40 ? header.substring(0, 40) + "…" : header, reply);
        }
    }

    /** A client that sends part of a request and then nothing is cut off: it holds no connection for long. */
    @Test
    void stalledClientsAreDisconnected() throws Exception {
        for (String partial : List.of(
                "POST " + LeadflameNode.api(TENANT) + "/events HTTP/1.1\r\nHost: x\r\n",
                "POST " + LeadflameNode.api(TENANT) + "/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin
                        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"contactId\": ")) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.port())) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(partial.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                try {
                    // Whatever the node answers (a 408 or nothing), it then closes the connection.
                    while (in.read() >= 0) {
                        // drain
                    }
                } catch (SocketTimeoutException e) {
                    fail("the node kept a stalled connection open for 20 s: " + partial.lines().findFirst().orElse(""));
                } catch (java.net.SocketException reset) {
                    // closed by the node: what is expected
                }
            }
        }
        assertEquals(200, node.get("/health/ready").status());
    }

    private static void assertClear4xx(String what, HttpReply reply) {
        assertTrue(reply.status() >= 400 && reply.status() < 500, what + ": " + reply.status() + " " + reply.body());
        JsonNode body = reply.json();
        assertTrue(body.path("error").isTextual() && body.path("message").isTextual(), what + ": " + reply.body());
        for (String leak : List.of("Exception", "\tat ", "java.", "org.apache", "com.fasterxml", "io.leadflame")) {
            assertFalse(reply.body().contains(leak), what + " leaks '" + leak + "': " + reply.body());
        }
    }
}

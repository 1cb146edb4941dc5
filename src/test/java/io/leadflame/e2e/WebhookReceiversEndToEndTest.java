package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.Eventually;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.WebhookReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhooks are no door into the server's network (README "Security"): receivers at loopback,
 * private, link-local (cloud metadata) and other non-public addresses are refused when a
 * webhook is saved — also behind a host name — and again when a delivery connects; a receiver
 * whose answers never end costs it only its own connections.
 */
class WebhookReceiversEndToEndTest {

    private static final String TENANT = "hooks";
    private static final String MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "demo", "name": "Asked for a demo", "points": 8, "criterion": {"type": "tag", "anyOf": ["demo"]}}]}""";
    private static final Config NO_RECEIVER_ALLOWED = ConfigFactory.parseMap(Map.of(
            "leadflame.webhooks.allowed-receivers", "",
            "leadflame.webhooks.min-backoff", "100ms",
            "leadflame.webhooks.max-backoff", "500ms"));
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;
    private LeadflameNode node;
    private final WebhookReceiver receiver = new WebhookReceiver();

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        receiver.close();
    }

    private HttpReply putWebhook(String id, String url) {
        return node.send("PUT", LeadflameNode.api(TENANT) + "/webhooks/" + id, "application/json",
                "{\"url\": \"" + url + "\", \"secret\": \"s3cr3t\", \"trigger\": {\"minFlames\": 4}}");
    }

    @Test
    void receiversAtNonPublicAddressesAreRefusedWhenSaved() {
        node = LeadflameNode.start(dataDir, NO_RECEIVER_ALLOWED);
        node.publish(TENANT, MODEL);
        Map<String, String> refused = Map.of(
                receiver.url("/hook"), "loopback",
                receiver.url("/hook").replace("127.0.0.1", "localhost"), "does not resolve to public addresses only",
                "http://169.254.169.254/latest/meta-data/", "link-local",
                "http://10.0.0.1/hook", "private",
                "https://[::1]:8443/hook", "loopback",
                "http://[::ffff:192.168.0.10]/hook", "private",
                "http://0.0.0.0:8080/hook", "unspecified",
                "http://100.64.1.1/hook", "shared",
                "http://nothing.invalid/hook", "does not resolve");
        refused.forEach((url, why) -> {
            JsonNode error = assertError(putWebhook("crm", url), 400, "invalid");
            assertEquals("url", error.path("details").get(0).path("path").asText(), url + ": " + error);
            assertTrue(error.path("details").get(0).path("message").asText().contains(why), url + ": " + error);
        });
        HttpReply listed = node.get(LeadflameNode.api(TENANT) + "/webhooks");
        assertEquals(0, listed.json().path("webhooks").size(), "a refused webhook was saved: " + listed.body());
    }

    /** A webhook saved while its receiver was allowed is not delivered once the operator no longer allows it. */
    @Test
    void aReceiverNoLongerAllowedIsRefusedAtDelivery() {
        node = LeadflameNode.start(dataDir); // the tests' default allows 127.0.0.1
        node.publish(TENANT, MODEL);
        assertEquals(201, putWebhook("crm", receiver.url("/hook")).status());
        node.close();

        node = LeadflameNode.start(dataDir, NO_RECEIVER_ALLOWED);
        node.record(TENANT, tagApplied("c-1", "demo", Instant.now()));
        Eventually.eventually(WITHIN, () -> {
            JsonNode deliveries = node.get(LeadflameNode.api(TENANT) + "/webhooks/crm").json().path("deliveries");
            assertTrue(deliveries.path("consecutiveFailures").asInt() >= 2, deliveries.toString());
            assertTrue(deliveries.path("lastError").asText().contains("loopback"), deliveries.toString());
        });
        assertEquals(List.of(), receiver.received(), "the receiver was reached");
    }

    @Test
    void aReceiverWhoseAnswersNeverEndStillGetsEveryDelivery() throws Exception {
        try (EndlessAnswers endless = new EndlessAnswers()) {
            node = LeadflameNode.start(dataDir);
            node.publish(TENANT, MODEL);
            assertEquals(201, putWebhook("crm", endless.url()).status());
            int contacts = 8; // twice the connections a pool opens to one host
            Instant at = Instant.now();
            for (int i = 0; i < contacts; i++) {
                node.record(TENANT, tagApplied("c-" + i, "demo", at));
            }
            Eventually.eventually(WITHIN, () -> {
                JsonNode deliveries = node.get(LeadflameNode.api(TENANT) + "/webhooks/crm").json().path("deliveries");
                assertEquals(contacts, deliveries.path("delivered").asInt(), deliveries.toString());
            });
            assertTrue(endless.requests.get() >= contacts, endless.requests + " requests");
        }
    }

    /** A receiver that answers 200 and then sends a body forever, on every connection. */
    private static final class EndlessAnswers implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        private final ServerSocket server;

        EndlessAnswers() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread answer = new Thread(() -> answerForever(socket));
                        answer.setDaemon(true);
                        answer.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/hook";
        }

        private void answerForever(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                readRequest(in);
                requests.incrementAndGet();
                out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = ("400\r\n" + "x".repeat(1024) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                while (true) {
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException closedByTheClient) {
                // what a receiver sees when Leadflame stops reading
            }
        }

        /** Headers up to the blank line, then Content-Length bytes of body. */
        private static void readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed before the request ended");
                }
                head.append((char) b);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
                }
            }
            in.readNBytes(length);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}

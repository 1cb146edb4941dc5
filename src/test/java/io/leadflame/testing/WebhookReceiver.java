package io.leadflame.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server receiving webhook deliveries on a fixed port of the loopback, as a
 * customer's endpoint would: it can go down (the port closed, connections refused) and come back
 * on the same port. It checks nothing itself; it records what arrived for the test to check,
 * with the signature recomputed the way a receiver would (JDK HMAC, independent of Leadflame's code).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One POST as received. */
    public record Received(String deliveryIdHeader, String signature, byte[] body, JsonNode json) {
        public String deliveryId() {
            return json.get("deliveryId").asText();
        }

        /** Whether {@link #signature} is {@code sha256=} and the hex HMAC-SHA256 of the body under {@code secret}. */
        public boolean signedWith(String secret) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                return ("sha256=" + HexFormat.of().formatHex(mac.doFinal(body))).equals(signature);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer server;

    public WebhookReceiver() {
        this.port = FreePorts.freePort();
        up();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Listens again on the same port. */
    public synchronized void up() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("POST")) {
                received.add(new Received(exchange.getRequestHeaders().getFirst("Leadflame-Delivery"),
                        exchange.getRequestHeaders().getFirst("Leadflame-Signature"), body, JSON.readTree(body)));
                exchange.sendResponseHeaders(204, -1);
            } else {
                exchange.sendResponseHeaders(405, -1);
            }
            exchange.close();
        });
        server.start();
    }

    /** Closes the port: attempts are refused until {@link #up()}. */
    public synchronized void down() {
        server.stop(0);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        down();
    }
}

package io.leadflame.failover;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A small HTTP/1.1 client for the nodes' API and management ports; every call is bounded. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();


    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    /** Sent as {@code Authorization: Bearer <key>} with every request when not null. */
    private final String key;

    Http() {
        this(null);
    }

    /** A client that presents {@code key} (e.g. the operator key of nodes that require keys). */
    Http(String key) {
        this.key = key;
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    /** GET; IO errors and timeouts are thrown (a dead node refuses or never answers). */
    HttpReply get(String url, Duration timeout) throws IOException {
        return send(request(url).GET(), timeout);
    }

    CompletableFuture<HttpReply> getAsync(String url, Duration timeout) {
        return client.sendAsync(request(url).GET().timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(r -> new HttpReply(r.statusCode(), r.headers(), r.body()));
    }

    HttpReply post(String url, String contentType, String body, Duration timeout) throws IOException {
        return send(request(url).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)), timeout);
    }

    HttpReply put(String url, String json, Duration timeout) throws IOException {
        return send(request(url).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)), timeout);
    }

    private HttpReply send(HttpRequest.Builder request, Duration timeout) throws IOException {
        try {
            HttpResponse<String> r = client.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new HttpReply(r.statusCode(), r.headers(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}

package io.leadflame.failover;

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

    /** One HTTP answer. */
    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    /** GET; IO errors and timeouts are thrown (a dead node refuses or never answers). */
    Reply get(String url, Duration timeout) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), timeout);
    }

    CompletableFuture<Reply> getAsync(String url, Duration timeout) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(url)).GET().timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(r -> new Reply(r.statusCode(), r.body()));
    }

    Reply post(String url, String contentType, String body, Duration timeout) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)), timeout);
    }

    Reply put(String url, String json, Duration timeout) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)), timeout);
    }

    private Reply send(HttpRequest.Builder request, Duration timeout) throws IOException {
        try {
            HttpResponse<String> r = client.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}

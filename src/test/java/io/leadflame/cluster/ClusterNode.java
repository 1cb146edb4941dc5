package io.leadflame.cluster;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.leadflame.Main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One clustered node started in-process through {@link Main#start}, and a small HTTP client for
 * its API port and its Pekko Management port. Everything goes over real HTTP.
 */
final class ClusterNode {

    static final ObjectMapper JSON = new ObjectMapper();


    private final String name;
    private final String host;
    private final Main.Started started;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private ClusterNode(String name, String host, Main.Started started, int managementPort) {
        this.name = name;
        this.host = host;
        this.started = started;
        this.managementPort = managementPort;
    }

    /**
     * Starts a node whose API and management endpoint listen on {@code host}; it returns once
     * its API is bound, before it has joined anything.
     */
    static ClusterNode start(String name, String host, Config overrides, int managementPort) {
        return new ClusterNode(name, host, Main.start(overrides), managementPort);
    }


    String name() {
        return name;
    }

    Main.Started started() {
        return started;
    }

    /** Terminates the actor system (leaving the cluster) without waiting. */
    CompletableFuture<?> stop() {
        started.system().terminate();
        return started.system().getWhenTerminated().toCompletableFuture();
    }

    HttpReply get(String path) {
        return send(request(path).GET());
    }

    /** {@code GET} with {@code key} instead of the operator key. */
    HttpReply get(String path, String key) {
        return send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + key).GET());
    }

    HttpReply delete(String path) {
        return send(request(path).DELETE());
    }

    /**
     * A request to the API with the node's operator key, when keys are on (as in production):
     * the tests act as the operator unless they say otherwise.
     */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api(path));
        String operatorKey = started.system().settings().config().getString("leadflame.auth.operator-key");
        return operatorKey.isEmpty() ? b : b.header("Authorization", "Bearer " + operatorKey);
    }

    HttpReply getManagement(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + managementPort + path)).GET());
    }

    HttpReply post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    HttpReply put(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    URI api(String path) {
        return URI.create("http://" + host + ":" + started.httpPort() + path);
    }

    private HttpReply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new HttpReply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": HTTP request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

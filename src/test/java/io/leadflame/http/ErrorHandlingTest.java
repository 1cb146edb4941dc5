package io.leadflame.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Failures inside routes leave as the {@link ApiError} shape over real HTTP: an unexpected
 * exception is a 500 that reveals nothing of it, a timeout a 503 with Retry-After.
 */
class ErrorHandlingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "jdbc password is hunter2";

    // A plain local actor system (not application.conf's cluster): HTTP needs no cluster or journal.
    private static final ActorTestKit testKit = ActorTestKit.create("error-handling",
            ConfigFactory.parseString("pekko.actor.provider = local"));
    private static ServerBinding binding;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void bind() throws Exception {
        Route routes = concat(
                path("boom", () -> {
                    throw new IllegalStateException(SECRET);
                }),
                path("slow", () -> onSuccess(
                        () -> CompletableFuture.<String>failedFuture(new AskTimeoutException("entity did not answer")),
                        value -> complete(value))));
        binding = HttpServer.start(testKit.system(), "127.0.0.1", 0, ErrorHandling.seal(routes), Duration.ofSeconds(1))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void unexpectedExceptionIsAnOpaqueInternalError() throws Exception {
        HttpResponse<String> response = get("/boom");
        assertEquals(500, response.statusCode());
        assertEquals("internal", body(response).get("error").asText());
        assertFalse(response.body().contains("hunter2"), response.body());
        assertFalse(response.body().contains("IllegalStateException"), response.body());
    }

    @Test
    void timeoutIsOverloadedWithRetryAfter() throws Exception {
        HttpResponse<String> response = get("/slow");
        assertEquals(503, response.statusCode());
        assertEquals("overloaded", body(response).get("error").asText());
        assertEquals("1", response.headers().firstValue("Retry-After").orElse(""));
    }

    @Test
    void unknownPathIsNotFound() throws Exception {
        HttpResponse<String> response = get("/nowhere");
        assertEquals(404, response.statusCode());
        assertEquals("not_found", body(response).get("error").asText());
    }

    private static JsonNode body(HttpResponse<String> response) throws Exception {
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}

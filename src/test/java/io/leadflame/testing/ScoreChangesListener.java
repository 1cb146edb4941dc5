package io.leadflame.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An open {@code GET /score-changes} stream over real HTTP: its score changes (the {@code data}
 * of events without a type), parsed, in order, and the other events (a {@code reload}) apart.
 */
public final class ScoreChangesListener implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One Server-Sent Event: its {@code event:} type (null: a change), {@code id:} and data. */
    public record Event(String type, String id, JsonNode data) {
    }

    private final BlockingQueue<JsonNode> changes = new LinkedBlockingQueue<>();
    private final BlockingQueue<Event> others = new LinkedBlockingQueue<>();
    private final List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Stream<String> lines;

    /** Connects and returns once the answer's headers (200, {@code text/event-stream}) arrived. */
    public ScoreChangesListener(URI uri) throws IOException, InterruptedException {
        this(HttpRequest.newBuilder(uri));
    }

    /** The same for a request of the caller's (e.g. with an {@code Authorization} header). */
    public ScoreChangesListener(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<Stream<String>> response = client.send(request.GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
        lines = response.body();
        Thread reader = new Thread(() -> {
            String[] event = new String[3];
            try {
                lines.forEach(line -> {
                    if (line.isEmpty()) {
                        // An event without data is Pekko's heartbeat (which an EventSource ignores too).
                        if (event[2] != null && !event[2].isBlank()) {
                            if (event[0] == null) {
                                if (event[1] != null) {
                                    ids.add(event[1]);
                                }
                                changes.add(parse(event[2]));
                            } else {
                                others.add(new Event(event[0], event[1], parse(event[2])));
                            }
                        }
                        java.util.Arrays.fill(event, null);
                    } else if (line.startsWith("event:")) {
                        event[0] = line.substring(6).strip();
                    } else if (line.startsWith("id:")) {
                        event[1] = line.substring(3).strip();
                    } else if (line.startsWith("data:")) {
                        event[2] = line.substring(5);
                    }
                });
            } catch (RuntimeException closed) {
                // the test closed the stream, or the node went away
            }
        }, "score-changes-listener");
        reader.setDaemon(true);
        reader.start();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json.trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next change of {@code contactId}, skipping others; fails after {@link #WAIT}. */
    public JsonNode next(String contactId) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode change = changes.poll(100, TimeUnit.MILLISECONDS);
            if (change != null && change.get("contactId").asText().equals(contactId)) {
                return change;
            }
        }
        return fail("no score change of " + contactId + " within " + WAIT);
    }

    /** The next change of any contact, if one arrives within {@code wait}. */
    public JsonNode poll(Duration wait) throws InterruptedException {
        return changes.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next event that is not a score change (e.g. {@code reload}), if one arrives within {@code wait}. */
    public Event otherEvent(Duration wait) throws InterruptedException {
        return others.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The {@code id:} of the last change received (what a reconnecting client sends as {@code Last-Event-ID}). */
    public String lastId() {
        synchronized (ids) {
            return ids.isEmpty() ? null : ids.get(ids.size() - 1);
        }
    }

    /** Every change received and not yet taken. */
    public List<JsonNode> drain() {
        List<JsonNode> all = new ArrayList<>();
        changes.drainTo(all);
        return all;
    }

    @Override
    public void close() {
        lines.close();
    }
}

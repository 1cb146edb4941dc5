package io.leadflame.failover;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static io.leadflame.failover.Http.JSON;

/**
 * Client threads posting batches of events to whichever nodes {@code targets} names at the
 * moment, recording exactly which events were acknowledged (202). A batch that was not
 * acknowledged (non-202, IO error, timeout) may or may not have been persisted: it is resent,
 * with the same event ids, until it is, which the contacts' dedupe makes safe.
 */
final class EventStreamer {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    final ConcurrentMap<String, ObjectNode> acknowledgedEvents = new ConcurrentHashMap<>();
    final AtomicInteger acknowledgedBatches = new AtomicInteger();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong failedAttempts = new AtomicLong();
    final ConcurrentMap<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    /** The longest a request waited for an answer that was not 202 (a refusal), in ms. */
    final AtomicLong slowestRefusalMillis = new AtomicLong();
    /** Answers 429 or 503 without a Retry-After header (the API promises one). */
    final AtomicLong refusalsWithoutRetryAfter = new AtomicLong();
    /** When the first few attempts failed other than by a refusal (to match with the node logs). */
    final List<String> otherFailuresAt = Collections.synchronizedList(new ArrayList<>());
    /** Events of the batches the clients took to send; after {@link #stop()}, each was acknowledged. */
    final AtomicInteger takenEvents = new AtomicInteger();

    private final Http http;
    private final String tenantPath;
    private final ConcurrentLinkedQueue<List<ObjectNode>> queue;
    private final Supplier<List<JarNode>> targets;
    private final List<Thread> threads = new ArrayList<>();
    private final long deadline;
    private volatile long paceMillis;
    private volatile boolean stopping;

    EventStreamer(Http http, String tenantPath, List<List<ObjectNode>> batches, Supplier<List<JarNode>> targets,
                  Duration within) {
        this.http = http;
        this.tenantPath = tenantPath;
        this.queue = new ConcurrentLinkedQueue<>(batches);
        this.targets = targets;
        this.deadline = System.nanoTime() + within.toNanos();
    }

    static List<List<ObjectNode>> batches(List<ObjectNode> events, int size) {
        List<List<ObjectNode>> batches = new ArrayList<>();
        for (int i = 0; i < events.size(); i += size) {
            batches.add(events.subList(i, Math.min(events.size(), i + size)));
        }
        return batches;
    }

    /** A pause after each acknowledged batch, per thread (0: full speed); may change while running. */
    void pace(long millis) {
        paceMillis = millis;
    }

    /**
     * Ends the stream early, for a test that streams for as long as its scenario lasts (so that a
     * slow machine never runs out of events mid-scenario): no client takes a new batch, each
     * still resends the one it has until it is acknowledged. {@link #await} then waits for that.
     */
    void stop() {
        stopping = true;
    }

    void start(int clientThreads) {
        for (int t = 0; t < clientThreads; t++) {
            int id = t;
            Thread thread = new Thread(() -> run(id), "event-streamer-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(int id) {
        int turn = id;
        List<ObjectNode> batch;
        while (!stopping && (batch = queue.poll()) != null) {
            takenEvents.addAndGet(batch.size());
            String body = array(batch);
            while (true) {
                if (System.nanoTime() - deadline > 0) {
                    errors.add("deadline passed with batches left");
                    return;
                }
                List<JarNode> nodes = targets.get();
                JarNode node = nodes.get(Math.floorMod(turn++, nodes.size()));
                requests.incrementAndGet();
                String failure;
                long sentAt = System.nanoTime();
                try {
                    HttpReply r = http.post(node.api(tenantPath + "/events"), "application/json", body, REQUEST_TIMEOUT);
                    if (r.status() == 202) {
                        JsonNode j = r.json();
                        if (j.get("rejected").size() != 0
                                || j.get("accepted").asInt() + j.get("duplicates").asInt() != batch.size()) {
                            errors.add("202 with an unexpected body: " + r.body());
                        }
                        for (ObjectNode e : batch) {
                            acknowledgedEvents.put(e.get("eventId").asText(), e);
                        }
                        acknowledgedBatches.incrementAndGet();
                        break;
                    }
                    if (r.status() == 400 || r.status() == 413) {
                        errors.add(r.status() + " " + r.body());
                        return;
                    }
                    failure = String.valueOf(r.status());
                    slowestRefusalMillis.accumulateAndGet((System.nanoTime() - sentAt) / 1_000_000, Math::max);
                    if ((r.status() == 429 || r.status() == 503) && r.header("Retry-After").isEmpty()) {
                        refusalsWithoutRetryAfter.incrementAndGet();
                    }
                } catch (IOException e) {
                    failure = e.getClass().getSimpleName();
                    if (otherFailuresAt.size() < 10) {
                        otherFailuresAt.add(failure + " of a request sent at " + LocalTime.now()
                                .minusNanos(System.nanoTime() - sentAt) + " to " + node);
                    }
                }
                // Not acknowledged: maybe persisted, maybe not. Resend the same ids.
                failedAttempts.incrementAndGet();
                failures.computeIfAbsent(failure, k -> new AtomicInteger()).incrementAndGet();
                sleep(200);
            }
            long pace = paceMillis;
            if (pace > 0) {
                sleep(pace);
            }
        }
    }

    boolean finished() {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    boolean await(Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
        }
        return finished();
    }

    String summary() {
        return "acknowledged batches " + acknowledgedBatches.get() + ", events " + acknowledgedEvents.size()
                + " of " + takenEvents.get() + " sent"
                + ", requests " + requests.get() + ", failed attempts " + failures + ", errors " + errors
                + (otherFailuresAt.isEmpty() ? "" : ", failures other than refusals " + otherFailuresAt);
    }

    static String array(Collection<ObjectNode> events) {
        ArrayNode a = JSON.createArrayNode();
        events.forEach(a::add);
        return a.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}

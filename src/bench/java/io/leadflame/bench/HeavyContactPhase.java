package io.leadflame.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One heavy contact (issue 18): a model of 1,000 {@code count: each} rules on one activity and
 * 20,000 of those activities on one contact, against a light contact (10 activities) of the same
 * tenant in the same run. Measures the contact's reads (repeated, the first after a change, and
 * 16 at once) and a 10,000-event write to it.
 */
final class HeavyContactPhase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "/api/v1/tenants/heavy";
    private static final int RULES = 1000;
    private static final int EVENTS_PER_REQUEST = 10_000;
    private static final int READS = 30;
    private static final int CHANGES = 10;
    private static final int CONCURRENT_READS = 16;

    private HeavyContactPhase() {
    }

    static void run(BenchSettings settings, Results results) throws Exception {
        try (ServerUnderTest server = ServerUnderTest.leadflameOnH2("heavy-contact", settings)) {
            server.awaitReady(Duration.ofMinutes(3));
            HttpConnection.Reply model = server.put(TENANT + "/model", model());
            if (model.status() != 200) {
                throw new IllegalStateException("PUT /model answered " + model.status() + ": " + model.body());
            }
            Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(1));
            post(server, events("light", "l", start, 10));
            double[] writes = new double[2];
            for (int batch = 0; batch < 2; batch++) {
                long t0 = System.nanoTime();
                post(server, events("big", "b" + batch, start.plusSeconds(batch * (long) EVENTS_PER_REQUEST),
                        EVENTS_PER_REQUEST));
                writes[batch] = (System.nanoTime() - t0) / 1e6;
            }
            Benchmarks.log("heavy-contact: 10,000-event writes took %.0f ms and %.0f ms", writes[0], writes[1]);

            double light = median(reads(server, "light", READS));
            double repeated = median(reads(server, "big", READS));
            // A change, then a read: the read waits for the contact to score the change.
            double[] afterChange = new double[CHANGES];
            for (int i = 0; i < CHANGES; i++) {
                post(server, "{\"contactId\": \"big\", \"type\": \"visit\", \"eventId\": \"c" + i
                        + "\", \"attributes\": {\"n\": " + i + "}}");
                afterChange[i] = reads(server, "big", 1)[0];
            }
            Concurrent concurrent = concurrent(server);

            Results.Figure baseline = results.add(new Results.Figure("heavy.read.light", "heavy-contact", "h2",
                    "GET of a light contact (10 activities) under the same 1,000-rule model, median of " + READS,
                    light, "ms", Optional.empty(), Optional.empty(), 0, Map.of()));
            results.add(new Results.Figure("heavy.read.repeated", "heavy-contact", "h2",
                    "GET of the heavy contact (20,000 activities, 1,000 count-each rules), median of " + READS,
                    repeated, "ms", Optional.of(baseline), Optional.empty(), 0, Map.of()));
            results.add(new Results.Figure("heavy.read.afterChange", "heavy-contact", "h2",
                    "GET of the heavy contact right after a one-event write (it scores the change first), median of "
                            + CHANGES, median(afterChange), "ms", Optional.of(baseline), Optional.empty(), 0,
                    Map.of("allMs", Arrays.toString(afterChange))));
            results.add(new Results.Figure("heavy.read.concurrent", "heavy-contact", "h2",
                    CONCURRENT_READS + " GETs of the heavy contact at once from 8 clients: the slowest",
                    concurrent.slowestMs, "ms", Optional.of(baseline), Optional.empty(), concurrent.failed,
                    Map.of()));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("firstWriteMs", writes[0]);
            details.put("secondWriteMs", writes[1]);
            results.add(new Results.Figure("heavy.write", "heavy-contact", "h2",
                    "a 10,000-event NDJSON write to the heavy contact holding 10,000 of them, until 202",
                    writes[1], "ms", Optional.empty(), Optional.empty(), 0, details));
            server.stop();
        } finally {
            ServerUnderTest.deleteRecursively(ServerUnderTest.h2DataDir("heavy-contact", settings));
        }
    }

    private static String model() {
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < RULES; i++) {
            rules.append(i == 0 ? "" : ",").append(String.format("{\"id\": \"r%d\", \"name\": \"r%d\", \"points\": 1, "
                    + "\"count\": \"each\", \"criterion\": {\"type\": \"activity\", \"activity\": \"visit\", "
                    + "\"where\": [{\"field\": \"n\", \"op\": \"gte\", \"value\": %d}]}}", i, i, i % 50));
        }
        return "{\"idealScore\": 100, \"rules\": [" + rules + "]}";
    }

    private static String events(String contact, String idPrefix, Instant from, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append(String.format("{\"contactId\": \"%s\", \"type\": \"visit\", \"eventId\": \"%s-%d\", "
                    + "\"occurredAt\": \"%s\", \"attributes\": {\"n\": %d}}\n", contact, idPrefix, i,
                    from.plusSeconds(i), i % 100));
        }
        return out.toString();
    }

    private static void post(ServerUnderTest server, String ndjson) throws IOException {
        HttpConnection.Reply r = HttpConnection.call(server.endpoint.host(), server.endpoint.port(), "POST",
                TENANT + "/events", "application/x-ndjson", ndjson, 60_000);
        if (r.status() != 202) {
            throw new IllegalStateException("POST /events answered " + r.status() + ": " + r.body());
        }
    }

    /** {@code n} sequential GETs of the contact, each one's milliseconds. */
    private static double[] reads(ServerUnderTest server, String contact, int n) throws IOException {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpConnection.Reply r = server.get(TENANT + "/contacts/" + contact);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (r.status() != 200) {
                throw new IllegalStateException("GET " + contact + " answered " + r.status() + ": " + r.body());
            }
            JSON.readTree(r.body());
        }
        return ms;
    }

    private record Concurrent(double slowestMs, long failed) {
    }

    private static Concurrent concurrent(ServerUnderTest server) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<double[]>> reads = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_READS; i++) {
                reads.add(clients.submit(() -> {
                    long t0 = System.nanoTime();
                    HttpConnection.Reply r = server.get(TENANT + "/contacts/big");
                    return new double[]{(System.nanoTime() - t0) / 1e6, r.status() == 200 ? 0 : 1};
                }));
            }
            double slowest = 0;
            long failed = 0;
            for (Future<double[]> read : reads) {
                double[] outcome = read.get();
                slowest = Math.max(slowest, outcome[0]);
                failed += (long) outcome[1];
            }
            return new Concurrent(slowest, failed);
        } finally {
            clients.shutdownNow();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

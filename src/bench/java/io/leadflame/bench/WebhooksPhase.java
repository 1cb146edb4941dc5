package io.leadflame.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Threshold webhooks under load (issue 6): batched ingestion on H2 with a webhook whose trigger
 * ({@code minFlames: 1}) many changes cross, against the same load without it in the same run,
 * and how fast the tenant's outbox delivers the crossings to a local receiver that accepts
 * everything.
 */
final class WebhooksPhase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEBHOOK = "/api/v1/tenants/" + EventMix.TENANT + "/webhooks/bench";
    private static final Duration DELIVERED_WITHIN = Duration.ofMinutes(10);

    private WebhooksPhase() {
    }

    static void run(BenchSettings settings, Results results) throws Exception {
        double without = ingestion("webhooks-off", settings, null, null).eventsPerSecond();
        try (Receiver receiver = new Receiver()) {
            Delivered with = delivered(settings, receiver);
            Results.Figure baseline = new Results.Figure("webhooks.ingestion.without", "webhooks", "h2",
                    "batched ingestion, 1,000-event NDJSON, " + settings.batchConnections()
                            + " connections, no webhook", without, "events/s",
                    Optional.empty(), Optional.empty(), 0, Map.of());
            results.add(baseline);
            results.add(new Results.Figure("webhooks.ingestion.with", "webhooks", "h2",
                    "the same with a webhook on minFlames 1 (ratio: what remains)", with.load.eventsPerSecond(),
                    "events/s", Optional.of(baseline), Optional.empty(), with.load.failed(), Map.of()));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("crossings", with.crossings);
            details.put("distinctReceived", receiver.ids.size());
            details.put("postsReceived", receiver.posts.get());
            details.put("secondsFromLoadStartToLastDelivery", with.seconds);
            results.add(new Results.Figure("webhooks.delivered", "webhooks", "h2",
                    String.format("crossings delivered per second by one tenant's outbox (%,d crossings, all "
                            + "delivered %.1f s after the load began)", with.crossings, with.seconds),
                    with.crossings / with.seconds, "deliveries/s", Optional.empty(), Optional.empty(),
                    with.crossings - receiver.ids.size(), details));
        }
    }

    private record Delivered(ClosedLoad.Outcome load, long crossings, double seconds) {
    }

    private static Delivered delivered(BenchSettings settings, Receiver receiver) throws Exception {
        long[] crossings = new long[1];
        double[] seconds = new double[1];
        ClosedLoad.Outcome load = ingestion("webhooks-on", settings, server -> {
            long start = System.nanoTime();
            return () -> {
                // Every crossing of the load: pending until delivered, then counted as delivered.
                long deadline = System.nanoTime() + DELIVERED_WITHIN.toNanos();
                JsonNode status;
                do {
                    Thread.sleep(200);
                    status = JSON.readTree(server.get(WEBHOOK).body()).get("deliveries");
                } while (status.get("pending").asLong() > 0 && System.nanoTime() < deadline);
                crossings[0] = status.get("delivered").asLong() + status.get("pending").asLong()
                        + status.get("failed").asLong();
                seconds[0] = (System.nanoTime() - start) / 1e9;
                Benchmarks.log("webhooks: %,d crossings, %,d distinct deliveries received, all delivered after %.1f s",
                        crossings[0], receiver.ids.size(), seconds[0]);
            };
        }, receiver);
        return new Delivered(load, crossings[0], seconds[0]);
    }

    /** With a webhook: what to do once the load is over (wait for the deliveries), given the server. */
    private interface AfterLoad {
        Step after(ServerUnderTest server) throws Exception;
    }

    private interface Step {
        void run() throws Exception;
    }

    /** The batched load on a fresh H2 node; with {@code receiver}, a webhook to it subscribed first. */
    private static ClosedLoad.Outcome ingestion(String phase, BenchSettings settings, AfterLoad around,
                                                Receiver receiver) throws Exception {
        try (ServerUnderTest server = ServerUnderTest.leadflameOnH2(phase, settings,
                // The bench's receiver listens on loopback, which webhooks may not reach unless allowed.
                List.of("-Dleadflame.webhooks.allowed-receivers=127.0.0.1/32"))) {
            server.awaitReady(Duration.ofMinutes(3));
            ModelPhase.awaitRescored(server, ModelPhase.putModel(server, 0));
            ClosedLoad.drain(server.endpoint, settings.batchConnections(), Traffic.creation(settings.contacts()));
            Step after = null;
            if (around != null) {
                HttpConnection.Reply created = server.put(WEBHOOK, "{\"url\": \"" + receiver.url()
                        + "\", \"secret\": \"bench\", \"trigger\": {\"minFlames\": 1}}");
                if (created.status() != 201) {
                    throw new IllegalStateException("PUT webhook answered " + created.status() + ": " + created.body());
                }
                after = around.after(server);
            }
            ClosedLoad.Outcome batched = ClosedLoad.measure(server.endpoint, settings.batchConnections(),
                    Traffic.batches(settings.contacts()), settings.warmup(), settings.duration());
            Benchmarks.log("%s: batched %.0f events/s", phase, batched.eventsPerSecond());
            if (after != null) {
                after.run();
            }
            server.stop();
            return batched;
        } finally {
            ServerUnderTest.deleteRecursively(ServerUnderTest.h2DataDir(phase, settings));
        }
    }

    /** A receiver that accepts every delivery (204) and counts the distinct delivery ids. */
    private static final class Receiver implements AutoCloseable {
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicLong posts = new java.util.concurrent.atomic.AtomicLong();
        private final ExecutorService threads = Executors.newFixedThreadPool(4);
        private final HttpServer server;

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                posts.incrementAndGet();
                ids.add(exchange.getRequestHeaders().getFirst("Leadflame-Delivery"));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}

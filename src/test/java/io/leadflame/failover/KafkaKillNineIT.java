package io.leadflame.failover;

import io.leadflame.testing.FreePorts;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.JavaProcess;
import io.leadflame.testing.KafkaBroker;
import io.leadflame.testing.Scrape;
import io.leadflame.testing.TestDatabase;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumer's node killed mid-stream (issue 13): a Leadflame JVM on PostgreSQL consumes a topic
 * that is still being produced to; it is SIGKILLed once it has written part of it (no shutdown, no
 * last commit), and a new node on the same journal goes on. Every event produced is counted
 * exactly once: nothing lost (offsets were committed only after the writes were durable) and
 * nothing twice (the batches written but not committed are read again and are duplicates by the
 * event ids derived from their records' places).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaKillNineIT {

    private static final String TOPIC = "events";
    private static final String TENANT = "streamed";
    private static final int CONTACTS = 100;
    private static final int VISITS_EACH = 100;
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Checks.REQUEST_TIMEOUT;
    private static final String MODEL = """
            {"idealScore": 1000, "rules": [
              {"id": "visit", "name": "Visits", "points": 1, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}}]}
            """;

    private final Http http = new Http();
    private Path dir;
    private TestDatabase database;
    private KafkaBroker broker;

    @BeforeAll
    void start() throws IOException {
        dir = JarNode.logDir("kafka-kill-nine");
        database = TestDatabase.create();
        broker = KafkaBroker.start(dir.resolve("kafka"));
        broker.createTopic(TOPIC, 4);
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** A standalone node of the packaged jar on the test's PostgreSQL, consuming the topic for one tenant. */
    private JavaProcess node(String name, int httpPort) {
        Map<String, String> env = new HashMap<>();
        env.put("LEADFLAME_JOURNAL", "postgres");
        env.put("JDBC_URL", database.url());
        env.put("JDBC_USER", TestDatabase.USER);
        env.put("JDBC_PASSWORD", "");
        env.put("HTTP_PORT", String.valueOf(httpPort));
        env.put("CLUSTER_PORT", String.valueOf(FreePorts.freePort()));
        env.put("DATA_DIR", dir.resolve(name + "-data").toString());
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("KAFKA_TOPIC", TOPIC);
        env.put("KAFKA_TENANT", TENANT);
        return JavaProcess.start(name, List.of("-Xmx512m", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
                "-Dleadflame.http.interface=127.0.0.1", "-Dleadflame.databases.postgres.db.maxConnections=8",
                "-Dleadflame.databases.postgres.db.numThreads=8", "-jar", JavaProcess.leadflameJar().toString()),
                env, dir, dir.resolve(name + ".log"));
    }

    private String api(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private void awaitReady(JavaProcess node, int port) {
        Poll.until(READY_WITHIN, node + " ready", () -> {
            node.requireAlive();
            try {
                return http.get(api(port, "/health/ready"), REQUEST_TIMEOUT).status() == 200;
            } catch (IOException e) {
                return false;
            }
        }, () -> node.tail(30));
    }

    private double recorded(int port) throws IOException {
        HttpReply r = http.get(api(port, "/metrics"), REQUEST_TIMEOUT);
        return Scrape.parse(r.body()).valueOrZero("leadflame_kafka_records_total", "outcome", "recorded");
    }

    @Test
    void aConsumerKilledMidStreamLosesNothingAndCountsNothingTwice() throws Exception {
        int firstPort = FreePorts.freePort();
        JavaProcess first = node("node-1", firstPort);
        ExecutorService producing = Executors.newSingleThreadExecutor();
        try {
            awaitReady(first, firstPort);
            HttpReply put = http.put(api(firstPort, "/api/v1/tenants/" + TENANT + "/model"), MODEL, REQUEST_TIMEOUT);
            assertEquals(200, put.status(), put.body());

            // Produced at a steady pace while the nodes consume, without event ids.
            Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(1));
            AtomicLong produced = new AtomicLong();
            Future<?> producer = producing.submit(() -> {
                try (KafkaProducer<String, String> p = broker.producer()) {
                    for (int visit = 0; visit < VISITS_EACH; visit++) {
                        for (int c = 0; c < CONTACTS; c++) {
                            String contact = "c" + c;
                            p.send(new ProducerRecord<>(TOPIC, contact, "{\"contactId\": \"" + contact
                                    + "\", \"type\": \"page_visited\", \"occurredAt\": \"" + at.plusSeconds(visit) + "\"}"));
                            produced.incrementAndGet();
                        }
                        p.flush();
                        Thread.sleep(40);
                    }
                }
                return null;
            });

            Poll.until(Duration.ofSeconds(60), "node-1 has written part of the topic",
                    () -> recorded(firstPort) >= CONTACTS * VISITS_EACH / 5, () -> first.tail(20));
            double before = recorded(firstPort);
            assertEquals(JavaProcess.KILLED_BY_SIGKILL, first.kill9());
            System.out.printf("[kafka] SIGKILL node-1 after it recorded %.0f of %d records produced so far%n",
                    before, produced.get());
            assertTrue(produced.get() < CONTACTS * VISITS_EACH, "killed mid-stream, while records were still produced");

            int secondPort = FreePorts.freePort();
            try (JavaProcess second = node("node-2", secondPort)) {
                awaitReady(second, secondPort);
                producer.get();
                for (int c = 0; c < CONTACTS; c++) {
                    String contact = "c" + c;
                    Poll.until(Duration.ofSeconds(90), contact + " has every visit", () -> {
                        HttpReply r = http.get(api(secondPort, "/api/v1/tenants/" + TENANT + "/contacts/" + contact),
                                REQUEST_TIMEOUT);
                        return r.status() == 200 && r.json().get("score").asLong() >= VISITS_EACH;
                    }, () -> second.tail(20));
                    HttpReply r = http.get(api(secondPort, "/api/v1/tenants/" + TENANT + "/contacts/" + contact),
                            REQUEST_TIMEOUT);
                    assertEquals(VISITS_EACH, r.json().get("score").asLong(), contact + ": every visit exactly once");
                }
                assertEquals(CONTACTS * (long) VISITS_EACH, database.contactEventsInJournal(),
                        "the journal holds each produced event once");
            }
        } finally {
            producing.shutdownNow();
            first.close();
        }
    }
}

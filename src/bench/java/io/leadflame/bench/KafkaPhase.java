package io.leadflame.bench;

import io.leadflame.testing.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Kafka ingestion (issue 13): the same records produced to a topic, read back by a bare
 * consumer (the broker's own rate on this machine), and read by Leadflame into durable contacts,
 * each in the same run on the same broker. {@code bench.contacts} contacts, {@value #EVENTS_EACH}
 * events each, keyed by contact, no event ids (the consumer derives them).
 */
final class KafkaPhase {

    private static final String TOPIC = "bench-events";
    private static final String TENANT = "kafka";
    private static final int EVENTS_EACH = 10;
    private static final int PARTITIONS = 4;
    private static final String MODEL = """
            {"idealScore": 50, "rules": [
              {"id": "visits", "name": "Visits", "points": 2, "count": "each", "maxPoints": 20,
               "criterion": {"type": "activity", "activity": "page_visited"}},
              {"id": "pricing", "name": "Pricing", "points": 10,
               "criterion": {"type": "activity", "activity": "page_visited",
                             "where": [{"field": "url", "op": "eq", "value": "/pricing"}]}}]}""";

    private KafkaPhase() {
    }

    static void run(BenchSettings settings, Results results) throws Exception {
        int contacts = settings.contacts();
        long records = contacts * (long) EVENTS_EACH;
        try (KafkaBroker broker = KafkaBroker.start(settings.dir().resolve("kafka"))) {
            broker.createTopic(TOPIC, PARTITIONS);
            double produced = produce(broker, contacts);
            Benchmarks.log("kafka: produced %,d records at %.0f/s", records, produced);
            double consumed = consume(broker, records);
            Benchmarks.log("kafka: a bare consumer read them at %.0f/s", consumed);

            double ingested;
            try (ServerUnderTest server = ServerUnderTest.leadflameOnH2("kafka", settings, List.of(
                    "-Dleadflame.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                    "-Dleadflame.kafka.topic=" + TOPIC, "-Dleadflame.kafka.tenant=" + TENANT))) {
                server.awaitReady(Duration.ofMinutes(3));
                // The model first, then the clock: the node started consuming as soon as it was up.
                long start = System.nanoTime();
                HttpConnection.Reply model = server.put("/api/v1/tenants/" + TENANT + "/model", MODEL);
                if (model.status() != 200) {
                    throw new IllegalStateException("PUT /model answered " + model.status() + ": " + model.body());
                }
                while (server.metric("leadflame_kafka_records_total", "outcome", "recorded").orElse(0) < records) {
                    if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
                        throw new IllegalStateException("Leadflame did not consume the topic within 10 minutes");
                    }
                    Thread.sleep(100);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                ingested = records / seconds;
                Benchmarks.log("kafka: Leadflame wrote them to %,d contacts at %.0f/s", contacts, ingested);
                double deadLetters = server.metric("leadflame_kafka_records_total", "outcome", "dead_letter").orElse(0);
                results.check(String.format("kafka: %,d records produced, Leadflame recorded them all and sent %.0f "
                        + "to the dead-letter topic", records, deadLetters));
                server.stop();
            } finally {
                ServerUnderTest.deleteRecursively(ServerUnderTest.h2DataDir("kafka", settings));
            }
            Map<String, Object> details = Map.of("records", records, "contacts", contacts, "partitions", PARTITIONS);
            results.add(new Results.Figure("kafka.produce", "kafka", "-", "producing the records (acks=all)",
                    produced, "records/s", Optional.empty(), Optional.empty(), 0, details));
            Results.Figure bare = results.add(new Results.Figure("kafka.consume", "kafka", "-",
                    "a bare consumer reading them from the beginning", consumed, "records/s", Optional.empty(),
                    Optional.empty(), 0, details));
            results.add(new Results.Figure("kafka.ingest", "kafka", "h2",
                    "Leadflame consuming them into durable contacts (H2), offsets committed", ingested, "events/s",
                    Optional.of(bare), Optional.empty(), 0, details));
        } finally {
            ServerUnderTest.deleteRecursively(settings.dir().resolve("kafka"));
        }
    }

    private static double produce(KafkaBroker broker, int contacts) throws Exception {
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(1));
        long start = System.nanoTime();
        try (KafkaProducer<String, String> producer = broker.producer()) {
            for (int e = 0; e < EVENTS_EACH; e++) {
                String when = at.plusSeconds(e * 60L).toString();
                for (int c = 0; c < contacts; c++) {
                    String contact = "k" + c;
                    producer.send(new ProducerRecord<>(TOPIC, contact, "{\"contactId\":\"" + contact
                            + "\",\"type\":\"page_visited\",\"occurredAt\":\"" + when + "\",\"attributes\":{\"url\":\""
                            + (e == 9 && c % 3 == 0 ? "/pricing" : "/blog/" + e) + "\"}}"));
                }
            }
            producer.flush();
        }
        return contacts * (double) EVENTS_EACH / ((System.nanoTime() - start) / 1e9);
    }

    private static double consume(KafkaBroker broker, long records) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-bare");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long start = System.nanoTime();
        long read = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            while (read < records) {
                read += consumer.poll(Duration.ofMillis(500)).count();
                if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
                    throw new IllegalStateException("a bare consumer read only " + read + " of " + records);
                }
            }
            consumer.commitSync();
        }
        return read / ((System.nanoTime() - start) / 1e9);
    }
}

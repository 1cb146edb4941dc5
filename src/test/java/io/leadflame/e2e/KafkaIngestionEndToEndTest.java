package io.leadflame.e2e;

import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.KafkaBroker;
import io.leadflame.testing.Scrape;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka ingestion (issue 13) against a real broker: events produced to the topic become scores,
 * whichever way a record names its tenant; records that are no valid event go to the dead-letter
 * topic with the reason and the place they came from; the consumer group's lag is in /metrics.
 */
class KafkaIngestionEndToEndTest {

    private static final String TOPIC = "crm-events";
    private static final String DEAD_LETTERS = "crm-events.dead-letter";
    private static final String MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "visit", "name": "Visits", "points": 1, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}},
              {"id": "vip", "name": "VIP", "category": "fit", "points": 5,
               "criterion": {"type": "tag", "anyOf": ["vip"]}}]}
            """;

    @TempDir
    static Path dir;
    static KafkaBroker broker;
    static LeadflameNode node;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start(dir.resolve("kafka"));
        broker.createTopic(TOPIC, 4);
        broker.createTopic(DEAD_LETTERS, 1);
        node = LeadflameNode.start(dir.resolve("node"), ConfigFactory.parseMap(Map.of(
                "leadflame.kafka.bootstrap-servers", broker.bootstrapServers(),
                "leadflame.kafka.topic", TOPIC,
                "leadflame.kafka.group-id", "leadflame-test")));
        node.publish("acme", MODEL);
        node.publish("globex", MODEL);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static String visit(String contactId, Instant at, String extra) {
        return "{\"contactId\": \"" + contactId + "\", \"type\": \"page_visited\", \"occurredAt\": \"" + at + "\""
                + extra + "}";
    }

    @Test
    void eventsFromTheTopicBecomeScoresAndWhatIsNoEventGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        try (KafkaProducer<String, String> producer = broker.producer()) {
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            // Tenant as a property of the event, no event ids: each record counts once.
            for (int i = 0; i < 3; i++) {
                records.add(new ProducerRecord<>(TOPIC, "ann", visit("ann", at.plusSeconds(i), ", \"tenant\": \"acme\"")));
            }
            // Tenant in a header; an event id, sent twice: a duplicate.
            for (int copy = 0; copy < 2; copy++) {
                ProducerRecord<String, String> tagged = new ProducerRecord<>(TOPIC, "bob",
                        "{\"contactId\": \"bob\", \"type\": \"tag_applied\", \"tag\": \"vip\", \"eventId\": \"t-1\"}");
                tagged.headers().add("tenant", "globex".getBytes(StandardCharsets.UTF_8));
                records.add(tagged);
            }
            // No events: not JSON, an invalid event, no tenant at all.
            records.add(new ProducerRecord<>(TOPIC, "x", "this is not json"));
            records.add(new ProducerRecord<>(TOPIC, "x", "{\"contactId\": \"x\", \"tenant\": \"acme\"}"));
            records.add(new ProducerRecord<>(TOPIC, "x", visit("x", at, "")));
            for (ProducerRecord<String, String> r : records) {
                producer.send(r).get();
            }
        }
        eventually(Duration.ofSeconds(60), () -> {
            assertEquals(3, node.contact("acme", "ann").get("score").asLong());
            assertEquals(5, node.contact("globex", "bob").get("score").asLong());
        });
        assertEquals(404, node.getContact("acme", "x").status(), "nothing of the invalid records was recorded");

        Map<String, String> reasons = deadLetters(3);
        assertTrue(reasons.get("this is not json").contains("not valid JSON"), reasons.toString());
        assertTrue(reasons.get("{\"contactId\": \"x\", \"tenant\": \"acme\"}").contains("type is required"),
                reasons.toString());
        assertTrue(reasons.get(visit("x", at, "")).contains("no tenant"), reasons.toString());

        eventually(Duration.ofSeconds(30), () -> {
            Scrape metrics = node.metrics();
            assertEquals(0, (long) metrics.value("leadflame_kafka_consumer_lag"), "every record committed");
            assertEquals(5, (long) metrics.value("leadflame_kafka_records_total", "outcome", "recorded"));
            assertEquals(3, (long) metrics.value("leadflame_kafka_records_total", "outcome", "dead_letter"));
        });
    }

    /** The dead-letter topic's first {@code count} records: value → the reason header (and each names its source). */
    private static Map<String, String> deadLetters(int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, String> reasons = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(DEAD_LETTERS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (reasons.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    String source = new String(r.headers().lastHeader("leadflame-source").value(), StandardCharsets.UTF_8);
                    assertTrue(source.startsWith(TOPIC + ":"), source);
                    reasons.put(r.value(), new String(r.headers().lastHeader("leadflame-reason").value(),
                            StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(count, reasons.size(), reasons.toString());
        return reasons;
    }
}

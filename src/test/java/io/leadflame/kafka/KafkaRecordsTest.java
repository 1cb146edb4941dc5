package io.leadflame.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a Kafka record becomes an event: its tenant, its derived event id, and what makes it a dead letter. */
class KafkaRecordsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final String VISIT = "{\"contactId\": \"ann\", \"type\": \"page_visited\"";

    private static ConsumerRecord<byte[], byte[]> record(String topic, long offset, long timestamp, String value,
                                                         String tenantHeader) {
        RecordHeaders headers = new RecordHeaders();
        if (tenantHeader != null) {
            headers.add(KafkaRecords.TENANT_HEADER, tenantHeader.getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>(topic, 2, offset, timestamp, TimestampType.CREATE_TIME, 0,
                bytes == null ? 0 : bytes.length, null, bytes, headers, Optional.empty());
    }

    private static KafkaRecords.Read read(String value, String header, String fixedTenant) {
        return KafkaRecords.read(record("events", 7, 1000, value, header), Optional.ofNullable(fixedTenant), NOW);
    }

    @Test
    void theTenantComesFromTheNodeThePropertyOrTheHeaderAndTwoDifferentOnesAreADeadLetter() {
        assertEquals("acme", read(VISIT + "}", null, "acme").tenant());
        assertEquals("acme", read(VISIT + ", \"tenant\": \"acme\"}", null, null).tenant());
        assertEquals("acme", read(VISIT + "}", "acme", null).tenant());
        assertEquals("acme", read(VISIT + ", \"tenant\": \"acme\"}", "acme", "acme").tenant());

        assertTrue(read(VISIT + "}", null, null).problem().startsWith("no tenant"));
        assertTrue(read(VISIT + ", \"tenant\": \"acme\"}", "globex", null).problem().contains("differ"));
        assertTrue(read(VISIT + "}", "globex", "acme").problem().contains("KAFKA_TENANT"),
                "a header naming another tenant is not moved to the node's tenant");
        assertTrue(read(VISIT + ", \"tenant\": \"Acme!\"}", null, null).problem().startsWith("tenant must be"));
        assertTrue(read(VISIT + ", \"tenant\": 3}", null, null).problem().contains("string"));
    }

    @Test
    void whatIsNoEventIsADeadLetterWithTheReason() {
        assertTrue(read(null, null, "acme").problem().contains("no value"));
        assertTrue(read("not json", null, "acme").problem().contains("not valid JSON"));
        assertTrue(read("[1, 2]", null, "acme").problem().contains("JSON object"));
        assertTrue(read("{\"contactId\": \"ann\"}", null, "acme").problem().contains("type is required"));
        assertFalse(read(VISIT + "}", null, "acme").problem() != null);
    }

    @Test
    void anEventWithoutAnIdGetsItsRecordsPlaceTheSameAtEveryDelivery() {
        KafkaRecords.Read first = read(VISIT + "}", null, "acme");
        KafkaRecords.Read again = read(VISIT + "}", null, "acme");
        assertEquals(Optional.of("kafka:events:2:7:1000"), first.event().event().eventId());
        assertEquals(first.event().event().eventId(), again.event().event().eventId());
        KafkaRecords.Read recreated = KafkaRecords.read(record("events", 7, 2000, VISIT + "}", null),
                Optional.of("acme"), NOW);
        assertNotEquals(first.event().event().eventId(), recreated.event().event().eventId(),
                "a recreated topic's offset 7 is another record");
        assertEquals(Optional.of("given"), read(VISIT + ", \"eventId\": \"given\"}", null, "acme").event().event().eventId());
        String longTopic = "t".repeat(200);
        String id = KafkaRecords.eventId(record(longTopic, 7, 1000, VISIT + "}", null));
        assertTrue(id.length() <= 128 && id.startsWith("kafka:") && id.endsWith(":2:7:1000"), id);
    }
}

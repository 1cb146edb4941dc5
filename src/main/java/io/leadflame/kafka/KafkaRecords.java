package io.leadflame.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.api.EventJson;
import io.leadflame.api.IncomingEvent;
import io.leadflame.api.Json;
import io.leadflame.api.Tenants;
import io.leadflame.api.Utf8;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A Kafka record read as an event: its value is one event exactly as {@code POST /events} takes
 * it (API.md), validated the same way. Its tenant is the node's {@code KAFKA_TENANT} (a topic per
 * tenant) or, without one, a {@code tenant} property of the event or a {@code tenant} header.
 * An event without an {@code eventId} gets one from where it is in the topic, so that a record
 * delivered again (Kafka delivers at least once) is a duplicate, not a second event.
 */
final class KafkaRecords {

    /** The header a record's tenant may travel in. */
    static final String TENANT_HEADER = "tenant";

    private KafkaRecords() {
    }

    /** A record read: the event and its tenant, or why it is no event. */
    record Read(String tenant, IncomingEvent event, String problem) {
        static Read problem(String why) {
            return new Read(null, null, why);
        }

        boolean isEvent() {
            return problem == null;
        }
    }

    static Read read(ConsumerRecord<byte[], byte[]> record, Optional<String> fixedTenant, Instant receivedAt) {
        byte[] value = record.value();
        if (value == null || value.length == 0) {
            return Read.problem("the record has no value: it must be one event as JSON");
        }
        if (!Utf8.isWellFormed(value, 0, value.length)) {
            return Read.problem("the record's value is not valid UTF-8");
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            return Read.problem("the record's value is not valid JSON");
        }
        if (json == null || !json.isObject()) {
            return Read.problem("an event must be a JSON object");
        }
        ObjectNode event = (ObjectNode) json;
        JsonNode property = event.remove("tenant");
        if (property != null && !property.isTextual()) {
            return Read.problem("tenant must be a string");
        }
        Header header = record.headers().lastHeader(TENANT_HEADER);
        String fromHeader = header == null || header.value() == null ? null
                : new String(header.value(), StandardCharsets.UTF_8);
        String fromProperty = property == null ? null : property.textValue();
        if (fromProperty != null && fromHeader != null && !fromProperty.equals(fromHeader)) {
            return Read.problem("the event's tenant property (" + fromProperty + ") and the record's tenant header ("
                    + fromHeader + ") differ");
        }
        String named = fromProperty != null ? fromProperty : fromHeader;
        String tenant;
        if (fixedTenant.isPresent()) {
            if (named != null && !named.equals(fixedTenant.get())) {
                return Read.problem("the record names tenant " + named + " but this topic is tenant "
                        + fixedTenant.get() + "'s (KAFKA_TENANT)");
            }
            tenant = fixedTenant.get();
        } else if (named != null) {
            tenant = named;
        } else {
            return Read.problem("no tenant: give the event a tenant property or the record a tenant header "
                    + "(or run the node with KAFKA_TENANT for a topic of one tenant)");
        }
        if (!Tenants.isValid(tenant)) {
            return Read.problem(Tenants.RULE);
        }
        if (!event.hasNonNull("eventId")) {
            event.put("eventId", eventId(record));
        }
        EventJson.Result result = EventJson.read(event, receivedAt);
        if (result.error().isPresent()) {
            return Read.problem(result.error().get());
        }
        return new Read(tenant, result.event().orElseThrow(), null);
    }

    /**
     * The record's place and time: {@code kafka:<topic>:<partition>:<offset>:<timestamp>} (the topic
     * hashed when that would pass 128 characters). The same for every delivery of the record; the
     * timestamp tells a recreated topic's records (whose offsets start again at 0) from the old ones.
     */
    static String eventId(ConsumerRecord<?, ?> record) {
        String where = ":" + record.partition() + ":" + record.offset() + ":" + record.timestamp();
        String id = "kafka:" + record.topic() + where;
        if (id.length() <= 128) {
            return id;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(record.topic().getBytes(StandardCharsets.UTF_8));
            return "kafka:" + HexFormat.of().formatHex(hash, 0, 16) + where;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

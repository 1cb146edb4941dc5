package io.leadflame.kafka;

import com.typesafe.config.Config;

import io.leadflame.api.Tenants;

import java.util.Optional;

/**
 * The {@code leadflame.kafka} section (conf/application.conf): where events come from when a
 * node reads them from Kafka.
 *
 * @param bootstrapServers the brokers; empty: Kafka ingestion is off
 * @param tenant           the tenant of every record, or empty when each record names its own
 * @param batch            records written to the contacts at once
 * @param parallelism      batches being written at once
 */
public record KafkaSettings(String bootstrapServers, String topic, String groupId, String deadLetterTopic,
                            Optional<String> tenant, int batch, int parallelism) {

    public static KafkaSettings from(Config root) {
        Config c = root.getConfig("leadflame.kafka");
        String topic = c.getString("topic");
        String deadLetter = c.getString("dead-letter-topic");
        String tenant = c.getString("tenant");
        return new KafkaSettings(c.getString("bootstrap-servers").strip(), topic, c.getString("group-id"),
                deadLetter.isBlank() ? topic + ".dead-letter" : deadLetter,
                tenant.isBlank() ? Optional.empty() : Optional.of(tenant), c.getInt("batch"), c.getInt("parallelism"));
    }

    public boolean enabled() {
        return !bootstrapServers.isEmpty();
    }

    /** Why these settings cannot run, or empty when they can. */
    public Optional<String> problem() {
        if (!enabled()) {
            return Optional.empty();
        }
        if (topic.isBlank() || groupId.isBlank()) {
            return Optional.of("KAFKA_TOPIC and KAFKA_GROUP_ID must not be empty when KAFKA_BOOTSTRAP_SERVERS is set");
        }
        if (deadLetterTopic.equals(topic)) {
            return Optional.of("KAFKA_DEAD_LETTER_TOPIC must differ from KAFKA_TOPIC");
        }
        if (tenant.isPresent() && !Tenants.isValid(tenant.get())) {
            return Optional.of("KAFKA_TENANT '" + tenant.get() + "': " + Tenants.RULE);
        }
        if (batch < 1 || batch > 10_000 || parallelism < 1 || parallelism > 64) {
            return Optional.of("leadflame.kafka.batch must be 1 to 10,000 and leadflame.kafka.parallelism 1 to 64");
        }
        return Optional.empty();
    }
}

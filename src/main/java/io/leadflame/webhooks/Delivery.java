package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;
import io.leadflame.changes.ScoreChange;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * One crossing to deliver to one webhook, recorded in the tenant's outbox before any attempt.
 *
 * @param id         the delivery id the receiver deduplicates on: the same for every attempt
 * @param trigger    the webhook's trigger that the change crossed (a later PUT does not rewrite it)
 * @param recordedAt when the outbox recorded it; deliveries older than the give-up age stop being retried
 */
public record Delivery(String id, String webhookId, Trigger trigger, ScoreChange change, Instant recordedAt)
        implements CborSerializable {

    /**
     * The delivery of {@code change} to {@code webhookId}. Its id is derived from the crossing
     * (a contact crosses into something at most once at an instant), so the same crossing
     * offered twice is recognised rather than sent under two ids.
     */
    public static Delivery of(String webhookId, Trigger trigger, ScoreChange change, Instant recordedAt) {
        String name = change.tenant() + '\n' + webhookId + '\n' + change.contactId() + '\n'
                + change.at().getEpochSecond() + '.' + change.at().getNano();
        return new Delivery(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString(),
                webhookId, trigger, change, recordedAt);
    }
}

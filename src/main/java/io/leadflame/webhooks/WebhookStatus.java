package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;

import java.time.Instant;
import java.util.List;

/**
 * A webhook as the API shows it: its subscription without the secret, and how its deliveries go.
 *
 * @param pending             crossings recorded and not yet accepted by the receiver
 * @param delivered           deliveries the receiver accepted (a 2xx answer)
 * @param failed              deliveries given up after {@link WebhookSettings#giveUpAfter()}
 * @param consecutiveFailures failed attempts since the last accepted one
 * @param nextAttemptAt       when the next attempt is due while backing off, else null
 * @param oldestPendingAt     when the oldest pending delivery was recorded, else null
 * @param recent              the latest outcomes, newest first
 */
public record WebhookStatus(String id, String url, Trigger trigger, Instant updatedAt,
                            int pending, long delivered, long failed, int consecutiveFailures,
                            Instant nextAttemptAt, Instant lastDeliveredAt, String lastError,
                            Instant oldestPendingAt, List<Outcome> recent) implements CborSerializable {

    /**
     * How one delivery ended.
     *
     * @param status   {@code delivered} or {@code failed}
     * @param attempts attempts it took (counted since the node that made them started)
     */
    public record Outcome(String deliveryId, String contactId, String status, int attempts, Instant at,
                          String error) implements CborSerializable {
    }
}

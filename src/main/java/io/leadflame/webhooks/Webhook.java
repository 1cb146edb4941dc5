package io.leadflame.webhooks;

import io.leadflame.serialization.CborSerializable;

import java.time.Instant;

/**
 * A tenant's subscription to threshold crossings: where to POST them and the secret that signs
 * them. The secret is kept to sign every delivery (the journal holds it), and never shown again
 * by the API.
 */
public record Webhook(String id, String url, String secret, Trigger trigger, Instant updatedAt)
        implements CborSerializable {
}

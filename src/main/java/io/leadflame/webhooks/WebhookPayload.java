package io.leadflame.webhooks;

import io.leadflame.api.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.api.ScoreChangeJson;
import io.leadflame.changes.ScoreChange;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * What a receiver gets: the JSON body of a delivery and its signature. The body of a delivery
 * is the same at every attempt, so a receiver may compare retries byte for byte.
 */
public final class WebhookPayload {

    /** {@code sha256=} and the lowercase hex HMAC-SHA256 of the raw body, keyed with the webhook's secret. */
    public static final String SIGNATURE_HEADER = "Leadflame-Signature";
    /** The delivery id again, for receivers that dedupe before parsing. */
    public static final String DELIVERY_HEADER = "Leadflame-Delivery";
    public static final String SIGNATURE_PREFIX = "sha256=";


    private WebhookPayload() {
    }

    /** The change as live listeners get it, with the delivery, the trigger crossed and where the contact came from. */
    public static byte[] body(Delivery delivery) {
        ScoreChange c = delivery.change();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("deliveryId", delivery.id());
        body.put("webhookId", delivery.webhookId());
        body.put("tenant", c.tenant());
        body.set("trigger", trigger(delivery.trigger()));
        ScoreChangeJson.write(c, body);
        body.put("previousFlames", c.previousFlames());
        body.put("previousRange", c.previousRange());
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always writes", e);
        }
    }

    /** A trigger as the API reads and shows it: {@code {"enterRange": NAME}} or {@code {"minFlames": N}}. */
    public static ObjectNode trigger(Trigger trigger) {
        ObjectNode t = Json.MAPPER.createObjectNode();
        if (trigger.enterRange() != null) {
            t.put("enterRange", trigger.enterRange());
        } else {
            t.put("minFlames", trigger.minFlames());
        }
        return trigger.score() == null ? t : t.put("score", trigger.score());
    }

    /** The value of {@link #SIGNATURE_HEADER} for {@code body}. */
    public static String signature(byte[] body, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return SIGNATURE_PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}

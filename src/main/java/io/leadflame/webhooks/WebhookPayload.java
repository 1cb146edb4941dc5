package io.leadflame.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.leads.ScoreChange;

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

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookPayload() {
    }

    public static byte[] body(Delivery delivery) {
        ScoreChange c = delivery.change();
        Trigger trigger = delivery.trigger();
        ObjectNode body = JSON.createObjectNode();
        body.put("deliveryId", delivery.id());
        body.put("webhookId", delivery.webhookId());
        body.put("tenant", c.tenant());
        ObjectNode t = body.putObject("trigger");
        if (trigger.enterRange() != null) {
            t.put("enterRange", trigger.enterRange());
        } else {
            t.put("minFlames", trigger.minFlames());
        }
        body.put("contactId", c.contactId());
        body.put("score", c.score());
        body.put("previous", c.previous());
        body.put("flames", c.flames());
        body.put("previousFlames", c.previousFlames());
        body.put("range", c.range());
        body.put("previousRange", c.previousRange());
        body.put("reason", c.reason().json());
        body.put("at", c.at().toString());
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always writes", e);
        }
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

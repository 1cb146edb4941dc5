package io.leadflame.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.leadflame.model.ScoreNames;
import io.leadflame.scoring.Validated;
import io.leadflame.scoring.ValidationProblem;
import org.apache.pekko.http.scaladsl.model.IllegalUriException;
import org.apache.pekko.http.javadsl.model.Uri;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The body of {@code PUT /webhooks/{id}}: {@code {"url": .., "secret": .., "trigger":
 * {"enterRange": NAME} | {"minFlames": 1..5}}}, read with every problem reported by its path.
 */
public record WebhookRequest(String url, String secret, Trigger trigger) {

    /** What a webhook id may be: it is a path segment and shows in every delivery. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final int MAX_URL = 2048;
    static final int MAX_SECRET = 1024;
    private static final Set<String> FIELDS = Set.of("url", "secret", "trigger");
    private static final Set<String> TRIGGER_FIELDS = Set.of("enterRange", "minFlames", "score");

    /**
     * @param ranges the names of the ranges of the tenant's current model, which {@code enterRange} must name
     */
    public static Validated<WebhookRequest> read(JsonNode body, Collection<String> ranges) {
        List<ValidationProblem> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            return Validated.invalid(List.of(new ValidationProblem("", "expected an object with url, secret and trigger")));
        }
        unknown(body, FIELDS, "", problems);
        String url = text(body, "url", MAX_URL, problems);
        if (url != null) {
            checkUrl(url, problems);
        }
        String secret = text(body, "secret", MAX_SECRET, problems);
        Trigger trigger = trigger(body.get("trigger"), ranges, problems);
        return problems.isEmpty() ? Validated.valid(new WebhookRequest(url, secret, trigger)) : Validated.invalid(problems);
    }

    private static void unknown(JsonNode node, Set<String> known, String path, List<ValidationProblem> problems) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                problems.add(new ValidationProblem(path + name, "unknown property; expected one of "
                        + known.stream().sorted().toList()));
            }
        });
    }

    private static String text(JsonNode body, String field, int max, List<ValidationProblem> problems) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            problems.add(new ValidationProblem(field, "required"));
        } else if (!value.isTextual() || value.textValue().isEmpty()) {
            problems.add(new ValidationProblem(field, "must be a non-empty string"));
        } else if (value.textValue().length() > max) {
            problems.add(new ValidationProblem(field, "must be at most " + max + " characters"));
        } else {
            return value.textValue();
        }
        return null;
    }

    /**
     * The URL as the API shows it: credentials in its user-info ({@code https://user:pass@host/})
     * are write-only like the secret, replaced by {@code ***}.
     */
    public static String redacted(String url) {
        int authority = url.indexOf("://");
        if (authority < 0) {
            return url;
        }
        authority += 3;
        int end = authority;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int at = url.lastIndexOf('@', end - 1);
        return at < authority ? url : url.substring(0, authority) + "***" + url.substring(at);
    }

    /** Checked with the parser the deliveries use, so that an accepted URL can be sent to. */
    private static void checkUrl(String url, List<ValidationProblem> problems) {
        Uri uri;
        try {
            uri = Uri.create(url);
        } catch (IllegalUriException e) {
            problems.add(new ValidationProblem("url", "is not a valid URL: " + e.info().summary()));
            return;
        }
        String scheme = uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            problems.add(new ValidationProblem("url", "must be an http:// or https:// URL"));
        } else if (uri.host().address().isEmpty()) {
            problems.add(new ValidationProblem("url", "must name a host"));
        } else if (uri.port() < 0 || uri.port() > 65_535) {
            problems.add(new ValidationProblem("url", "the port must be 1 to 65535"));
        }
    }

    /** The trigger's crossing, on the score it names ({@code score}: the default one when absent). */
    private static Trigger trigger(JsonNode node, Collection<String> ranges, List<ValidationProblem> problems) {
        Trigger crossing = crossing(node, ranges, problems);
        JsonNode score = node == null || !node.isObject() ? null : node.get("score");
        if (score != null && !(score.isTextual() && ScoreNames.isValid(score.textValue()))) {
            problems.add(new ValidationProblem("trigger.score", ScoreNames.RULE + " (or default)"));
            return null;
        }
        return crossing == null || score == null ? crossing : crossing.onScore(score.textValue());
    }

    private static Trigger crossing(JsonNode node, Collection<String> ranges, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            problems.add(new ValidationProblem("trigger", "required: {\"enterRange\": NAME} or {\"minFlames\": 1..5}"));
            return null;
        }
        if (!node.isObject()) {
            problems.add(new ValidationProblem("trigger", "must be an object: {\"enterRange\": NAME} or {\"minFlames\": 1..5}"));
            return null;
        }
        unknown(node, TRIGGER_FIELDS, "trigger.", problems);
        JsonNode range = node.get("enterRange");
        JsonNode flames = node.get("minFlames");
        if ((range == null) == (flames == null)) {
            problems.add(new ValidationProblem("trigger", "must have exactly one of enterRange and minFlames"));
            return null;
        }
        if (range != null) {
            if (!range.isTextual()) {
                problems.add(new ValidationProblem("trigger.enterRange", "must be the name of a range"));
            } else if (!ranges.contains(range.textValue())) {
                problems.add(new ValidationProblem("trigger.enterRange", ranges.isEmpty()
                        ? "the score's model has no ranges: add ranges to the model or use minFlames"
                        : "no range named '" + range.textValue() + "' in the score's model; its ranges are " + ranges));
            } else {
                return Trigger.enterRange(range.textValue());
            }
            return null;
        }
        if (!flames.isIntegralNumber() || !flames.canConvertToInt() || flames.intValue() < 1
                || flames.intValue() > Trigger.MAX_FLAMES) {
            problems.add(new ValidationProblem("trigger.minFlames", "must be a whole number from 1 to " + Trigger.MAX_FLAMES));
            return null;
        }
        return Trigger.minFlames(flames.intValue());
    }

    /**
     * The score a webhook's trigger follows, as its body names it ({@code trigger.score}):
     * {@link ScoreNames#DEFAULT} when it names none, or names one that is not a valid name (its
     * validation then says so). What the body's ranges are checked against.
     */
    public static String scoreOf(JsonNode body) {
        JsonNode score = body == null ? null : body.path("trigger").get("score");
        return score != null && score.isTextual() && ScoreNames.isValid(score.textValue())
                ? score.textValue() : ScoreNames.DEFAULT;
    }
}

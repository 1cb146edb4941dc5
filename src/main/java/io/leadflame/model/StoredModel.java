package io.leadflame.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.api.Json;
import io.leadflame.api.JsonValues;
import io.leadflame.api.ModelJson;
import io.leadflame.scoring.AccountRollup;
import io.leadflame.scoring.Bounds;
import io.leadflame.scoring.Category;
import io.leadflame.scoring.CountMode;
import io.leadflame.scoring.Criterion;
import io.leadflame.scoring.Decay;
import io.leadflame.scoring.IsoDuration;
import io.leadflame.scoring.Limits;
import io.leadflame.scoring.Operator;
import io.leadflame.scoring.Predicate;
import io.leadflame.scoring.Rule;
import io.leadflame.scoring.ScoreRange;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.scoring.Validated;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The form in which a model is stored (journal, snapshots) and travels between nodes, apart from
 * the API's JSON: the API's shape and its validation may change from release to release (a new
 * field name, a stricter check), while a model already accepted must go on reading exactly as it
 * was. So the stored form is its own versioned format, read without the API's validation — the
 * model was validated once, when it was accepted.
 *
 * <p>Format 1 is JSON text (readable in the database): {@code {"format":1,"enabled":..,
 * "idealScore":..,"ranges":[[name,min,color]..],"limits":[[min,max] fit, engagement, total],
 * "rules":[[id,name,CATEGORY,points,COUNT,maxPoints|null,expiresAfter|null,criterion(,[KIND,duration])]..]}}
 * (the decay, last, only when the rule has one), and {@code "accounts":[field,MODE,top]} when
 * contacts roll up into accounts, with a
 * criterion {@code ["TAG",[tags]]}, {@code ["ACTIVITY",name,[predicates]]}, {@code ["FIELD",
 * predicate]} or {@code ["INACTIVITY",name,[predicates],duration]} and a predicate
 * {@code [field,OP,value|null,[values]]}; the upper-case names are the Java constants (renaming
 * one is a new format). Text without a {@code format} is a model stored by a release before
 * format 1, in that release's API JSON, and is read as such.
 */
public final class StoredModel {

    public static final int FORMAT = 1;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private StoredModel() {
    }

    public static String write(ScoringModel model) {
        ObjectNode out = F.objectNode();
        out.put("format", FORMAT);
        out.put("enabled", model.enabled());
        out.put("idealScore", model.idealScore());
        ArrayNode ranges = out.putArray("ranges");
        model.ranges().forEach(r -> ranges.addArray().add(r.name()).add(r.min()).add(r.color()));
        ArrayNode limits = out.putArray("limits");
        for (Bounds b : List.of(model.limits().fit(), model.limits().engagement(), model.limits().total())) {
            limits.addArray().add(optional(b.min())).add(optional(b.max()));
        }
        ArrayNode rules = out.putArray("rules");
        for (Rule rule : model.rules()) {
            ArrayNode r = rules.addArray().add(rule.id()).add(rule.name()).add(rule.category().name())
                    .add(rule.points()).add(rule.count().name()).add(optional(rule.maxPoints().map(Long::valueOf)))
                    .add(rule.expiresAfter().map(d -> (JsonNode) F.textNode(d.text())).orElse(F.nullNode()))
                    .add(criterion(rule.criterion()));
            // Only when there is one: a rule without decay reads as before in every release.
            rule.decay().ifPresent(d -> r.addArray().add(d.kind().name()).add(d.length().text()));
        }
        // Only when there is one, as for decay.
        model.accounts().ifPresent(a -> out.putArray("accounts").add(a.field()).add(a.mode().name()).add(a.top()));
        try {
            return Json.MAPPER.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always writes", e);
        }
    }

    /**
     * The model stored as {@code stored}; fails with what is wrong when it cannot be read (a
     * damaged row, a format of a newer release, or an old release's API JSON that no longer
     * validates).
     */
    public static ScoringModel read(String stored) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored model is not JSON", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalStateException("the stored model is not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null) {
            return readApiJson(root);
        }
        if (!format.isInt() || format.intValue() != FORMAT) {
            throw new IllegalStateException("the stored model is in format " + format
                    + ", which this release does not read (stored by a newer release?)");
        }
        try {
            return readFormat1(root);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the stored model (format 1) is damaged: " + e.getMessage(), e);
        }
    }

    private static ScoringModel readApiJson(JsonNode root) {
        Validated<ScoringModel> read = ModelJson.read(root);
        return read.value().orElseThrow(() -> new IllegalStateException("the stored model no longer validates: "
                + read.problems().stream().limit(3).map(p -> p.path() + " " + p.message())
                .collect(Collectors.joining("; "))));
    }

    private static ArrayNode criterion(Criterion criterion) {
        ArrayNode c = F.arrayNode();
        if (criterion instanceof Criterion.Tag tag) {
            ArrayNode anyOf = c.add("TAG").addArray();
            tag.anyOf().forEach(anyOf::add);
        } else if (criterion instanceof Criterion.Activity activity) {
            predicates(c.add("ACTIVITY").add(activity.activity()).addArray(), activity.where());
        } else if (criterion instanceof Criterion.Field field) {
            c.add("FIELD").add(predicate(field.predicate()));
        } else if (criterion instanceof Criterion.Inactivity inactivity) {
            predicates(c.add("INACTIVITY").add(inactivity.activity()).addArray(), inactivity.where());
            c.add(inactivity.forDuration().text());
        }
        return c;
    }

    private static void predicates(ArrayNode out, List<Predicate> predicates) {
        predicates.forEach(p -> out.add(predicate(p)));
    }

    private static ArrayNode predicate(Predicate p) {
        ArrayNode out = F.arrayNode().add(p.field()).add(p.op().name()).add(JsonValues.toJson(p.value().orElse(null)));
        ArrayNode values = out.addArray();
        p.values().forEach(v -> values.add(JsonValues.toJson(v)));
        return out;
    }

    private static JsonNode optional(Optional<Long> value) {
        return value.map(v -> (JsonNode) F.numberNode(v)).orElse(F.nullNode());
    }

    private static ScoringModel readFormat1(JsonNode root) {
        List<ScoreRange> ranges = list(field(root, "ranges"),
                r -> new ScoreRange(text(r, 0), integral(r, 1), text(r, 2)));
        List<Bounds> bounds = list(field(root, "limits"),
                b -> new Bounds(optionalLong(at(b, 0)), optionalLong(at(b, 1))));
        if (bounds.size() != 3) {
            throw new IllegalArgumentException("limits must hold fit, engagement and total");
        }
        List<Rule> rules = list(field(root, "rules"), r -> new Rule(text(r, 0), text(r, 1),
                Category.valueOf(text(r, 2)), Math.toIntExact(integral(r, 3)), CountMode.valueOf(text(r, 4)),
                optionalLong(at(r, 5)).map(Math::toIntExact),
                at(r, 6).isNull() ? Optional.empty() : Optional.of(duration(text(r, 6))),
                r.size() > 8 ? Optional.of(new Decay(Decay.Kind.valueOf(text(at(r, 8), 0)),
                        duration(text(at(r, 8), 1)))) : Optional.empty(),
                readCriterion(at(r, 7))));
        JsonNode enabled = field(root, "enabled");
        JsonNode idealScore = field(root, "idealScore");
        if (!enabled.isBoolean() || !idealScore.isIntegralNumber() || !idealScore.canConvertToInt()) {
            throw new IllegalArgumentException("enabled must be a boolean and idealScore a whole number");
        }
        JsonNode accounts = root.get("accounts");
        Optional<AccountRollup> rollup = accounts == null ? Optional.empty()
                : Optional.of(new AccountRollup(text(accounts, 0), AccountRollup.Mode.valueOf(text(accounts, 1)),
                        Math.toIntExact(integral(accounts, 2))));
        return new ScoringModel(enabled.booleanValue(), idealScore.intValue(), ranges,
                new Limits(bounds.get(0), bounds.get(1), bounds.get(2)), rules, rollup);
    }

    private static Criterion readCriterion(JsonNode c) {
        return switch (text(c, 0)) {
            case "TAG" -> new Criterion.Tag(list(at(c, 1), tag -> {
                if (!tag.isTextual()) {
                    throw new IllegalArgumentException("a tag must be text");
                }
                return tag.textValue();
            }));
            case "ACTIVITY" -> new Criterion.Activity(text(c, 1), list(at(c, 2), StoredModel::readPredicate));
            case "FIELD" -> new Criterion.Field(readPredicate(at(c, 1)));
            case "INACTIVITY" -> new Criterion.Inactivity(text(c, 1), list(at(c, 2), StoredModel::readPredicate),
                    duration(text(c, 3)));
            default -> throw new IllegalArgumentException("unknown criterion " + text(c, 0));
        };
    }

    private static Predicate readPredicate(JsonNode p) {
        return new Predicate(text(p, 0), Operator.valueOf(text(p, 1)), JsonValues.scalar(at(p, 2)),
                list(at(p, 3), v -> JsonValues.scalar(v).orElseThrow(
                        () -> new IllegalArgumentException("a predicate value must be a scalar"))));
    }

    private static IsoDuration duration(String text) {
        return IsoDuration.parse(text).orElseThrow(() -> new IllegalArgumentException("bad duration " + text));
    }

    private static <T> List<T> list(JsonNode array, Function<JsonNode, T> item) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("expected an array, found " + array.getNodeType());
        }
        List<T> out = new ArrayList<>(array.size());
        array.forEach(node -> out.add(item.apply(node)));
        return out;
    }

    private static JsonNode field(JsonNode object, String name) {
        JsonNode value = object.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return value;
    }

    private static JsonNode at(JsonNode array, int index) {
        JsonNode value = array.get(index);
        if (value == null) {
            throw new IllegalArgumentException("missing item " + index + " of " + array);
        }
        return value;
    }

    private static String text(JsonNode array, int index) {
        JsonNode value = at(array, index);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("item " + index + " of " + array + " must be text");
        }
        return value.textValue();
    }

    private static long integral(JsonNode array, int index) {
        JsonNode value = at(array, index);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("item " + index + " of " + array + " must be a whole number");
        }
        return value.longValue();
    }

    private static Optional<Long> optionalLong(JsonNode value) {
        if (value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(value + " must be a whole number or null");
        }
        return Optional.of(value.longValue());
    }
}

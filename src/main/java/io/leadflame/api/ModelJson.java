package io.leadflame.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.leadflame.scoring.ValidationProblem;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The scoring model as JSON (the API shape of SCORING.md and API.md), both ways. Reading
 * validates the whole document and reports every problem with its path, so a marketer fixing a
 * model sees all mistakes at once. The same JSON is what the service persists, so the stored
 * form of a model is the form users see.
 */
public final class ModelJson {

    static final Pattern RULE_ID = Pattern.compile("[a-z0-9_-]{1,64}");
    static final Pattern ACTIVITY_NAME = Pattern.compile("[a-z][a-z0-9_.]{0,63}");
    private static final Set<String> RESERVED_TYPES = Set.of("tag_applied", "tag_removed", "fields_updated");
    private static final Set<String> MODEL_KEYS = Set.of("enabled", "idealScore", "ranges", "limits", "rules",
            "accounts", "version", "updatedAt");
    private static final Set<String> RANGE_KEYS = Set.of("name", "min", "color");
    private static final Set<String> RULE_KEYS = Set.of("id", "name", "category", "points", "count", "maxPoints",
            "expiresAfter", "decay", "criterion");
    static final int MAX_RULES = 1000;
    static final int MAX_RANGES = 100;
    static final long MAX_BOUND = 1_000_000_000L;

    private ModelJson() {
    }

    /** Reads a model (ignoring {@code version} and {@code updatedAt}, which the service assigns). */
    public static Validated<ScoringModel> read(JsonNode json) {
        Reader r = new Reader();
        ScoringModel model = r.model(json);
        return r.problems.isEmpty() ? Validated.valid(model) : Validated.invalid(r.problems);
    }

    /** The model as JSON, without version or update time. */
    public static ObjectNode write(ScoringModel model) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode out = f.objectNode();
        out.put("enabled", model.enabled());
        out.put("idealScore", model.idealScore());
        ArrayNode ranges = out.putArray("ranges");
        for (ScoreRange range : model.ranges()) {
            ranges.addObject().put("name", range.name()).put("min", range.min()).put("color", range.color());
        }
        ObjectNode limits = out.putObject("limits");
        writeBounds(limits, "fit", model.limits().fit());
        writeBounds(limits, "engagement", model.limits().engagement());
        writeBounds(limits, "total", model.limits().total());
        ArrayNode rules = out.putArray("rules");
        for (Rule rule : model.rules()) {
            ObjectNode o = rules.addObject();
            o.put("id", rule.id());
            o.put("name", rule.name());
            o.put("category", rule.category().json());
            o.put("points", rule.points());
            o.put("count", rule.count().json());
            if (rule.maxPoints().isPresent()) {
                o.put("maxPoints", rule.maxPoints().get());
            } else {
                o.putNull("maxPoints");
            }
            if (rule.expiresAfter().isPresent()) {
                o.put("expiresAfter", rule.expiresAfter().get().text());
            } else {
                o.putNull("expiresAfter");
            }
            if (rule.decay().isPresent()) {
                Decay decay = rule.decay().get();
                o.putObject("decay").put("type", decay.kind().json())
                        .put(decay.kind().lengthKey(), decay.length().text());
            } else {
                o.putNull("decay");
            }
            o.set("criterion", writeCriterion(rule.criterion()));
        }
        if (model.accounts().isPresent()) {
            AccountRollup accounts = model.accounts().get();
            ObjectNode a = out.putObject("accounts").put("field", accounts.field()).put("score", accounts.mode().json());
            if (accounts.mode() == AccountRollup.Mode.TOP_AVERAGE) {
                a.put("top", accounts.top());
            }
        } else {
            out.putNull("accounts");
        }
        return out;
    }

    private static void writeBounds(ObjectNode limits, String name, Bounds bounds) {
        if (bounds.isEmpty()) {
            return;
        }
        ObjectNode o = limits.putObject(name);
        bounds.min().ifPresent(v -> o.put("min", v));
        bounds.max().ifPresent(v -> o.put("max", v));
    }

    private static ObjectNode writeCriterion(Criterion criterion) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (criterion instanceof Criterion.Tag tag) {
            o.put("type", "tag");
            ArrayNode anyOf = o.putArray("anyOf");
            tag.anyOf().forEach(anyOf::add);
        } else if (criterion instanceof Criterion.Activity activity) {
            o.put("type", "activity");
            o.put("activity", activity.activity());
            writePredicates(o.putArray("where"), activity.where());
        } else if (criterion instanceof Criterion.Field field) {
            o.put("type", "field");
            writePredicate(o, field.predicate());
        } else if (criterion instanceof Criterion.Inactivity inactivity) {
            o.put("type", "inactivity");
            o.put("activity", inactivity.activity());
            writePredicates(o.putArray("where"), inactivity.where());
            o.put("for", inactivity.forDuration().text());
        }
        return o;
    }

    private static void writePredicates(ArrayNode out, List<Predicate> predicates) {
        predicates.forEach(p -> writePredicate(out.addObject(), p));
    }

    private static void writePredicate(ObjectNode o, Predicate p) {
        o.put("field", p.field());
        o.put("op", p.op().json());
        p.value().ifPresent(v -> o.set("value", JsonValues.toJson(v)));
        if (p.op() == Operator.IN) {
            ArrayNode values = o.putArray("values");
            p.values().forEach(v -> values.add(JsonValues.toJson(v)));
        }
    }

    /** Walks the document once, collecting every problem instead of stopping at the first. */
    private static final class Reader {
        final List<ValidationProblem> problems = new ArrayList<>();

        void problem(String path, String message) {
            problems.add(new ValidationProblem(path, message));
        }

        ScoringModel model(JsonNode json) {
            if (json == null || !json.isObject()) {
                problem("", "the model must be a JSON object");
                return null;
            }
            allowOnly(json, "", MODEL_KEYS, "enabled, idealScore, ranges, limits, rules, accounts");
            boolean enabled = bool(json, "enabled", "enabled", true);
            int idealScore = (int) integer(json.get("idealScore"), "idealScore", 100, 1, MAX_BOUND);
            List<ScoreRange> ranges = ranges(json.get("ranges"));
            Limits limits = limits(json.get("limits"));
            List<Rule> rules = rules(json.get("rules"));
            Optional<AccountRollup> accounts = accounts(json.get("accounts"));
            if (!problems.isEmpty()) {
                return null;
            }
            return new ScoringModel(enabled, idealScore, ranges, limits, rules, accounts);
        }

        /** {"field": "company", "score": "sum" | "max" | "topAverage", "top": 3}; null or absent: none. */
        private Optional<AccountRollup> accounts(JsonNode node) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (!node.isObject()) {
                problem("accounts", "must be an object like {\"field\": \"company\", \"score\": \"sum\"}");
                return Optional.empty();
            }
            int before = problems.size();
            allowOnly(node, "accounts", Set.of("field", "score", "top"), "field, score, top");
            Optional<String> field = string(node, "field", "accounts.field", true, 64);
            Optional<String> modeText = string(node, "score", "accounts.score", false, 20);
            AccountRollup.Mode mode = AccountRollup.Mode.SUM;
            if (modeText.isPresent()) {
                Optional<AccountRollup.Mode> read = AccountRollup.Mode.fromJson(modeText.get());
                if (read.isEmpty()) {
                    problem("accounts.score", "must be sum, max or topAverage");
                } else {
                    mode = read.get();
                }
            }
            JsonNode topNode = node.get("top");
            if (topNode != null && !topNode.isNull() && mode != AccountRollup.Mode.TOP_AVERAGE) {
                problem("accounts.top", "only applies to score topAverage");
            }
            long top = integer(topNode, "accounts.top", 3, 1, AccountRollup.MAX_TOP);
            if (problems.size() != before || field.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new AccountRollup(field.get(), mode, (int) top));
        }

        private boolean bool(JsonNode parent, String key, String path, boolean fallback) {
            JsonNode node = parent.get(key);
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isBoolean()) {
                problem(path, "must be true or false");
                return fallback;
            }
            return node.booleanValue();
        }

        /** A whole number in [min, max], or {@code fallback} when absent or null. */
        private long integer(JsonNode node, String path, long fallback, long min, long max) {
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isIntegralNumber() && !(node.isNumber() && node.decimalValue().stripTrailingZeros().scale() <= 0)) {
                problem(path, "must be a whole number");
                return fallback;
            }
            if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
                problem(path, "must be between " + min + " and " + max);
                return fallback;
            }
            return node.longValue();
        }

        private Optional<String> string(JsonNode parent, String key, String path, boolean required, int maxLength) {
            JsonNode node = parent.get(key);
            if (node == null || node.isNull()) {
                if (required) {
                    problem(path, "is required");
                }
                return Optional.empty();
            }
            if (!node.isTextual()) {
                problem(path, "must be a string");
                return Optional.empty();
            }
            String s = node.textValue();
            if (s.isBlank() || s.length() > maxLength) {
                problem(path, "must be 1 to " + maxLength + " characters, not blank");
                return Optional.empty();
            }
            return Optional.of(s);
        }

        private List<JsonNode> array(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (!node.isArray()) {
                problem(path, "must be an array");
                return List.of();
            }
            List<JsonNode> items = new ArrayList<>();
            node.forEach(items::add);
            return items;
        }

        private List<ScoreRange> ranges(JsonNode node) {
            List<JsonNode> items = array(node, "ranges");
            if (items.size() > MAX_RANGES) {
                problem("ranges", "at most " + MAX_RANGES + " ranges");
                return List.of();
            }
            List<ScoreRange> ranges = new ArrayList<>();
            Set<String> names = new HashSet<>();
            Set<Long> mins = new HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                String path = "ranges[" + i + "]";
                JsonNode item = items.get(i);
                if (!item.isObject()) {
                    problem(path, "must be an object with name, min and color");
                    continue;
                }
                int before = problems.size();
                allowOnly(item, path, RANGE_KEYS, "name, min, color");
                Optional<String> name = string(item, "name", path + ".name", true, 64);
                if (item.get("min") == null || item.get("min").isNull()) {
                    problem(path + ".min", "is required");
                }
                long min = integer(item.get("min"), path + ".min", 0, -MAX_BOUND, MAX_BOUND);
                Optional<String> color = string(item, "color", path + ".color", true, 64);
                if (color.isPresent() && !CssColor.isValid(color.get())) {
                    problem(path + ".color", CssColor.EXPECTED);
                }
                name.filter(n -> !names.add(n)).ifPresent(n -> problem(path + ".name", "duplicate range name " + n));
                if (problems.size() == before && !mins.add(min)) {
                    problem(path + ".min", "two ranges start at " + min);
                }
                if (problems.size() == before) {
                    ranges.add(new ScoreRange(name.get(), min, color.get()));
                }
            }
            return ranges;
        }

        private Limits limits(JsonNode node) {
            if (node == null || node.isNull()) {
                return Limits.NONE;
            }
            if (!node.isObject()) {
                problem("limits", "must be an object with fit, engagement and total");
                return Limits.NONE;
            }
            allowOnly(node, "limits", Set.of("fit", "engagement", "total"), "fit, engagement, total");
            return new Limits(bounds(node.get("fit"), "limits.fit"), bounds(node.get("engagement"), "limits.engagement"),
                    bounds(node.get("total"), "limits.total"));
        }

        private Bounds bounds(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return Bounds.NONE;
            }
            if (!node.isObject()) {
                problem(path, "must be an object with min and/or max");
                return Bounds.NONE;
            }
            allowOnly(node, path, Set.of("min", "max"), "min, max");
            Optional<Long> min = optionalInteger(node.get("min"), path + ".min");
            Optional<Long> max = optionalInteger(node.get("max"), path + ".max");
            if (min.isPresent() && max.isPresent() && min.get() > max.get()) {
                problem(path, "min must not be greater than max");
            }
            return new Bounds(min, max);
        }

        private Optional<Long> optionalInteger(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            int before = problems.size();
            long v = integer(node, path, 0, -MAX_BOUND, MAX_BOUND);
            return problems.size() == before ? Optional.of(v) : Optional.empty();
        }

        private List<Rule> rules(JsonNode node) {
            List<JsonNode> items = array(node, "rules");
            if (items.size() > MAX_RULES) {
                problem("rules", "at most " + MAX_RULES + " rules");
                return List.of();
            }
            List<Rule> rules = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                String path = "rules[" + i + "]";
                Rule rule = rule(items.get(i), path);
                if (rule != null && !ids.add(rule.id())) {
                    problem(path + ".id", "duplicate rule id " + rule.id());
                }
                if (rule != null) {
                    rules.add(rule);
                }
            }
            return rules;
        }

        private Rule rule(JsonNode node, String path) {
            if (!node.isObject()) {
                problem(path, "must be an object");
                return null;
            }
            int before = problems.size();
            allowOnly(node, path, RULE_KEYS,
                    "id, name, category, points, count, maxPoints, expiresAfter, decay, criterion");
            Optional<String> id = string(node, "id", path + ".id", true, 64);
            if (id.isPresent() && !RULE_ID.matcher(id.get()).matches()) {
                problem(path + ".id", "must be 1 to 64 of a-z, 0-9, _ and -");
            }
            Optional<String> name = string(node, "name", path + ".name", true, 200);
            Category category = Category.ENGAGEMENT;
            Optional<String> categoryText = string(node, "category", path + ".category", false, 20);
            if (categoryText.isPresent()) {
                switch (categoryText.get()) {
                    case "fit" -> category = Category.FIT;
                    case "engagement" -> category = Category.ENGAGEMENT;
                    default -> problem(path + ".category", "must be fit or engagement");
                }
            }
            JsonNode pointsNode = node.get("points");
            if (pointsNode == null || pointsNode.isNull()) {
                problem(path + ".points", "is required");
            }
            long points = integer(pointsNode, path + ".points", 1, -1000, 1000);
            if (points == 0) {
                problem(path + ".points", "must not be 0");
            }
            CountMode count = CountMode.ONCE;
            Optional<String> countText = string(node, "count", path + ".count", false, 10);
            if (countText.isPresent()) {
                switch (countText.get()) {
                    case "once" -> count = CountMode.ONCE;
                    case "each" -> count = CountMode.EACH;
                    default -> problem(path + ".count", "must be once or each");
                }
            }
            Optional<Integer> maxPoints = Optional.empty();
            JsonNode maxNode = node.get("maxPoints");
            if (maxNode != null && !maxNode.isNull()) {
                int b = problems.size();
                long max = integer(maxNode, path + ".maxPoints", 1, 1, MAX_BOUND);
                if (problems.size() == b) {
                    maxPoints = Optional.of((int) max);
                }
                if (count != CountMode.EACH) {
                    problem(path + ".maxPoints", "only applies to rules with count each");
                }
            }
            Optional<IsoDuration> expiresAfter = duration(node, "expiresAfter", path + ".expiresAfter", false);
            Optional<Decay> decay = decay(node.get("decay"), path + ".decay");
            Criterion criterion = criterion(node.get("criterion"), path + ".criterion");
            if (criterion != null && count == CountMode.EACH && !(criterion instanceof Criterion.Activity)) {
                problem(path + ".count", "each applies to activity rules only");
            }
            if (criterion != null && expiresAfter.isPresent()
                    && !(criterion instanceof Criterion.Activity || criterion instanceof Criterion.Tag)) {
                problem(path + ".expiresAfter", "applies to tag and activity rules only");
            }
            if (criterion != null && decay.isPresent()
                    && !(criterion instanceof Criterion.Activity || criterion instanceof Criterion.Tag)) {
                problem(path + ".decay", "applies to tag and activity rules only");
            }
            if (problems.size() != before) {
                return null;
            }
            return new Rule(id.get(), name.get(), category, (int) points, count, maxPoints, expiresAfter, decay,
                    criterion);
        }

        /** {"type": "linear", "over": "P30D"} or {"type": "halfLife", "halfLife": "P7D"}; null or absent: none. */
        private Optional<Decay> decay(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (!node.isObject()) {
                problem(path, "must be an object like {\"type\": \"linear\", \"over\": \"P30D\"} or "
                        + "{\"type\": \"halfLife\", \"halfLife\": \"P7D\"}");
                return Optional.empty();
            }
            Optional<String> type = string(node, "type", path + ".type", true, 20);
            if (type.isEmpty()) {
                return Optional.empty();
            }
            Optional<Decay.Kind> kind = Decay.Kind.fromJson(type.get());
            if (kind.isEmpty()) {
                problem(path + ".type", "must be linear or halfLife");
                return Optional.empty();
            }
            String lengthKey = kind.get().lengthKey();
            allowOnly(node, path, Set.of("type", lengthKey), "type, " + lengthKey);
            Optional<IsoDuration> length = duration(node, lengthKey, path + "." + lengthKey, true);
            if (length.isEmpty()) {
                return Optional.empty();
            }
            if (length.get().length().compareTo(Decay.MAX_LENGTH) > 0) {
                problem(path + "." + lengthKey, "must be at most " + Decay.MAX_LENGTH.toDays() + " days (P"
                        + Decay.MAX_LENGTH.toDays() + "D)");
                return Optional.empty();
            }
            return Optional.of(new Decay(kind.get(), length.get()));
        }

        private Optional<IsoDuration> duration(JsonNode parent, String key, String path, boolean required) {
            Optional<String> text = string(parent, key, path, required, 40);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            Optional<IsoDuration> d = IsoDuration.parse(text.get());
            if (d.isEmpty()) {
                problem(path, "must be an ISO-8601 duration of weeks, days, hours, minutes and seconds"
                        + " (like P28D or PT12H), at least 1 second");
            }
            return d;
        }

        private Criterion criterion(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                problem(path, "is required");
                return null;
            }
            if (!node.isObject()) {
                problem(path, "must be an object with a type");
                return null;
            }
            int before = problems.size();
            Optional<String> type = string(node, "type", path + ".type", true, 20);
            if (type.isEmpty()) {
                return null;
            }
            Criterion result = switch (type.get()) {
                case "tag" -> {
                    allowOnly(node, path, Set.of("type", "anyOf"), "type, anyOf");
                    yield tagCriterion(node, path);
                }
                case "activity" -> {
                    allowOnly(node, path, Set.of("type", "activity", "where"), "type, activity, where");
                    Optional<String> activity = activityName(node, path);
                    List<Predicate> where = predicates(node.get("where"), path + ".where");
                    yield activity.map(a -> new Criterion.Activity(a, where)).orElse(null);
                }
                case "field" -> {
                    allowOnly(node, path, Set.of("type", "field", "op", "value", "values"), "type, field, op, value, values");
                    Predicate p = predicate(node, path);
                    yield p == null ? null : new Criterion.Field(p);
                }
                case "inactivity" -> {
                    allowOnly(node, path, Set.of("type", "activity", "where", "for"), "type, activity, where, for");
                    Optional<String> activity = activityName(node, path);
                    List<Predicate> where = predicates(node.get("where"), path + ".where");
                    Optional<IsoDuration> length = duration(node, "for", path + ".for", true);
                    yield activity.isPresent() && length.isPresent()
                            ? new Criterion.Inactivity(activity.get(), where, length.get()) : null;
                }
                default -> {
                    problem(path + ".type", "must be tag, activity, field or inactivity");
                    yield null;
                }
            };
            return problems.size() == before ? result : null;
        }

        /** Reports each property of {@code node} not in {@code keys}; {@code expected} names them for the user. */
        private void allowOnly(JsonNode node, String path, Set<String> keys, String expected) {
            node.fieldNames().forEachRemaining(name -> {
                if (!keys.contains(name)) {
                    problem(path.isEmpty() ? name : path + "." + name, "unknown property; expected " + expected);
                }
            });
        }

        private Criterion tagCriterion(JsonNode node, String path) {
            JsonNode anyOf = node.get("anyOf");
            if (anyOf == null || !anyOf.isArray() || anyOf.isEmpty()) {
                problem(path + ".anyOf", "must be a non-empty array of tags");
                return null;
            }
            List<String> tags = new ArrayList<>();
            for (int i = 0; i < anyOf.size(); i++) {
                JsonNode tag = anyOf.get(i);
                if (!tag.isTextual() || tag.textValue().isEmpty() || tag.textValue().length() > 128) {
                    problem(path + ".anyOf[" + i + "]", "must be a tag of 1 to 128 characters");
                } else if (!tags.contains(tag.textValue())) {
                    tags.add(tag.textValue());
                }
            }
            return new Criterion.Tag(tags);
        }

        private Optional<String> activityName(JsonNode node, String path) {
            Optional<String> name = string(node, "activity", path + ".activity", true, 64);
            if (name.isPresent() && (!ACTIVITY_NAME.matcher(name.get()).matches()
                    || RESERVED_TYPES.contains(name.get()))) {
                problem(path + ".activity", "must be an activity name like web_form_submitted "
                        + "(a-z, 0-9, _ and ., starting with a letter; not a tag or field event)");
                return Optional.empty();
            }
            return name;
        }

        private List<Predicate> predicates(JsonNode node, String path) {
            List<JsonNode> items = array(node, path);
            List<Predicate> predicates = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                String itemPath = path + "[" + i + "]";
                if (!items.get(i).isObject()) {
                    problem(itemPath, "must be an object with field, op and value");
                    continue;
                }
                allowOnly(items.get(i), itemPath, Set.of("field", "op", "value", "values"), "field, op, value, values");
                Predicate p = predicate(items.get(i), itemPath);
                if (p != null) {
                    predicates.add(p);
                }
            }
            return predicates;
        }

        private Predicate predicate(JsonNode node, String path) {
            int before = problems.size();
            Optional<String> field = string(node, "field", path + ".field", true, 128);
            Optional<String> opText = string(node, "op", path + ".op", true, 20);
            Optional<Operator> op = opText.flatMap(Operator::fromJson);
            if (opText.isPresent() && op.isEmpty()) {
                problem(path + ".op", "must be one of eq, neq, in, contains, startsWith, endsWith, gt, gte, lt, lte, exists");
            }
            JsonNode value = node.get("value");
            JsonNode values = node.get("values");
            Optional<Object> operand = Optional.empty();
            List<Object> operands = List.of();
            if (op.isPresent()) {
                Operator o = op.get();
                if (o == Operator.EXISTS) {
                    if (value != null || values != null) {
                        problem(path, "exists takes neither value nor values");
                    }
                } else if (o == Operator.IN) {
                    if (value != null) {
                        problem(path + ".value", "in takes values (an array), not value");
                    }
                    operands = inValues(values, path + ".values");
                } else {
                    if (values != null) {
                        problem(path + ".values", o.json() + " takes value, not values");
                    }
                    operand = operand(value, o, path + ".value");
                }
            }
            if (problems.size() != before) {
                return null;
            }
            return new Predicate(field.get(), op.get(), operand, operands);
        }

        private Optional<Object> operand(JsonNode value, Operator op, String path) {
            if (value == null || value.isNull()) {
                problem(path, "is required for " + op.json());
                return Optional.empty();
            }
            if (op.takesString() && !value.isTextual()) {
                problem(path, op.json() + " compares strings: value must be a string");
                return Optional.empty();
            }
            if (op.takesNumber() && !value.isNumber()) {
                problem(path, op.json() + " compares numbers: value must be a number");
                return Optional.empty();
            }
            Optional<String> number = JsonValues.numberProblem(value);
            if (number.isPresent()) {
                problem(path, number.get());
                return Optional.empty();
            }
            Optional<Object> scalar = JsonValues.scalar(value);
            if (scalar.isEmpty()) {
                problem(path, "must be a string, number or boolean");
            }
            return scalar;
        }

        private List<Object> inValues(JsonNode values, String path) {
            if (values == null || !values.isArray() || values.isEmpty()) {
                problem(path, "must be a non-empty array of strings, numbers or booleans");
                return List.of();
            }
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                Optional<String> number = JsonValues.numberProblem(values.get(i));
                Optional<Object> scalar = number.isPresent() ? Optional.empty() : JsonValues.scalar(values.get(i));
                if (number.isPresent()) {
                    problem(path + "[" + i + "]", number.get());
                } else if (scalar.isEmpty()) {
                    problem(path + "[" + i + "]", "must be a string, number or boolean");
                } else {
                    out.add(scalar.get());
                }
            }
            return out;
        }
    }
}

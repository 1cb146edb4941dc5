package io.leadflame.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.api.ModelJson;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.leadflame.scoring.ScoringFixtures.json;
import static io.leadflame.scoring.ScoringFixtures.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading and writing the scoring model as a marketer PUTs and GETs it: every mistake, with its path. */
class ModelJsonTest {

    private static Validated<ScoringModel> read(String modelJson) {
        return ModelJson.read(json(modelJson));
    }

    /** The paths of every problem in a model made of these rules. */
    private static List<String> problemPaths(String... rules) {
        return problemPathsOf("{\"idealScore\": 20, \"rules\": [" + String.join(",", rules) + "]}");
    }

    private static List<String> problemPathsOf(String modelJson) {
        Validated<ScoringModel> read = read(modelJson);
        assertEquals(read.problems().isEmpty(), read.isValid(), "valid exactly when there is no problem");
        read.problems().forEach(p -> assertFalse(p.message().isBlank(), "every problem says what is wrong"));
        return read.problems().stream().map(ValidationProblem::path).toList();
    }

    private static void assertValid(String... rules) {
        assertEquals(List.of(), problemPaths(rules));
    }

    /** An activity rule with these extra properties (each a {@code "key": value} pair). */
    private static String activityRule(String extra) {
        return "{\"id\": \"r\", \"name\": \"Rule\", \"points\": 2" + (extra.isEmpty() ? "" : ", " + extra)
                + ", \"criterion\": {\"type\": \"activity\", \"activity\": \"web_form_submitted\"}}";
    }

    private static String ruleWithCriterion(String extra, String criterion) {
        return "{\"id\": \"r\", \"name\": \"Rule\", \"points\": 2" + (extra.isEmpty() ? "" : ", " + extra)
                + ", \"criterion\": " + criterion + "}";
    }

    private static final String TAG = "{\"type\": \"tag\", \"anyOf\": [\"webinar\"]}";
    private static final String FIELD = "{\"type\": \"field\", \"field\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}";
    private static final String INACTIVITY = "{\"type\": \"inactivity\", \"activity\": \"email_opened\", \"for\": \"P30D\"}";

    /** A rule whose only predicate is this one. */
    private static String withPredicate(String predicate) {
        return ruleWithCriterion("", "{\"type\": \"activity\", \"activity\": \"page_visited\", \"where\": [" + predicate + "]}");
    }

    private static final String PREDICATE_PATH = "rules[0].criterion.where[0]";

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Every problem, with its path")
    class EveryProblem {

        @Test
        void threeMistakesInThreeRulesGiveThreeProblemsWithTheirPaths() {
            List<String> paths = problemPaths(
                    "{\"id\": \"Web Form\", \"name\": \"Web form\", \"points\": 2,"
                            + " \"criterion\": {\"type\": \"activity\", \"activity\": \"web_form_submitted\"}}",
                    "{\"id\": \"quiet\", \"name\": \"Quiet\", \"points\": -5, \"expiresAfter\": \"P1M\","
                            + " \"criterion\": {\"type\": \"activity\", \"activity\": \"email_opened\"}}",
                    "{\"id\": \"vip\", \"name\": \"VIP\", \"points\": 0,"
                            + " \"criterion\": {\"type\": \"tag\", \"anyOf\": [\"vip\"]}}");
            assertEquals(List.of("rules[0].id", "rules[1].expiresAfter", "rules[2].points"), paths);
        }

        @Test
        void problemsAnywhereInTheModelAreAllReported() {
            List<String> paths = problemPathsOf("""
                    {"enabled": "yes", "idealScore": 0, "colour": "red",
                     "ranges": [{"name": "cold", "min": 0, "color": "bluish"}],
                     "limits": {"fit": {"min": 10, "max": 5}},
                     "rules": [{"id": "r", "name": "Rule", "points": 2,
                                "criterion": {"type": "field", "field": "plan", "op": "gt", "value": "pro"}}]}""");
            assertEquals(List.of("colour", "enabled", "idealScore", "ranges[0].color", "limits.fit",
                    "rules[0].criterion.value"), paths.stream().sorted(ModelJsonTest::byDocumentOrder).toList());
        }

        @Test
        void aValidModelHasNoProblems() {
            Validated<ScoringModel> read = read("""
                    {"enabled": true, "idealScore": 20,
                     "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"}],
                     "limits": {"total": {"min": -50, "max": 100}},
                     "rules": [{"id": "webform", "name": "Submitted a web form", "category": "engagement",
                                "points": 2, "count": "once", "maxPoints": null, "expiresAfter": "P28D",
                                "criterion": {"type": "activity", "activity": "web_form_submitted",
                                              "where": [{"field": "formId", "op": "in", "values": ["demo", "pricing"]}]}}]}""");
            assertEquals(List.of(), read.problems());
            assertTrue(read.value().isPresent());
        }

        @Test
        void aModelThatIsNotAnObjectIsOneProblem() {
            assertEquals(List.of(""), problemPathsOf("[1, 2]"));
        }
    }

    /** Sorts the paths of {@link EveryProblem#problemsAnywhereInTheModelAreAllReported} as they appear. */
    private static int byDocumentOrder(String a, String b) {
        List<String> order = List.of("colour", "enabled", "idealScore", "ranges", "limits", "rules");
        return Integer.compare(indexOf(order, a), indexOf(order, b));
    }

    private static int indexOf(List<String> order, String path) {
        for (int i = 0; i < order.size(); i++) {
            if (path.startsWith(order.get(i))) {
                return i;
            }
        }
        return order.size();
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Rule ids")
    class RuleIds {

        @Test
        void idsAreLowerCaseLettersDigitsUnderscoresAndHyphens() {
            assertValid(activityRule("").replace("\"id\": \"r\"", "\"id\": \"web-form_2\""));
            assertEquals(List.of("rules[0].id"), problemPaths(activityRule("").replace("\"id\": \"r\"", "\"id\": \"WebForm\"")));
            assertEquals(List.of("rules[0].id"), problemPaths(activityRule("").replace("\"id\": \"r\"", "\"id\": \"web form\"")));
            assertEquals(List.of("rules[0].id"), problemPaths(activityRule("").replace("\"id\": \"r\"", "\"id\": \"\"")));
        }

        @Test
        void idsAreAtMostSixtyFourCharacters() {
            assertValid(activityRule("").replace("\"id\": \"r\"", "\"id\": \"" + "a".repeat(64) + "\""));
            assertEquals(List.of("rules[0].id"),
                    problemPaths(activityRule("").replace("\"id\": \"r\"", "\"id\": \"" + "a".repeat(65) + "\"")));
        }

        @Test
        void anIdIsRequired() {
            assertEquals(List.of("rules[0].id"), problemPaths(activityRule("").replace("\"id\": \"r\", ", "")));
        }

        @Test
        void idsAreUniqueInTheModel() {
            assertEquals(List.of("rules[2].id"), problemPaths(activityRule(""),
                    activityRule("").replace("\"id\": \"r\"", "\"id\": \"other\""), activityRule("")));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Points, count and maxPoints")
    class Points {

        private String withPoints(String points) {
            return activityRule("").replace("\"points\": 2", "\"points\": " + points);
        }

        @Test
        void pointsAreNonZeroIntegersFromMinusThousandToThousand() {
            assertValid(withPoints("1000"));
            assertValid(withPoints("-1000"));
            assertValid(withPoints("-1"));
            assertEquals(List.of("rules[0].points"), problemPaths(withPoints("0")));
            assertEquals(List.of("rules[0].points"), problemPaths(withPoints("1001")));
            assertEquals(List.of("rules[0].points"), problemPaths(withPoints("-1001")));
            assertEquals(List.of("rules[0].points"), problemPaths(withPoints("2.5")));
            assertEquals(List.of("rules[0].points"), problemPaths(withPoints("\"2\"")));
        }

        @Test
        void pointsAreRequired() {
            assertEquals(List.of("rules[0].points"), problemPaths(activityRule("").replace("\"points\": 2, ", "")));
        }

        @Test
        void countEachIsForActivityRulesOnly() {
            assertValid(activityRule("\"count\": \"each\""));
            assertEquals(List.of("rules[0].count"), problemPaths(ruleWithCriterion("\"count\": \"each\"", TAG)));
            assertEquals(List.of("rules[0].count"), problemPaths(ruleWithCriterion("\"count\": \"each\"", FIELD)));
            assertEquals(List.of("rules[0].count"), problemPaths(ruleWithCriterion("\"count\": \"each\"", INACTIVITY)));
        }

        @Test
        void countIsOnceOrEach() {
            assertValid(ruleWithCriterion("\"count\": \"once\"", TAG));
            assertEquals(List.of("rules[0].count"), problemPaths(activityRule("\"count\": \"twice\"")));
        }

        @Test
        void maxPointsGoesOnlyWithCountEach() {
            assertValid(activityRule("\"count\": \"each\", \"maxPoints\": 10"));
            assertEquals(List.of("rules[0].maxPoints"), problemPaths(activityRule("\"maxPoints\": 10")));
            assertEquals(List.of("rules[0].maxPoints"), problemPaths(activityRule("\"count\": \"once\", \"maxPoints\": 10")));
        }

        @Test
        void maxPointsIsAPositiveBound() {
            assertEquals(List.of("rules[0].maxPoints"), problemPaths(activityRule("\"count\": \"each\", \"maxPoints\": 0")));
            assertEquals(List.of("rules[0].maxPoints"), problemPaths(activityRule("\"count\": \"each\", \"maxPoints\": -5")));
            assertValid(activityRule("\"count\": \"each\", \"maxPoints\": 1"));
        }

        @Test
        void categoryIsFitOrEngagement() {
            assertValid(activityRule("\"category\": \"fit\""));
            assertEquals(List.of("rules[0].category"), problemPaths(activityRule("\"category\": \"interest\"")));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Durations: expiresAfter and for")
    class Durations {

        @Test
        void expiresAfterIsAllowedOnTagAndActivityRulesOnly() {
            assertValid(activityRule("\"expiresAfter\": \"P28D\""));
            assertValid(ruleWithCriterion("\"expiresAfter\": \"P7D\"", TAG));
            assertEquals(List.of("rules[0].expiresAfter"), problemPaths(ruleWithCriterion("\"expiresAfter\": \"P7D\"", FIELD)));
            assertEquals(List.of("rules[0].expiresAfter"), problemPaths(ruleWithCriterion("\"expiresAfter\": \"P7D\"", INACTIVITY)));
        }

        @Test
        void weeksDaysHoursMinutesAndSecondsAreAccepted() {
            for (String d : List.of("P2W", "P28D", "PT12H", "P1DT6H", "PT90M", "PT1S", "P1W2DT3H4M5S")) {
                assertValid(activityRule("\"expiresAfter\": \"" + d + "\""));
            }
            assertEquals(Duration.ofDays(1).plusHours(6), IsoDuration.parse("P1DT6H").orElseThrow().length());
            assertEquals(Duration.ofDays(14), IsoDuration.parse("P2W").orElseThrow().length());
        }

        @Test
        void monthsAndYearsAreRejectedBecauseTheirLengthVaries() {
            for (String d : List.of("P1M", "P1Y", "P1Y2D", "P1MT2H")) {
                assertEquals(List.of("rules[0].expiresAfter"), problemPaths(activityRule("\"expiresAfter\": \"" + d + "\"")), d);
            }
        }

        @Test
        void aDurationIsAtLeastOneSecond() {
            for (String d : List.of("PT0S", "P0D", "PT0.5S", "P0W")) {
                assertEquals(List.of("rules[0].expiresAfter"), problemPaths(activityRule("\"expiresAfter\": \"" + d + "\"")), d);
            }
        }

        @Test
        void malformedDurationsAreRejected() {
            for (String d : List.of("28 days", "P", "PT", "P1DT", "28D", "-P1D", "p28d", "")) {
                assertEquals(List.of("rules[0].expiresAfter"), problemPaths(activityRule("\"expiresAfter\": \"" + d + "\"")), d);
            }
            assertEquals(List.of("rules[0].expiresAfter"), problemPaths(activityRule("\"expiresAfter\": 28")));
        }

        @Test
        void inactivityNeedsAValidFor() {
            assertValid(ruleWithCriterion("", INACTIVITY));
            assertEquals(List.of("rules[0].criterion.for"),
                    problemPaths(ruleWithCriterion("", INACTIVITY.replace("P30D", "P1M"))));
            assertEquals(List.of("rules[0].criterion.for"),
                    problemPaths(ruleWithCriterion("", "{\"type\": \"inactivity\", \"activity\": \"email_opened\"}")));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Criteria and predicates")
    class Criteria {

        @Test
        void aCriterionIsRequiredAndHasAKnownType() {
            assertEquals(List.of("rules[0].criterion"),
                    problemPaths("{\"id\": \"r\", \"name\": \"Rule\", \"points\": 2}"));
            assertEquals(List.of("rules[0].criterion.type"),
                    problemPaths(ruleWithCriterion("", "{\"type\": \"score\"}")));
        }

        @Test
        void aTagCriterionNeedsAtLeastOneTag() {
            assertEquals(List.of("rules[0].criterion.anyOf"),
                    problemPaths(ruleWithCriterion("", "{\"type\": \"tag\", \"anyOf\": []}")));
            assertEquals(List.of("rules[0].criterion.anyOf[1]"),
                    problemPaths(ruleWithCriterion("", "{\"type\": \"tag\", \"anyOf\": [\"vip\", 3]}")));
        }

        @Test
        void activityNamesFollowTheEventTypePatternAndAreNotReserved() {
            assertEquals(List.of("rules[0].criterion.activity"), problemPaths(ruleWithCriterion("",
                    "{\"type\": \"activity\", \"activity\": \"WebForm\"}")));
            assertEquals(List.of("rules[0].criterion.activity"), problemPaths(ruleWithCriterion("",
                    "{\"type\": \"activity\", \"activity\": \"tag_applied\"}")));
            assertValid(ruleWithCriterion("", "{\"type\": \"activity\", \"activity\": \"video.watched_2\"}"));
        }

        @Test
        void stringOperatorsTakeAStringValue() {
            for (String op : List.of("contains", "startsWith", "endsWith")) {
                assertValid(withPredicate("{\"field\": \"url\", \"op\": \"" + op + "\", \"value\": \"/pricing\"}"));
                assertEquals(List.of(PREDICATE_PATH + ".value"),
                        problemPaths(withPredicate("{\"field\": \"url\", \"op\": \"" + op + "\", \"value\": 5}")), op);
            }
        }

        @Test
        void orderingOperatorsTakeANumberValue() {
            for (String op : List.of("gt", "gte", "lt", "lte")) {
                assertValid(withPredicate("{\"field\": \"d\", \"op\": \"" + op + "\", \"value\": 300.5}"));
                assertEquals(List.of(PREDICATE_PATH + ".value"),
                        problemPaths(withPredicate("{\"field\": \"d\", \"op\": \"" + op + "\", \"value\": \"300\"}")), op);
            }
        }

        @Test
        void eqAndNeqTakeAnyScalarValue() {
            for (String value : List.of("\"pro\"", "3", "2.5", "true")) {
                assertValid(withPredicate("{\"field\": \"plan\", \"op\": \"eq\", \"value\": " + value + "}"));
                assertValid(withPredicate("{\"field\": \"plan\", \"op\": \"neq\", \"value\": " + value + "}"));
            }
            assertEquals(List.of(PREDICATE_PATH + ".value"),
                    problemPaths(withPredicate("{\"field\": \"plan\", \"op\": \"eq\", \"value\": {\"a\": 1}}")));
            assertEquals(List.of(PREDICATE_PATH + ".value"),
                    problemPaths(withPredicate("{\"field\": \"plan\", \"op\": \"eq\"}")));
        }

        @Test
        void inNeedsANonEmptyListOfValues() {
            assertValid(withPredicate("{\"field\": \"formId\", \"op\": \"in\", \"values\": [\"demo\", 3, true]}"));
            assertEquals(List.of(PREDICATE_PATH + ".values"),
                    problemPaths(withPredicate("{\"field\": \"formId\", \"op\": \"in\"}")));
            assertEquals(List.of(PREDICATE_PATH + ".values"),
                    problemPaths(withPredicate("{\"field\": \"formId\", \"op\": \"in\", \"values\": []}")));
            assertEquals(List.of(PREDICATE_PATH + ".values[1]"),
                    problemPaths(withPredicate("{\"field\": \"formId\", \"op\": \"in\", \"values\": [\"demo\", [1]]}")));
            assertEquals(List.of(PREDICATE_PATH + ".value", PREDICATE_PATH + ".values"),
                    problemPaths(withPredicate("{\"field\": \"formId\", \"op\": \"in\", \"value\": \"demo\"}")));
        }

        @Test
        void singleValuedOperatorsDoNotTakeValues() {
            assertEquals(List.of(PREDICATE_PATH + ".values"),
                    problemPaths(withPredicate("{\"field\": \"plan\", \"op\": \"eq\", \"value\": \"pro\", \"values\": [\"pro\"]}")));
        }

        @Test
        void existsTakesNeitherValueNorValues() {
            assertValid(withPredicate("{\"field\": \"campaign\", \"op\": \"exists\"}"));
            assertEquals(List.of(PREDICATE_PATH),
                    problemPaths(withPredicate("{\"field\": \"campaign\", \"op\": \"exists\", \"value\": true}")));
            assertEquals(List.of(PREDICATE_PATH),
                    problemPaths(withPredicate("{\"field\": \"campaign\", \"op\": \"exists\", \"values\": [1]}")));
        }

        @Test
        void theOperatorMustBeKnown() {
            assertEquals(List.of(PREDICATE_PATH + ".op"),
                    problemPaths(withPredicate("{\"field\": \"plan\", \"op\": \"equals\", \"value\": \"pro\"}")));
            assertEquals(List.of(PREDICATE_PATH + ".op"),
                    problemPaths(withPredicate("{\"field\": \"plan\", \"op\": \"EQ\", \"value\": \"pro\"}")));
        }

        @Test
        void aPredicateNamesItsField() {
            assertEquals(List.of(PREDICATE_PATH + ".field"),
                    problemPaths(withPredicate("{\"op\": \"eq\", \"value\": \"pro\"}")));
        }

        @Test
        void fieldRulesCheckTheirPredicateLikeActivityRules() {
            assertEquals(List.of("rules[0].criterion.value"), problemPaths(ruleWithCriterion("",
                    "{\"type\": \"field\", \"field\": \"employees\", \"op\": \"gte\", \"value\": \"50\"}")));
            assertValid(ruleWithCriterion("", "{\"type\": \"field\", \"field\": \"employees\", \"op\": \"gte\", \"value\": 50}"));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Unknown properties")
    class UnknownProperties {

        @Test
        void anUnknownPropertyOfTheModelIsRejected() {
            assertEquals(List.of("rule"), problemPathsOf("{\"idealScore\": 20, \"rule\": []}"));
        }

        @Test
        void anUnknownPropertyOfARuleIsRejected() {
            assertEquals(List.of("rules[0].point"), problemPaths(activityRule("\"point\": 3")));
        }

        @Test
        void anUnknownPropertyOfACriterionIsRejected() {
            assertEquals(List.of("rules[0].criterion.expiresAfter"), problemPaths(ruleWithCriterion("",
                    "{\"type\": \"tag\", \"anyOf\": [\"vip\"], \"expiresAfter\": \"P1D\"}")));
            assertEquals(List.of("rules[0].criterion.where"), problemPaths(ruleWithCriterion("",
                    "{\"type\": \"tag\", \"anyOf\": [\"vip\"], \"where\": []}")));
        }

        @Test
        void anUnknownPropertyOfAPredicateIsRejected() {
            assertEquals(List.of(PREDICATE_PATH + ".ignoreCase"),
                    problemPaths(withPredicate("{\"field\": \"plan\", \"op\": \"eq\", \"value\": \"pro\", \"ignoreCase\": true}")));
        }

        @Test
        void anUnknownLimitOrBoundIsRejected() {
            assertEquals(List.of("limits.score"), problemPathsOf("{\"idealScore\": 20, \"limits\": {\"score\": {\"max\": 5}}}"));
            assertEquals(List.of("limits.total.maximum"),
                    problemPathsOf("{\"idealScore\": 20, \"limits\": {\"total\": {\"maximum\": 5}}}"));
        }

        @Test
        void anUnknownPropertyOfARangeIsRejected() {
            assertEquals(List.of("ranges[0].colour"), problemPathsOf("""
                    {"idealScore": 20, "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2", "colour": "blue"}]}"""));
        }

        @Test
        void versionAndUpdatedAtFromAGetAreIgnored() {
            assertEquals(List.of(), problemPathsOf("{\"version\": 3, \"updatedAt\": \"2026-11-23T10:00:00Z\", \"idealScore\": 20}"));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Model-level settings")
    class ModelSettings {

        @Test
        void idealScoreIsAPositiveWholeNumber() {
            assertEquals(List.of("idealScore"), problemPathsOf("{\"idealScore\": 0}"));
            assertEquals(List.of("idealScore"), problemPathsOf("{\"idealScore\": -20}"));
            assertEquals(List.of("idealScore"), problemPathsOf("{\"idealScore\": 12.5}"));
            assertEquals(List.of(), problemPathsOf("{\"idealScore\": 1}"));
        }

        @Test
        void rangesHaveANameAMinAndAColourAndDoNotOverlap() {
            assertEquals(List.of("ranges[1].name"), problemPathsOf("""
                    {"ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"},
                                {"name": "cold", "min": 5, "color": "#4a90e2"}]}"""));
            assertEquals(List.of("ranges[1].min"), problemPathsOf("""
                    {"ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"},
                                {"name": "warm", "min": 0, "color": "#f5a623"}]}"""));
            assertEquals(List.of("ranges[0].min"), problemPathsOf("{\"ranges\": [{\"name\": \"cold\", \"color\": \"#4a90e2\"}]}"));
            assertEquals(List.of("ranges[0].color"),
                    problemPathsOf("{\"ranges\": [{\"name\": \"cold\", \"min\": 0, \"color\": \"#4a90e\"}]}"));
        }

        @Test
        void aRangeColourIsAnyCssHexFormOrColourNameKeptAsWritten() {
            for (String colour : List.of("#888", "#00F8", "#3b82f6", "#3B82F680", "navy", "RebeccaPurple",
                    "lightgoldenrodyellow")) {
                ScoringModel m = model("{\"ranges\": [{\"name\": \"warm\", \"min\": 0, \"color\": \"" + colour + "\"}]}");
                assertEquals(colour, m.ranges().get(0).color());
            }
            for (String notAColour : List.of("#88", "#88888", "#3b82f6a", "#ggg", "888", "bluish", "transparent",
                    "currentColor", "rgb(0, 0, 255)", " navy", "#3b82f6; background: red")) {
                assertEquals(List.of("ranges[0].color"), problemPathsOf(
                        "{\"ranges\": [{\"name\": \"warm\", \"min\": 0, \"color\": \"" + notAColour + "\"}]}"),
                        notAColour);
            }
        }

        @Test
        void rangesAreSortedByMin() {
            ScoringModel m = model("""
                    {"ranges": [{"name": "hot", "min": 15, "color": "#d0021b"},
                                {"name": "cold", "min": -100, "color": "#4a90e2"},
                                {"name": "warm", "min": 8, "color": "#f5a623"}]}""");
            assertEquals(List.of("cold", "warm", "hot"), m.ranges().stream().map(ScoreRange::name).toList());
        }

        @Test
        void aLimitsMinimumMustNotExceedItsMaximum() {
            assertEquals(List.of("limits.engagement"),
                    problemPathsOf("{\"limits\": {\"engagement\": {\"min\": 10, \"max\": -10}}}"));
            assertEquals(List.of(), problemPathsOf("{\"limits\": {\"engagement\": {\"min\": -10}, \"total\": {\"max\": 0}}}"));
        }
    }

    // ---------------------------------------------------------------------------------------
    @Nested
    @DisplayName("Defaults and round trip")
    class DefaultsAndRoundTrip {

        @Test
        void aRuleDefaultsToEngagementCountedOnceWithoutExpiry() {
            ScoringModel m = model("""
                    {"rules": [{"id": "r", "name": "Rule", "points": 2,
                                "criterion": {"type": "activity", "activity": "web_form_submitted"}}]}""");
            Rule rule = m.rules().get(0);
            assertEquals(Category.ENGAGEMENT, rule.category());
            assertEquals(CountMode.ONCE, rule.count());
            assertEquals(Optional.empty(), rule.maxPoints());
            assertEquals(Optional.empty(), rule.expiresAfter());
            assertEquals(new Criterion.Activity("web_form_submitted", List.of()), rule.criterion());
        }

        @Test
        void aModelDefaultsToEnabledIdealScoreHundredNoRangesNoLimitsNoRules() {
            assertEquals(ScoringModel.DEFAULT, model("{}"));
        }

        @Test
        void nullOptionalPropertiesMeanTheirDefaults() {
            ScoringModel m = model("""
                    {"enabled": null, "ranges": null, "limits": null,
                     "rules": [{"id": "r", "name": "Rule", "points": 2, "category": null, "count": null,
                                "maxPoints": null, "expiresAfter": null,
                                "criterion": {"type": "activity", "activity": "web_form_submitted", "where": null}}]}""");
            assertTrue(m.enabled());
            assertEquals(Category.ENGAGEMENT, m.rules().get(0).category());
        }

        @Test
        void writingThenReadingGivesAnEqualModel() {
            ScoringModel m = model("""
                    {"enabled": false, "idealScore": 35,
                     "ranges": [{"name": "warm", "min": 8, "color": "#f5a623"}, {"name": "cold", "min": -5, "color": "#4A90E2"}],
                     "limits": {"fit": {"max": 50}, "engagement": {"min": -20, "max": 80}, "total": {"min": -10}},
                     "rules": [
                       {"id": "webform", "name": "Web form", "points": 2, "expiresAfter": "P28D",
                        "criterion": {"type": "activity", "activity": "web_form_submitted",
                                      "where": [{"field": "formId", "op": "in", "values": ["demo", 3, 2.5, true]}]}},
                       {"id": "opens", "name": "Opens", "points": -3, "count": "each", "maxPoints": 12, "expiresAfter": "P1DT6H",
                        "criterion": {"type": "activity", "activity": "email_opened",
                                      "where": [{"field": "campaign", "op": "exists"},
                                                {"field": "ratio", "op": "gte", "value": 0.75},
                                                {"field": "subject", "op": "startsWith", "value": "Re:"},
                                                {"field": "optIn", "op": "neq", "value": false}]}},
                       {"id": "events", "name": "Events", "category": "engagement", "points": 5, "expiresAfter": "P2W",
                        "criterion": {"type": "tag", "anyOf": ["webinar", "Trade Show"]}},
                       {"id": "germany", "name": "Germany", "category": "fit", "points": 10,
                        "criterion": {"type": "field", "field": "country", "op": "eq", "value": "DE"}},
                       {"id": "quiet", "name": "Quiet", "points": -4,
                        "criterion": {"type": "inactivity", "activity": "page_visited", "for": "PT72H",
                                      "where": [{"field": "url", "op": "contains", "value": "/pricing"}]}}]}""");
            ObjectNode written = ModelJson.write(m);
            Validated<ScoringModel> reread = ModelJson.read(written);
            assertEquals(List.of(), reread.problems());
            assertEquals(m, reread.value().orElseThrow());
            assertEquals(written, ModelJson.write(reread.value().orElseThrow()));
        }

        @Test
        void writtenRulesShowEveryPropertyOfTheApiShape() {
            ScoringModel m = model("""
                    {"rules": [{"id": "webform", "name": "Web form", "points": 2,
                                "criterion": {"type": "activity", "activity": "web_form_submitted"}}]}""");
            JsonNode rule = ModelJson.write(m).get("rules").get(0);
            assertEquals(json("""
                    {"id": "webform", "name": "Web form", "category": "engagement", "points": 2, "count": "once",
                     "maxPoints": null, "expiresAfter": null, "decay": null,
                     "criterion": {"type": "activity", "activity": "web_form_submitted", "where": []}}"""), rule);
        }

        @Test
        void durationsAreWrittenAsTheUserWroteThem() {
            ScoringModel m = model("""
                    {"rules": [{"id": "r", "name": "Rule", "points": 2, "expiresAfter": "PT36H",
                                "criterion": {"type": "activity", "activity": "web_form_submitted"}}]}""");
            assertEquals("PT36H", ModelJson.write(m).get("rules").get(0).get("expiresAfter").textValue());
        }
    }
}

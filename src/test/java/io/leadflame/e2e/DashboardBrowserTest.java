package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.leadflame.testing.Browser;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.fieldsUpdated;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real headless Chromium against a real node: the call list updating live,
 * a contact's reasons and projection, the model editor from an invalid rule to a published,
 * rescored model, the distribution; no page logs a console error. The screenshots in README
 * are taken here (see {@link Browser#screenshot}).
 */
class DashboardBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String MODEL = """
            {"idealScore": 10,
             "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"}, {"name": "warm", "min": 4, "color": "orange"},
                        {"name": "hot", "min": 8, "color": "#d02"}],
             "rules": [
               {"id": "demo", "name": "Asked for a demo", "points": 8, "expiresAfter": "P3D",
                "criterion": {"type": "tag", "anyOf": ["demo"]}},
               {"id": "pricing", "name": "Visited pricing", "points": 1, "count": "each", "maxPoints": 3,
                "criterion": {"type": "activity", "activity": "page_visited",
                              "where": [{"field": "path", "op": "startsWith", "value": "/pricing"}]}},
               {"id": "cfo", "name": "Finance title", "category": "fit", "points": 3,
                "criterion": {"type": "field", "field": "title", "op": "contains", "value": "cfo"}}]}""";

    @TempDir
    static Path dataDir;
    static LeadflameNode node;
    static Browser browser;

    @BeforeAll
    static void start() {
        Browser.assumeInstalled();
        node = LeadflameNode.start(dataDir);
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static ChromeDriver driver() {
        return browser.driver();
    }

    private static void open(String path) {
        browser.size(1280, 900);
        driver().get("http://127.0.0.1:" + node.port() + path);
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(driver(), WAIT);
    }

    private static WebElement await(String css) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private static WebElement byPath(String path) {
        return driver().findElement(By.cssSelector("[data-path='" + path + "']"));
    }

    private static void type(String path, String text) {
        WebElement input = byPath(path);
        input.clear();
        input.sendKeys(text);
    }

    private static void assertNoConsoleErrors(int... expectedStatuses) {
        assertEquals(List.of(), browser.consoleErrors(expectedStatuses), "console errors");
    }

    @Test
    void aNewHotLeadAppearsInTheCallListWithItsFlamesWithoutAReload() {
        String tenant = "ui-list";
        node.publish(tenant, MODEL);
        Instant at = Instant.now();
        node.record(tenant, activity("lena", "page_visited", at, "path", "/pricing/team"),
                fieldsUpdated("omar", at, "title", "CFO"), tagApplied("omar", "x", at),
                activity("omar", "page_visited", at, "path", "/pricing"));

        open("/t/" + tenant);
        await("tr[data-contact='omar']");
        waiting().until(ExpectedConditions.textToBe(By.cssSelector(".live"), "● live"));
        driver().executeScript("window.sameDocument = true;");

        node.record(tenant, tagApplied("ada", "demo", at), activity("ada", "page_visited", at, "path", "/pricing"));
        WebElement row = await("tbody tr[data-contact='ada']");
        assertEquals("4", row.getAttribute("data-flames"), "9 of an ideal 10 is 4 flames");
        assertEquals("ada", driver().findElement(By.cssSelector("tbody tr")).getAttribute("data-contact"),
                "the hottest first");
        WebElement chip = row.findElement(By.cssSelector(".chip"));
        assertEquals("hot", chip.getText());
        assertEquals("rgba(221, 0, 34, 1)", chip.getCssValue("background-color"), "#d02 drawn as written");
        assertEquals("rgba(255, 255, 255, 1)", chip.getCssValue("color"), "white ink on a dark range colour");
        assertTrue(row.getText().contains("Asked for a demo"), row.getText());
        assertEquals(Boolean.TRUE, driver().executeScript("return window.sameDocument === true;"), "no reload");
        assertNoConsoleErrors();
        browser.screenshot("call-list");

        // Filtered to the hot leads.
        new org.openqa.selenium.support.ui.Select(byId("range")).selectByValue("hot");
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tbody tr[data-contact]"), 1));

        open("/t/" + tenant);
        browser.size(390, 844);
        await("tr[data-contact='ada']");
        assertEquals(Boolean.TRUE, driver().executeScript(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1;"), "no sideways scrolling at phone width");
        browser.screenshot("call-list-phone");
        assertNoConsoleErrors();
    }

    private static WebElement byId(String id) {
        return driver().findElement(By.id(id));
    }

    @Test
    void aNamedScoreIsOneSwitchAwayAndAContactShowsItsScoreOverTime() {
        String tenant = "ui-named";
        node.publish(tenant, MODEL);
        HttpReply named = node.send("PUT", LeadflameNode.api(tenant) + "/scores/intent/model", "application/json", """
                {"idealScore": 10, "rules": [{"id": "pricing", "name": "Pricing visits", "points": 5,
                  "criterion": {"type": "activity", "activity": "page_visited"}}]}""");
        assertEquals(200, named.status(), named.body());
        Instant at = Instant.now().minusSeconds(60);
        node.record(tenant, tagApplied("ada", "demo", at), activity("bob", "page_visited", at, "path", "/pricing"));
        io.leadflame.testing.Eventually.eventually(Duration.ofSeconds(5), () -> assertEquals(2,
                node.get(LeadflameNode.api(tenant) + "/scores").json().get("scores").size()));

        open("/t/" + tenant);
        await("tr[data-contact='ada']");
        // The default score: the demo's 8 points first (rows are rebuilt on each load: waited for).
        waiting().until(ExpectedConditions.attributeToBe(By.cssSelector("tbody tr"), "data-contact", "ada"));
        new org.openqa.selenium.support.ui.Select(await("#score")).selectByValue("intent");
        waiting().until(ExpectedConditions.urlContains("score=intent"));
        await("tbody tr[data-contact='bob']");
        waiting().until(ExpectedConditions.textToBe(By.cssSelector(".live"), "● live"));
        // The rows are rebuilt on every load: each step finds them afresh.
        waiting().until(ExpectedConditions.attributeToBe(By.cssSelector("tbody tr"), "data-contact", "bob"));
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("tbody tr[data-contact='bob'] .score"), "5"));
        browser.screenshot("call-list-named-score");
        waiting().until(d -> {
            try {
                d.findElement(By.cssSelector("tbody tr[data-contact='bob'] a")).click();
                return true;
            } catch (org.openqa.selenium.StaleElementReferenceException rebuilt) {
                return false;
            }
        });
        await("#history svg.chart circle.dot[data-score='5']");
        assertEquals("intent", driver().findElement(By.cssSelector("dd.score-name")).getText());
        assertEquals("5", driver().findElement(By.cssSelector(".contact-head .score")).getText());
        assertEquals("+5", driver().findElement(By.cssSelector("#history .velocity7")).getText());
        assertTrue(driver().findElement(By.cssSelector("#history table.ledger")).getText().contains("Pricing visits"));
        assertNoConsoleErrors();
        browser.screenshot("contact-history");

        // The named score's own model in the editor, reached through the page's links.
        driver().findElement(By.cssSelector("#nav a[href*='/model']")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("version"), "version 1"));
        assertTrue(driver().getCurrentUrl().contains("score=intent"), driver().getCurrentUrl());
        assertEquals("pricing", byPath("rules[0].id").getAttribute("value"));
        assertEquals("intent", new org.openqa.selenium.support.ui.Select(byId("score"))
                .getFirstSelectedOption().getAttribute("value"));
        assertNoConsoleErrors();
    }

    @Test
    void theContactPageShowsItsReasonsWithTheirExpiryAndTheScoreDaysAhead() {
        String tenant = "ui-contact";
        node.publish(tenant, MODEL);
        // A minute ago: the demo's 3 days are then surely under "3 d" when the page counts down.
        Instant at = Instant.now().minusSeconds(60);
        node.record(tenant, tagApplied("ada", "demo", at), activity("ada", "page_visited", at, "path", "/pricing"),
                fieldsUpdated("ada", at, "title", "CFO"));

        open("/t/" + tenant + "/contacts/ada");
        WebElement demo = await("tr[data-rule='demo']");
        assertTrue(demo.getText().contains("Asked for a demo"), demo.getText());
        assertTrue(demo.findElement(By.cssSelector(".countdown")).getText().startsWith("in 2 d"),
                "expires in 3 days: " + demo.getText());
        assertEquals("12", driver().findElement(By.cssSelector(".contact-head .score")).getText());
        assertEquals("3", driver().findElement(By.cssSelector("dd.fit")).getText());
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("projection"), "In 7 days"));
        // In 7 days the demo's 8 points have expired: 4 left.
        assertEquals("4", driver().findElement(By.cssSelector("#projection .projected-score")).getText());
        assertTrue(driver().findElement(By.id("projection")).getText().contains("(-8)"));
        assertTrue(driver().findElement(By.cssSelector(".tags")).getText().contains("demo"));
        assertNoConsoleErrors();
        browser.screenshot("contact");
    }

    @Test
    void aModelIsBuiltFixedPreviewedAndPublishedInTheEditor() {
        String tenant = "ui-model";
        Instant at = Instant.now();
        node.record(tenant, tagApplied("ada", "demo", at), activity("lena", "page_visited", at, "path", "/"));

        open("/t/" + tenant + "/model");
        await("#add-rule");
        driver().findElement(By.xpath("//button[text()='+ Range']")).click();
        driver().findElement(By.xpath("//button[text()='+ Range']")).click();
        driver().findElement(By.id("add-rule")).click();
        type("idealScore", "10");
        type("ranges[0].name", "cold");
        type("ranges[0].min", "0");
        type("ranges[1].name", "hot");
        type("ranges[1].min", "8");
        type("rules[0].id", "demo");
        type("rules[0].name", "Asked for a demo");
        type("rules[0].points", "0");
        type("rules[0].criterion.anyOf", "demo");

        driver().findElement(By.id("preview-button")).click();
        WebElement error = await("[data-error-for='rules[0].points']");
        assertTrue(error.getText().contains("0"), "the API's message by the field: " + error.getText());
        assertEquals("true", byPath("rules[0].points").getAttribute("aria-invalid"));

        type("rules[0].points", "8");
        driver().findElement(By.id("preview-button")).click();
        await("#preview svg.chart");
        assertEquals(0, driver().findElements(By.cssSelector("[data-error-for='rules[0].points']")).stream()
                .filter(WebElement::isDisplayed).count(), "the error is gone");
        await("#preview tr[data-contact='ada']");
        browser.screenshot("model-preview");

        driver().findElement(By.id("publish-button")).click();
        waiting().until(ExpectedConditions.attributeToBe(By.id("rescoring"), "data-done", "true"));
        JsonNode published = node.model(tenant);
        assertEquals(1, published.get("version").asInt());
        assertEquals(8, published.get("rules").get(0).get("points").asInt());
        assertEquals(4, node.contact(tenant, "ada").get("flames").asInt(), "rescored: 8 of 10");
        browser.screenshot("model-editor");

        // Someone else publishes meanwhile: this page's Publish must not overwrite it.
        node.publish(tenant, MODEL);
        type("rules[0].points", "7");
        driver().findElement(By.id("publish-button")).click();
        WebElement conflict = await(".conflict");
        assertTrue(conflict.getText().contains("someone else"), conflict.getText());
        assertEquals(2, node.model(tenant).get("version").asInt(), "not overwritten");
        assertNoConsoleErrors(400, 412);
    }

    @Test
    void aRulesDecayIsChosenInTheEditorPublishedAndShownAgain() {
        String tenant = "ui-decay";
        open("/t/" + tenant + "/model");
        await("#add-rule");
        driver().findElement(By.id("add-rule")).click();
        type("rules[0].id", "demo");
        type("rules[0].name", "Asked for a demo");
        type("rules[0].points", "10");
        type("rules[0].criterion.anyOf", "demo");
        new org.openqa.selenium.support.ui.Select(byPath("rules[0].decay.type")).selectByValue("linear");
        await("[data-path='rules[0].decay.over']");
        type("rules[0].decay.over", "P10D");

        driver().findElement(By.id("publish-button")).click();
        waiting().until(ExpectedConditions.attributeToBe(By.id("rescoring"), "data-done", "true"));
        JsonNode decay = node.model(tenant).get("rules").get(0).get("decay");
        assertEquals("linear", decay.get("type").asText(), decay.toString());
        assertEquals("P10D", decay.get("over").asText(), decay.toString());

        open("/t/" + tenant + "/model");
        WebElement over = await("[data-path='rules[0].decay.over']");
        assertEquals("P10D", over.getAttribute("value"));
        assertEquals("linear", new org.openqa.selenium.support.ui.Select(byPath("rules[0].decay.type"))
                .getFirstSelectedOption().getAttribute("value"));
        assertNoConsoleErrors();
    }

    @Test
    void theAccountsPageListsTheTenantsAccountsHottestFirst() {
        String tenant = "ui-accounts";
        node.publish(tenant, """
                {"idealScore": 10, "accounts": {"field": "company", "score": "sum"}, "rules": [
                  {"id": "visit", "name": "Visits", "points": 2, "count": "each",
                   "criterion": {"type": "activity", "activity": "page_visited"}}]}""");
        Instant at = Instant.now();
        node.record(tenant, fieldsUpdated("ada", at, "company", "Acme"), activity("ada", "page_visited", at, "path", "/"),
                fieldsUpdated("bob", at, "company", "Globex"), activity("bob", "page_visited", at, "path", "/"),
                activity("bob", "page_visited", at.plusMillis(1), "path", "/x"));
        io.leadflame.testing.Eventually.eventually(Duration.ofSeconds(5), () -> assertEquals("Globex",
                node.get(LeadflameNode.api(tenant) + "/accounts").json().at("/accounts/0/account").asText()));

        open("/t/" + tenant + "/accounts");
        WebElement first = await("tbody tr[data-account]");
        assertEquals("Globex", first.getAttribute("data-account"));
        assertEquals("4", first.findElement(By.cssSelector(".score")).getText());
        assertEquals(2, driver().findElements(By.cssSelector("tbody tr[data-account]")).size());
        assertTrue(first.getText().contains("bob"), first.getText());
        // Live: ada's two more visits put Acme (6) above Globex (4) without a reload.
        await("table.accounts[data-live='on']");
        driver().executeScript("window.sameDocument = true;");
        node.record(tenant, activity("ada", "page_visited", at.plusMillis(2), "path", "/a"),
                activity("ada", "page_visited", at.plusMillis(3), "path", "/b"));
        waiting().until(ExpectedConditions.attributeToBe(By.cssSelector("tbody tr[data-account]"), "data-account",
                "Acme"));
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("tbody tr[data-account='Acme'] .score"), "6"));
        assertEquals(Boolean.TRUE, driver().executeScript("return window.sameDocument === true;"), "no reload");
        assertNoConsoleErrors();
        browser.screenshot("accounts");
    }

    @Test
    void theDistributionChartsTheTenantsFlamesAndRanges() {
        String tenant = "ui-stats";
        node.publish(tenant, MODEL);
        Instant at = Instant.now();
        node.record(tenant, tagApplied("ada", "demo", at), activity("lena", "page_visited", at, "path", "/pricing"));

        open("/t/" + tenant + "/distribution");
        await("svg.chart");
        assertEquals(3, driver().findElements(By.cssSelector("svg.chart")).size());
        WebElement fourFlames = driver().findElement(By.cssSelector("rect.bar[data-label='4']"));
        assertEquals("1", fourFlames.getAttribute("data-value"));
        WebElement hot = driver().findElement(By.cssSelector("rect.bar[data-label='hot']"));
        assertEquals("1", hot.getAttribute("data-value"));
        assertEquals("#d02", hot.getAttribute("fill"), "the range's own colour, as written");
        assertNoConsoleErrors();
        browser.screenshot("distribution");
    }
}

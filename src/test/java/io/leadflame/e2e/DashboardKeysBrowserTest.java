package io.leadflame.e2e;

import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.Browser;
import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard of a node with keys on, in a real headless Chromium: it asks for a key, refuses a
 * wrong one, shows the call list with a read key and keeps it live (the stream sends the key
 * too), and forgets the key when told.
 */
class DashboardKeysBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TENANT = "ui-keys";
    private static final String MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "demo", "name": "Asked for a demo", "points": 8,
               "criterion": {"type": "tag", "anyOf": ["demo"]}},
              {"id": "visit", "name": "Visited", "points": 1,
               "criterion": {"type": "activity", "activity": "page_visited"}}]}""";

    @TempDir
    static Path dataDir;
    static LeadflameNode node;
    static Browser browser;

    @BeforeAll
    static void start() {
        Browser.assumeInstalled();
        node = LeadflameNode.start(dataDir, ConfigFactory.parseMap(Map.of(
                "leadflame.auth.operator-key", ApiKeysEndToEndTest.OPERATOR_KEY)));
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

    @Test
    void theDashboardAsksForAKeyAndShowsWhatAReadKeyAllows() {
        node.publish(TENANT, MODEL);
        node.record(TENANT, activity("omar", "page_visited", Instant.now()));
        HttpReply created = node.send("POST", LeadflameNode.api(TENANT) + "/keys", "application/json",
                "{\"name\": \"sales floor\", \"role\": \"read\"}");
        assertEquals(201, created.status(), created.body());
        String readKey = created.json().path("key").asText();

        browser.size(1280, 900);
        browser.driver().get("http://127.0.0.1:" + node.port() + "/t/" + TENANT);
        enterKey("lf_0123456789abcdef_not-a-real-key");
        WebElement prompt = await("#api-key").findElement(By.xpath("ancestor::section"));
        assertTrue(prompt.getText().contains("not valid"), prompt.getText());

        enterKey(readKey);
        await("tr[data-contact='omar']");
        new WebDriverWait(browser.driver(), WAIT).until(ExpectedConditions.textToBe(By.cssSelector(".live"), "● live"));
        browser.driver().executeScript("window.sameDocument = true;");
        node.record(TENANT, tagApplied("ada", "demo", Instant.now()));
        WebElement ada = await("tbody tr[data-contact='ada']");
        assertEquals("4", ada.getAttribute("data-flames"), "8 of an ideal 10 is 4 flames");
        assertEquals(Boolean.TRUE, browser.driver().executeScript("return window.sameDocument === true;"),
                "the live stream, with the key in its header, brought the change without a reload");
        assertEquals(List.of(), browser.consoleErrors(401), "console errors");

        // The model, readable with this key, without what it may not do.
        browser.driver().get("http://127.0.0.1:" + node.port() + "/t/" + TENANT + "/model");
        await("#read-only");
        assertTrue(browser.driver().findElements(By.id("publish-button")).isEmpty(), "a read key is offered Publish");
        assertTrue(browser.driver().findElements(By.id("preview-button")).isEmpty(), "a read key is offered Preview");

        browser.driver().findElement(By.id("forget-key")).click();
        await("#api-key");
        assertEquals(Boolean.TRUE, browser.driver().executeScript(
                "return sessionStorage.getItem('leadflame.apiKey') === null;"), "the key is forgotten");
    }

    private static void enterKey(String key) {
        WebElement input = await("#api-key");
        input.sendKeys(key);
        browser.driver().findElement(By.cssSelector("#api-key ~ button[type='submit']")).click();
        // The page reloads with the key: wait for the old form to go.
        new WebDriverWait(browser.driver(), WAIT).until(ExpectedConditions.stalenessOf(input));
    }

    private static WebElement await(String css) {
        return new WebDriverWait(browser.driver(), WAIT)
                .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }
}

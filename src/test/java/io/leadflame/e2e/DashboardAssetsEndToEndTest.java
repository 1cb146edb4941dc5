package io.leadflame.e2e;

import io.leadflame.testing.HttpReply;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.leadflame.e2e.E2e.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's files as any browser gets them (its pages are tested in Chromium by
 * {@link DashboardBrowserTest}, which needs Chromium installed; this does not).
 */
class DashboardAssetsEndToEndTest extends OneNodeTest {

    @Test
    void everyDashboardPathIsTheOnePageAndItsScriptsAreJavaScriptModules() {
        for (String path : List.of("/", "/t/acme", "/t/acme/contacts/c-1", "/t/acme/model", "/t/acme/distribution",
                "/t/acme/accounts")) {
            HttpReply page = node.get(path);
            assertEquals(200, page.status(), path);
            assertTrue(page.header("Content-Type").startsWith("text/html"), path + ": " + page.header("Content-Type"));
            assertTrue(page.body().contains("<script type=\"module\" src=\"/ui/app.js\">"), page.body());
        }
        for (String script : List.of("app.js", "api.js", "ui.js", "charts.js", "pages/calllist.js", "pages/contact.js",
                "pages/model.js", "pages/distribution.js", "pages/accounts.js", "pages/scores.js")) {
            HttpReply js = node.get("/ui/" + script);
            assertEquals(200, js.status(), script);
            // A module script of another type is refused by browsers.
            assertTrue(js.header("Content-Type").startsWith("application/javascript")
                    || js.header("Content-Type").startsWith("text/javascript"), script + ": " + js.header("Content-Type"));
        }
        assertTrue(node.get("/ui/style.css").header("Content-Type").startsWith("text/css"));
        assertTrue(node.get("/ui/flame.svg").header("Content-Type").startsWith("image/svg+xml"));
        assertError(node.get("/ui/missing.js"), 404, "not_found");
        assertError(node.get("/tickets"), 404, "not_found");
        assertError(node.get("/uiapp.js"), 404, "not_found");
        assertError(node.send("POST", "/t/acme", "application/json", "{}"), 405, "method_not_allowed");
    }
}

package io.leadflame.http;

import org.junit.jupiter.api.Test;

import static io.leadflame.http.MetricsRoutes.OTHER;
import static io.leadflame.http.MetricsRoutes.routeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The route label of a request: a template of ApiRoutes or HealthRoutes, never a raw path. */
class MetricsRoutesTest {

    @Test
    void pathsOfTheApiBecomeTheirTemplate() {
        assertEquals("/api/v1/tenants/{tenant}/events", routeOf("/api/v1/tenants/acme/events"));
        assertEquals("/api/v1/tenants/{tenant}/contacts/{contactId}", routeOf("/api/v1/tenants/acme/contacts/c-1"));
        assertEquals("/api/v1/tenants/{tenant}/contacts/{contactId}/score",
                routeOf("/api/v1/tenants/acme/contacts/c-1/score"));
        assertEquals("/api/v1/tenants/{tenant}/model", routeOf("/api/v1/tenants/acme/model"));
        assertEquals("/api/v1/tenants/{tenant}/model/rescoring", routeOf("/api/v1/tenants/acme/model/rescoring"));
        assertEquals("/api/v1/tenants/{tenant}/leads", routeOf("/api/v1/tenants/acme/leads"));
        assertEquals("/api/v1/tenants/{tenant}/stats", routeOf("/api/v1/tenants/acme/stats"));
        assertEquals("/api/v1/tenants/{tenant}/model/preview", routeOf("/api/v1/tenants/acme/model/preview"));
        assertEquals("/api/v1/tenants/{tenant}/webhooks", routeOf("/api/v1/tenants/acme/webhooks"));
        assertEquals("/api/v1/tenants/{tenant}/webhooks/{id}", routeOf("/api/v1/tenants/acme/webhooks/crm-hot"));
        assertEquals("/health/ready", routeOf("/health/ready"));
        assertEquals("/health/alive", routeOf("/health/alive"));
        assertEquals("/metrics", routeOf("/metrics"));
    }

    @Test
    void anythingElseIsOther() {
        for (String path : new String[] {"/", "", "/metrics/", "/health", "/api/v1/tenants/", "/api/v1/tenants/acme",
                "/api/v1/tenants//events", "/api/v1/tenants/acme/events/", "/api/v1/tenants/acme/contacts",
                "/api/v1/tenants/acme/contacts/", "/api/v1/tenants/acme/contacts/c-1/", "/api/v1/tenants/acme/contacts/c-1/scores",
                "/api/v1/tenants/acme/contacts/c-1/score/x", "/api/v1/tenants/acme/leads/x", "/api/v1/tenants/acme/webhooks/",
                "/api/v1/tenants/acme/webhooks/a/b", "/api/v2/tenants/acme/events", "/wp-admin.php"}) {
            assertEquals(OTHER, routeOf(path), path);
        }
    }
}

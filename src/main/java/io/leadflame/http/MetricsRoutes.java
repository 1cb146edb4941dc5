package io.leadflame.http;

import io.leadflame.metrics.LeadflameMetrics;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;
import static org.apache.pekko.http.javadsl.server.Directives.path;

/**
 * {@code GET /metrics} for Prometheus, and the timing of every request of the API port by
 * method, route template and status.
 */
public final class MetricsRoutes {

    static final String OTHER = "other";
    private static final String TENANT = "/api/v1/tenants/";
    private static final String CONTACTS = "/contacts/";
    private static final String WEBHOOKS = "/webhooks/";
    private static final String KEYS = "/keys/";
    private static final String SCORE = "/score";

    /**
     * Exactly {@link LeadflameMetrics#CONTENT_TYPE}. Parsed whole, Pekko would render its own
     * spelling of the charset ({@code UTF-8}); scrapers that compare the header as text expect
     * the format's.
     */
    private static final ContentType.NonBinary PROMETHEUS_TEXT = ((MediaType.WithOpenCharset)
            ContentTypes.parse(LeadflameMetrics.CONTENT_TYPE).mediaType()).toContentType(HttpCharsets.custom("utf-8"));

    private final LeadflameMetrics metrics;

    public MetricsRoutes(LeadflameMetrics metrics) {
        this.metrics = metrics;
    }

    public Route routes() {
        return path("metrics", () -> get(() ->
                complete(StatusCodes.OK, HttpEntities.create(PROMETHEUS_TEXT, metrics.scrape()))));
    }

    /**
     * Times {@code api} from the request's arrival to its response. {@code api} must be sealed
     * (see {@link ErrorHandling#seal}): a rejection or exception passing through here would not
     * have its status yet.
     */
    public Route timed(Route api) {
        return extractRequest(request -> {
            long start = System.nanoTime();
            String method = request.method().value();
            String route = routeOf(request.getUri().path());
            return mapResponse(response -> {
                metrics.requestServed(method, route, response.status().intValue(), System.nanoTime() - start);
                return response;
            }, () -> api);
        });
    }

    /**
     * The route template a path falls under, or {@value #OTHER}: ids never become tag values,
     * and unknown paths (anyone can send them) never grow the number of series.
     */
    static String routeOf(String path) {
        switch (path) {
            case "/health/ready", "/health/alive", "/metrics", "/api/v1/whoami" -> {
                return path;
            }
            default -> {
            }
        }
        int tenantEnd = path.startsWith(TENANT) ? path.indexOf('/', TENANT.length()) : -1;
        if (tenantEnd <= TENANT.length()) {
            return OTHER;
        }
        String rest = path.substring(tenantEnd);
        return switch (rest) {
            case "/events" -> "/api/v1/tenants/{tenant}/events";
            case "/model" -> "/api/v1/tenants/{tenant}/model";
            case "/model/rescoring" -> "/api/v1/tenants/{tenant}/model/rescoring";
            case "/leads" -> "/api/v1/tenants/{tenant}/leads";
            case "/stats" -> "/api/v1/tenants/{tenant}/stats";
            case "/score-changes" -> "/api/v1/tenants/{tenant}/score-changes";
            case "/model/preview" -> "/api/v1/tenants/{tenant}/model/preview";
            case "/webhooks" -> "/api/v1/tenants/{tenant}/webhooks";
            case "/keys" -> "/api/v1/tenants/{tenant}/keys";
            case "/deletion" -> "/api/v1/tenants/{tenant}/deletion";
            default -> rest.startsWith(KEYS) && rest.length() > KEYS.length() && rest.indexOf('/', KEYS.length()) < 0
                    ? "/api/v1/tenants/{tenant}/keys/{id}"
                    : rest.startsWith(WEBHOOKS) && rest.length() > WEBHOOKS.length()
                    && rest.indexOf('/', WEBHOOKS.length()) < 0
                    ? "/api/v1/tenants/{tenant}/webhooks/{id}" : contactRouteOf(rest);
        };
    }

    /** {@code rest}: the path after the tenant. */
    private static String contactRouteOf(String rest) {
        if (!rest.startsWith(CONTACTS) || rest.length() == CONTACTS.length()) {
            return OTHER;
        }
        int contactEnd = rest.indexOf('/', CONTACTS.length());
        if (contactEnd < 0) {
            return "/api/v1/tenants/{tenant}/contacts/{contactId}";
        }
        return rest.length() == contactEnd + SCORE.length() && rest.startsWith(SCORE, contactEnd)
                ? "/api/v1/tenants/{tenant}/contacts/{contactId}/score" : OTHER;
    }
}

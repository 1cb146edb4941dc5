package io.leadflame.http;

import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The dashboard: static pages packaged in the jar ({@code src/main/resources/web}), built
 * only on the public API. {@code /} picks a tenant, every {@code /t/...} path is the same page
 * (its script routes by path), and {@code /ui/...} are the scripts, styles and images.
 */
public final class DashboardRoutes extends AllDirectives {

    private static final String PAGE = "web/index.html";

    public Route routes() {
        return get(() -> concat(
                pathSingleSlash(() -> getFromResource(PAGE)),
                pathPrefix("t", () -> getFromResource(PAGE)),
                pathPrefix("ui", () -> getFromResourceDirectory("web"))));
    }
}

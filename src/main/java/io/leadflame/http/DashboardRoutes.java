package io.leadflame.http;

import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.function.Supplier;

/**
 * The dashboard: static pages packaged in the jar ({@code src/main/resources/web}), built
 * only on the public API. {@code /} picks a tenant, every {@code /t/...} path is the same page
 * (its script routes by path), and {@code /ui/...} are the scripts, styles and images.
 */
public final class DashboardRoutes extends AllDirectives {

    private static final String PAGE = "web/index.html";

    /** Paths first, then the method: a request to any other path must keep its own 404 or 405. */
    public Route routes() {
        return concat(
                pathSingleSlash(() -> get(() -> getFromResource(PAGE))),
                segment("t", () -> get(() -> getFromResource(PAGE))),
                segment("ui", () -> get(() -> getFromResourceDirectory("web"))));
    }

    /** {@code /name} or {@code /name/...}, but not {@code /names}: pathPrefix alone matches the start of a segment. */
    private Route segment(String name, Supplier<Route> inner) {
        return pathPrefix(name, () -> extractUnmatchedPath(rest ->
                rest.isEmpty() || rest.startsWith("/") ? inner.get() : reject()));
    }
}

package io.leadflame.http;

import io.leadflame.cluster.Readiness;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

/**
 * {@code GET /health/alive} (the process answers HTTP) and {@code GET /health/ready} (this node
 * should receive traffic, see {@link Readiness}), for load balancers and Kubernetes probes.
 */
public final class HealthRoutes {

    private final Readiness readiness;

    public HealthRoutes(Readiness readiness) {
        this.readiness = readiness;
    }

    public Route routes() {
        return pathPrefix("health", () -> concat(
                path("alive", () -> get(() ->
                        complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"alive\"}")))),
                path("ready", () -> get(() ->
                        // The Supplier form evaluates the check per request, not once when the route is built.
                        onSuccess(readiness::check, result -> result.ready()
                                ? complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"ready\"}"))
                                : complete(ApiError.of(ApiError.NOT_READY, result.reason())
                                        .toResponse(StatusCodes.SERVICE_UNAVAILABLE)))))));
    }
}

package io.leadflame.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.cluster.Readiness;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.List;
import java.util.function.Supplier;

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
    private final Supplier<List<ApiError.Detail>> problems;

    /**
     * @param problems what is wrong on this node without making it unready (one tenant's model
     *                 that cannot be read): listed as {@code details} of both answers
     */
    public HealthRoutes(Readiness readiness, Supplier<List<ApiError.Detail>> problems) {
        this.readiness = readiness;
        this.problems = problems;
    }

    public Route routes() {
        return pathPrefix("health", () -> concat(
                path("alive", () -> get(() ->
                        complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"alive\"}")))),
                path("ready", () -> get(() ->
                        // The Supplier form evaluates the check per request, not once when the route is built.
                        onSuccess(readiness::check, result -> result.ready()
                                ? complete(JsonResponses.ok(ready(problems.get())))
                                : complete(new ApiError(ApiError.NOT_READY, result.reason(), problems.get())
                                        .toResponse(StatusCodes.SERVICE_UNAVAILABLE)))))));
    }

    private static ObjectNode ready(List<ApiError.Detail> problems) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("status", "ready");
        ApiError.putDetails(body, problems);
        return body;
    }
}

package io.leadflame.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.cluster.Readiness;
import io.leadflame.contact.ContactRecovery;
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
    private final Supplier<ContactRecovery.Progress> recovery;

    /**
     * @param problems what is wrong on this node without making it unready (one tenant's model
     *                 that cannot be read): listed as {@code details} of both answers
     * @param recovery how far the stored contacts are back after the start: a ready node says
     *                 {@code "recovering"} until they all are
     */
    public HealthRoutes(Readiness readiness, Supplier<List<ApiError.Detail>> problems,
                        Supplier<ContactRecovery.Progress> recovery) {
        this.readiness = readiness;
        this.problems = problems;
        this.recovery = recovery;
    }

    public Route routes() {
        return pathPrefix("health", () -> concat(
                path("alive", () -> get(() ->
                        complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"alive\"}")))),
                path("ready", () -> get(() ->
                        // The Supplier form evaluates the check per request, not once when the route is built.
                        onSuccess(readiness::check, result -> result.ready()
                                ? complete(JsonResponses.ok(ready(problems.get(), recovery.get())))
                                : complete(new ApiError(ApiError.NOT_READY, result.reason(), problems.get())
                                        .toResponse(StatusCodes.SERVICE_UNAVAILABLE)))))));
    }

    /**
     * {@code "ready"}, or {@code "recovering"} (still 200: it serves every request, and a contact
     * asked for is brought back at once) while stored contacts are still coming back, with how many.
     */
    private static ObjectNode ready(List<ApiError.Detail> problems, ContactRecovery.Progress recovery) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("status", recovery.complete() ? "ready" : "recovering");
        if (!recovery.complete()) {
            LeadsJson.putRecovery(body, recovery);
        }
        ApiError.putDetails(body, problems);
        return body;
    }
}

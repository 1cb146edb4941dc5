package io.leadflame.bench;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

import java.nio.charset.StandardCharsets;

/**
 * The HTTP edge's ceiling: a Pekko HTTP server (same versions and defaults as Leadflame's) whose
 * {@code POST /api/v1/tenants/{t}/events} reads the whole body, as Leadflame does before parsing
 * it, and answers {@code 202 {"accepted":1,"duplicates":0,"rejected":[]}} without looking at it.
 * No actors, no journal: what is left is HTTP parsing, routing, the body and the answer. Run in a
 * JVM of its own with the flags of the server under test ({@link ServerUnderTest#noop}).
 */
public final class NoopServer extends AllDirectives {

    /** Leadflame's limit on a request body (leadflame.http.max-request-size). */
    private static final long MAX_BYTES = 8L * 1024 * 1024;
    private static final byte[] ANSWER = "{\"accepted\":1,\"duplicates\":0,\"rejected\":[]}".getBytes(StandardCharsets.UTF_8);

    private final Materializer materializer;

    private NoopServer(Materializer materializer) {
        this.materializer = materializer;
    }

    public static void main(String[] args) {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        // Pekko's reference settings only: not Leadflame's application.conf (a cluster provider).
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "noop",
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.defaultReference()));
        NoopServer server = new NoopServer(Materializer.matFromSystem(system));
        Http.get(system).newServerAt(host, port).bind(server.routes())
                .whenComplete((binding, failure) -> {
                    if (failure != null) {
                        System.err.println("no-op server could not bind " + host + ":" + port + ": " + failure);
                        system.terminate();
                    } else {
                        System.out.println("no-op server listening on " + binding.localAddress());
                    }
                });
    }

    private Route routes() {
        return concat(
                path(PathMatchers.segment("health").slash("ready"), () -> get(() -> complete("{\"status\":\"ready\"}"))),
                path(PathMatchers.segment("api").slash("v1").slash("tenants").slash(PathMatchers.segment()).slash("events"),
                        tenant -> post(() -> extractRequestEntity(entity -> onSuccess(
                                entity.withSizeLimit(MAX_BYTES).toStrict(10_000, MAX_BYTES, materializer),
                                strict -> complete(HttpResponse.create().withStatus(StatusCodes.ACCEPTED)
                                        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ANSWER))))))));
    }
}

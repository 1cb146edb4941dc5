package io.leadflame.http;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Binds the API's route to its port and ties the binding to the node's lifecycle: on
 * coordinated shutdown the port is unbound first and in-flight requests get
 * {@code unbindDeadline} to finish.
 */
public final class HttpServer {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    private HttpServer() {
    }

    /**
     * Binds {@code route} on {@code iface:port}; port 0 picks a free port, which the returned
     * binding's {@link ServerBinding#localAddress()} reports.
     */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, String iface, int port,
                                                       Route route, Duration unbindDeadline) {
        return Http.get(system).newServerAt(iface, port).bind(route)
                .whenCompleteAsync((binding, failure) -> {
                    if (failure != null) {
                        log.error("Leadflame HTTP API could not bind {}:{}: {}", iface, port,
                                failure.getMessage());
                    } else {
                        binding.addToCoordinatedShutdown(unbindDeadline, system);
                        log.info("Leadflame HTTP API listening on {}:{}",
                                binding.localAddress().getHostString(), binding.localAddress().getPort());
                    }
                }, system.executionContext());
    }
}

package io.leadflame;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.leadflame.auth.AuthSettings;
import io.leadflame.auth.KeyRateLimits;
import io.leadflame.cluster.NodeReadiness;
import io.leadflame.config.NodeConfig;
import io.leadflame.config.StartupRefused;
import io.leadflame.kafka.KafkaSettings;
import io.leadflame.cluster.Readiness;
import io.leadflame.http.DashboardRoutes;
import io.leadflame.http.ErrorHandling;
import io.leadflame.http.HealthRoutes;
import io.leadflame.http.HttpServer;
import io.leadflame.http.MetricsRoutes;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.webhooks.ReceiverAddresses;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a Leadflame node: loads the configuration, prepares the journal, joins the cluster and
 * serves the HTTP API. {@link #main} is the process entry point; tests call {@link #start} with
 * overrides (port 0, a temporary data dir) to run a real node in-process.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /**
     * A node that finished starting.
     *
     * @param system  its actor system; terminate it to stop the node
     * @param binding the HTTP API's binding, with the port actually bound
     */
    public record Started(ActorSystem<Void> system, ServerBinding binding) {
        public int httpPort() {
            return binding.localAddress().getPort();
        }
    }

    /**
     * Coordinated-shutdown reason for a node that failed half-way through starting; mapped to
     * exit code 1 in {@code application.conf} so a supervisor sees the failure.
     */
    public static final class StartupFailed implements CoordinatedShutdown.Reason {
        public static final StartupFailed INSTANCE = new StartupFailed();

        private StartupFailed() {
        }

        @Override
        public String toString() {
            return "StartupFailed";
        }
    }

    private Main() {
    }

    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        // CompletionStage callbacks without an executor run on the common ForkJoinPool, whose
        // parallelism is cores - 1: 1 on a 2-core node, where the JDK then starts a new thread
        // for each callback (about 250 µs each, measured). The pool reads this once, at first use.
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM,
                    String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors())));
        }
        // Only the real process exits the JVM when the node stops (SIGTERM, downing, failed
        // start); in-process tests must not, so this is not in application.conf.
        Config processOnly = ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on");
        try {
            start(processOnly);
        } catch (StartupRefused | ConfigException e) {
            log.error("Leadflame refused to start: {}", e.getMessage());
            System.exit(2);
        } catch (RuntimeException e) {
            // Already logged by start(); coordinated shutdown may be exiting with 1 already.
            System.exit(1);
        }
    }

    /**
     * Starts a node and returns once its HTTP API is bound; the node becomes ready (see
     * {@link Readiness}) shortly after. On failure everything started so far is shut down and
     * the exception rethrown.
     *
     * @param overrides settings that win over {@code application.conf} and the environment
     *                  (system properties still win over them)
     * @throws StartupRefused  when the configuration asks for something unsafe (nothing started)
     * @throws ConfigException when a setting is missing or malformed (nothing started)
     */
    public static Started start(Config overrides) {
        Config config = NodeConfig.load(overrides);
        refuseOutsideAPod(config);
        // Read every setting before anything starts, so a bad value is a refusal, not a half-start.
        Duration startupTimeout = config.getDuration("leadflame.startup-timeout");
        Duration journalTimeout = config.getDuration("leadflame.readiness.journal-timeout");
        String httpInterface = config.getString("leadflame.http.interface");
        int httpPort = config.getInt("leadflame.http.port");
        Duration unbindDeadline = config.getDuration("leadflame.http.unbind-deadline");
        KafkaSettings.from(config).problem().ifPresent(problem -> {
            throw new StartupRefused(problem);
        });
        ReceiverAddresses.problem(ReceiverAddresses.allowed(config)).ifPresent(problem -> {
            throw new StartupRefused(problem);
        });
        AuthSettings auth = AuthSettings.from(config);
        auth.problem(httpInterface).ifPresent(problem -> {
            throw new StartupRefused(problem);
        });
        try {
            KeyRateLimits.from(config);
        } catch (IllegalArgumentException e) {
            throw new StartupRefused("KEY_RATE_LIMIT / KEY_RATE_BURST: " + e.getMessage());
        }
        if (!auth.enabled()) {
            log.warn("API KEYS ARE OFF: anyone who can reach {}:{} can read and change every tenant. Fine on a "
                    + "developer's machine; set LEADFLAME_OPERATOR_KEY anywhere else (README \"Security\").",
                    httpInterface, httpPort);
        }
        prepareDataDir(config);

        ActorSystem<Void> system;
        try {
            system = ActorSystem.create(Behaviors.empty(), "leadflame", config);
        } catch (RuntimeException e) {
            // e.g. the remoting port is taken
            log.error("Leadflame failed to start its actor system", e);
            throw e;
        }
        try {
            // Sharding with remember-entities writes to the journal as soon as it starts: the
            // tables must exist before any entity type is initialised.
            await(JournalSchema.createIfNotExists(system, config, startupTimeout), startupTimeout,
                    "creating the journal schema");
            // The H2 path swallows every failing statement (that is what makes it idempotent),
            // so prove the tables are there before anything writes to them.
            Readiness.Result journal = await(Readiness.journalAnswers(system, startupTimeout).run(),
                    startupTimeout, "checking the journal");
            if (!journal.ready()) {
                throw new IllegalStateException(journal.reason());
            }

            joinCluster(system, config, startupTimeout);

            Leadflame leadflame = Leadflame.start(system);
            Readiness readiness = Readiness.forNode(system, journalTimeout).and(leadflame.loaded());
            // The management port's /ready answers the same (ManagementReadinessCheck).
            NodeReadiness.get(system).set(readiness);
            MetricsRoutes metrics = new MetricsRoutes(LeadflameMetrics.get(system));
            Route api = metrics.timed(ErrorHandling.seal(new HealthRoutes(readiness, leadflame.problems(), leadflame.recovery()).routes()
                    .orElse(metrics.routes()).orElse(leadflame.routes()).orElse(new DashboardRoutes().routes())));

            ServerBinding binding = await(HttpServer.start(system, httpInterface, httpPort, api, unbindDeadline),
                    startupTimeout, "binding the HTTP API");
            return new Started(system, binding);
        } catch (RuntimeException e) {
            log.error("Leadflame failed to start; shutting down", e);
            stop(system, startupTimeout);
            throw e;
        }
    }

    private static void refuseOutsideAPod(Config config) {
        if (config.getString("leadflame.discovery").equals("kubernetes-api")) {
            refuseKubernetesApiOutsideAPod(config.getConfig("pekko.discovery.kubernetes-api"));
        }
    }

    /**
     * kubernetes-api discovery needs what a pod gets from its service account and the API
     * server's address; without them it would only log failures while the node stays not ready.
     */
    private static void refuseKubernetesApiOutsideAPod(Config k8s) {
        List<String> missing = new ArrayList<>();
        for (String env : List.of(k8s.getString("api-service-host-env-name"), k8s.getString("api-service-port-env-name"))) {
            if (System.getenv(env) == null) {
                missing.add("the environment variable " + env);
            }
        }
        for (String file : List.of(k8s.getString("api-token-path"), k8s.getString("api-ca-path"))) {
            if (!Files.isReadable(Path.of(file))) {
                missing.add("the file " + file);
            }
        }
        if (k8s.getString("pod-namespace").equals("<pod-namespace>")
                && !Files.isReadable(Path.of(k8s.getString("pod-namespace-path")))) {
            missing.add("POD_NAMESPACE (or the file " + k8s.getString("pod-namespace-path") + ")");
        }
        if (!missing.isEmpty()) {
            throw new StartupRefused("LEADFLAME_DISCOVERY=kubernetes-api asks the Kubernetes API for the pods, "
                    + "but it lacks " + String.join(", ", missing) + ": run it in a pod with a service account "
                    + "allowed to list pods, or use LEADFLAME_DISCOVERY=config with CONTACT_POINTS.");
        }
    }

    private static void joinCluster(ActorSystem<Void> system, Config config, Duration timeout) {
        if (config.getString("leadflame.discovery").isBlank()) {
            // A standalone node is a cluster of one: it joins itself. No management port either:
            // /health/* on the API port serves a single node (see DECISIONS.md).
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            return;
        }
        // Bootstrap probes the other nodes' management endpoints, so ours must be up first; a
        // taken port fails the start here rather than leaving a node nobody can find.
        Uri management = await(PekkoManagement.get(system).start(), timeout, "starting Pekko Management");
        log.info("Pekko Management on {}; bootstrapping the cluster with {} discovery", management,
                config.getString("leadflame.discovery"));
        ClusterBootstrap.get(system).start();
    }

    private static void prepareDataDir(Config config) {
        if (!config.getString("leadflame.journal").equals("h2")) {
            return;
        }
        String dataDir = config.getString("leadflame.data-dir");
        Path dir = Path.of(dataDir);
        // H2 rejects a relative database path unless it is explicitly relative ("./data").
        if (!dir.isAbsolute() && !dataDir.startsWith("./") && !dataDir.startsWith("../")) {
            throw new StartupRefused("DATA_DIR / leadflame.data-dir '" + dataDir
                    + "' must be absolute or start with ./ (e.g. ./" + dataDir + ").");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StartupRefused("Cannot create the data directory " + dir.toAbsolutePath() + ": " + e);
        }
        log.info("H2 journal in {}", dir.toAbsolutePath().normalize());
    }

    private static <T> T await(CompletionStage<T> stage, Duration timeout, String what) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out after " + timeout + " " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Failed " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + what, e);
        }
    }

    private static void stop(ActorSystem<Void> system, Duration timeout) {
        CoordinatedShutdown.get(system).run(StartupFailed.INSTANCE);
        try {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("The half-started node did not terminate within {}", timeout);
        }
    }
}

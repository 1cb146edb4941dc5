package io.leadflame.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The configuration a node runs with, derived from {@code application.conf}, the environment
 * and the overrides: which journal the persistence plugin uses, how cluster bootstrap finds the
 * other nodes, and the refusals of what must not run. Pure (a {@link Config} in, a Config out or
 * a {@link StartupRefused}), so every rule is tested without starting a node ({@code NodeConfigTest});
 * what needs the machine (the data directory, a pod's service account) stays in {@code Main}.
 */
public final class NodeConfig {

    private static final String SLICK_DB = "pekko-persistence-jdbc.shared-databases.slick";
    private static final String BOOTSTRAP_DISCOVERY = "pekko.management.cluster.bootstrap.contact-point-discovery";

    private NodeConfig() {
    }

    /**
     * {@code application.conf} (with its includes and {@code ${?ENV}} overrides) under
     * {@code overrides}, under system properties, resolved once (substitutions such as the H2
     * URL's {@code ${leadflame.data-dir}} therefore follow every override), then {@link #derive}d.
     */
    public static Config load(Config overrides) {
        return derive(ConfigFactory.load(overrides.withFallback(ConfigFactory.defaultApplication())));
    }

    /**
     * The journal's and the discovery's wiring added to {@code config}.
     *
     * @throws StartupRefused when the configuration asks for something unsafe or incomplete
     */
    public static Config derive(Config config) {
        refuseSharedEmbeddedJournal(config);
        refuseStreamsBeyondConnections(config);
        refuseAdmissionBelowARequest(config);
        contactShards(config);
        return withDiscovery(withJournal(config));
    }

    /**
     * How many shards this node is set to keep the contacts in: empty for {@code auto} (what the
     * cluster has recorded; {@code ContactShards}).
     *
     * @throws StartupRefused for anything but {@code auto} or a positive number
     */
    public static OptionalInt contactShards(Config config) {
        String setting = config.getString("leadflame.contact-shards").trim();
        if (setting.isEmpty() || setting.equalsIgnoreCase("auto")) {
            return OptionalInt.empty();
        }
        try {
            int shards = Integer.parseInt(setting);
            if (shards > 0) {
                return OptionalInt.of(shards);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new StartupRefused("LEADFLAME_CONTACT_SHARDS (leadflame.contact-shards) must be auto or a positive "
                + "number of shards, not '" + setting + "'.");
    }

    private static void refuseSharedEmbeddedJournal(Config config) {
        String discovery = config.getString("leadflame.discovery");
        if (!discovery.isBlank() && config.getString("leadflame.journal").equals("h2")) {
            throw new StartupRefused("LEADFLAME_DISCOVERY=" + discovery + " forms a cluster of several nodes, "
                    + "but LEADFLAME_JOURNAL=h2 is an embedded database in one node's DATA_DIR that the "
                    + "others cannot reach: use LEADFLAME_JOURNAL=postgres, or unset LEADFLAME_DISCOVERY "
                    + "for a single node.");
        }
    }

    private static Config withJournal(Config config) {
        String journal = config.getString("leadflame.journal");
        return switch (journal) {
            case "h2" -> config;
            case "postgres" -> {
                Config postgres = config.getConfig("leadflame.databases.postgres");
                if (postgres.getString("db.url").isBlank()) {
                    throw new StartupRefused("LEADFLAME_JOURNAL=postgres needs JDBC_URL "
                            + "(e.g. jdbc:postgresql://127.0.0.1:5432/leadflame).");
                }
                yield config.withValue(SLICK_DB, postgres.withFallback(config.getConfig(SLICK_DB)).root());
            }
            default -> throw new StartupRefused("Unknown journal '" + journal
                    + "' (leadflame.journal / LEADFLAME_JOURNAL): use h2 or postgres.");
        };
    }

    /**
     * Points cluster bootstrap at the discovery method named by {@code leadflame.discovery}; for
     * {@code config}, turns {@code CONTACT_POINTS} into the endpoint list of config discovery.
     */
    private static Config withDiscovery(Config config) {
        String discovery = config.getString("leadflame.discovery");
        if (discovery.isBlank()) {
            return config;
        }
        Config bootstrap = ConfigFactory.parseMap(Map.of(BOOTSTRAP_DISCOVERY + ".discovery-method", discovery));
        switch (discovery) {
            case "kubernetes-api" -> {
            }
            case "config" -> {
                List<Map<String, Object>> endpoints = contactPoints(config.getString("leadflame.contact-points"));
                int required = config.getInt(BOOTSTRAP_DISCOVERY + ".required-contact-point-nr");
                if (endpoints.size() < required) {
                    throw new StartupRefused("CONTACT_POINTS names " + endpoints.size() + " contact point(s) but "
                            + "REQUIRED_CONTACT_POINTS is " + required + ": a new cluster would never form.");
                }
                String service = config.getString(BOOTSTRAP_DISCOVERY + ".service-name");
                bootstrap = bootstrap.withFallback(ConfigFactory.parseMap(Map.of(
                        "pekko.discovery.config.services." + service + ".endpoints", endpoints,
                        // CONTACT_POINTS are management endpoints by definition. With the default
                        // (on), bootstrap keeps, per host, only the endpoints on its own management
                        // port: nodes sharing a host (one machine, tests) would each see only
                        // themselves and never form a cluster.
                        "pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port", false)));
            }
            default -> throw new StartupRefused("Unknown discovery '" + discovery
                    + "' (leadflame.discovery / LEADFLAME_DISCOVERY): leave it unset for a single node, "
                    + "or use config (with CONTACT_POINTS) or kubernetes-api.");
        }
        return bootstrap.withFallback(config).resolve();
    }

    /** {@code host:port,host:port} as config discovery's endpoint list; refuses anything else. */
    public static List<Map<String, Object>> contactPoints(String text) {
        if (text.isBlank()) {
            throw new StartupRefused("LEADFLAME_DISCOVERY=config needs CONTACT_POINTS: the management "
                    + "endpoints of the nodes, e.g. 10.0.0.1:8558,10.0.0.2:8558,10.0.0.3:8558.");
        }
        List<Map<String, Object>> endpoints = new ArrayList<>();
        for (String item : text.split(",")) {
            String point = item.strip();
            int colon = point.lastIndexOf(':');
            int port = -1;
            if (colon > 0) {
                try {
                    port = Integer.parseInt(point.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (port < 1 || port > 65535) {
                throw new StartupRefused("CONTACT_POINTS entry '" + point + "' is not host:port "
                        + "(e.g. 10.0.0.1:8558, the node's MANAGEMENT_PORT).");
            }
            endpoints.add(Map.of("host", point.substring(0, colon), "port", port));
        }
        return endpoints;
    }

    /**
     * Live streams hold their connection for as long as their clients like: they may take at
     * most half of the port's connections, or health checks and requests could find none.
     */
    private static void refuseStreamsBeyondConnections(Config config) {
        int connections = config.getInt("leadflame.http.max-connections");
        int streams = config.getInt("leadflame.http.sse.max-streams");
        int perTenant = config.getInt("leadflame.http.sse.max-streams-per-tenant");
        int perKey = config.getInt("leadflame.http.sse.max-streams-per-key");
        if (perKey < 1) {
            throw new StartupRefused("SSE_MAX_STREAMS_PER_KEY (leadflame.http.sse.max-streams-per-key) is " + perKey
                    + ": it must be at least 1.");
        }
        if (streams < 1 || perTenant < 1 || streams > connections / 2) {
            throw new StartupRefused("SSE_MAX_STREAMS (leadflame.http.sse.max-streams) is " + streams
                    + " and SSE_MAX_STREAMS_PER_TENANT " + perTenant + ": both must be at least 1, and the first "
                    + "at most half of HTTP_MAX_CONNECTIONS (" + connections + "), so that live streams never take "
                    + "the connections health checks and requests need.");
        }
    }

    /** A node whose admission is smaller than the largest valid request would refuse that request forever. */
    private static void refuseAdmissionBelowARequest(Config config) {
        int admitted = config.getInt("leadflame.ingestion.max-in-flight-events");
        int request = config.getInt("leadflame.http.max-events-per-request");
        if (admitted < request) {
            throw new StartupRefused("INGESTION_MAX_IN_FLIGHT_EVENTS (leadflame.ingestion.max-in-flight-events) is "
                    + admitted + ": it must be at least the events a request may hold (leadflame.http."
                    + "max-events-per-request, " + request + "), or the largest valid requests could never be taken.");
        }
    }
}

package io.leadflame.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a node's configuration becomes, and what it refuses, without starting a node. */
class NodeConfigTest {

    private static final String SLICK_DB = "pekko-persistence-jdbc.shared-databases.slick.db";
    private static final String DISCOVERY = "pekko.management.cluster.bootstrap.contact-point-discovery";

    private static Config load(Map<String, Object> settings) {
        return NodeConfig.load(ConfigFactory.parseMap(settings));
    }

    private static String refusal(Map<String, Object> settings) {
        return assertThrows(StartupRefused.class, () -> load(settings)).getMessage();
    }

    @Test
    void theEmbeddedDefaultIsAnH2FileInTheDataDir() {
        Config config = load(Map.of("leadflame.data-dir", "/var/lib/leadflame"));
        assertTrue(config.getString(SLICK_DB + ".url").startsWith("jdbc:h2:file:/var/lib/leadflame/"),
                config.getString(SLICK_DB + ".url"));
        assertFalse(config.hasPath(DISCOVERY + ".discovery-method")
                && config.getString(DISCOVERY + ".discovery-method").equals("config"));
    }

    @Test
    void postgresPointsThePersistencePluginAtTheUrl() {
        Config config = load(Map.of("leadflame.journal", "postgres",
                "leadflame.databases.postgres.db.url", "jdbc:postgresql://db:5432/leadflame"));
        assertEquals("jdbc:postgresql://db:5432/leadflame", config.getString(SLICK_DB + ".url"));
        assertTrue(config.getString("pekko-persistence-jdbc.shared-databases.slick.profile").contains("Postgres"));
    }

    @Test
    void configDiscoveryTurnsContactPointsIntoBootstrapEndpoints() {
        Config config = load(Map.of("leadflame.journal", "postgres",
                "leadflame.databases.postgres.db.url", "jdbc:postgresql://db:5432/leadflame",
                "leadflame.discovery", "config",
                "leadflame.contact-points", "10.0.0.1:8558, 10.0.0.2:8559"));
        assertEquals("config", config.getString(DISCOVERY + ".discovery-method"));
        String service = config.getString(DISCOVERY + ".service-name");
        List<? extends Config> endpoints = config.getConfigList("pekko.discovery.config.services." + service + ".endpoints");
        assertEquals(List.of("10.0.0.1:8558", "10.0.0.2:8559"),
                endpoints.stream().map(e -> e.getString("host") + ":" + e.getInt("port")).toList());
        assertFalse(config.getBoolean("pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port"));
    }

    @Test
    void whatMustNotRunIsRefusedWithWhatToDo() {
        Map<String, Object> postgres = Map.of("leadflame.journal", "postgres",
                "leadflame.databases.postgres.db.url", "jdbc:postgresql://db:5432/leadflame");
        assertTrue(refusal(Map.of("leadflame.journal", "postgres")).contains("JDBC_URL"));
        assertTrue(refusal(Map.of("leadflame.journal", "mysql")).contains("use h2 or postgres"));
        assertTrue(refusal(Map.of("leadflame.discovery", "config", "leadflame.contact-points", "a:1,b:2"))
                .contains("LEADFLAME_JOURNAL=postgres"), "an embedded journal in a cluster");
        assertTrue(refusal(with(postgres, "leadflame.discovery", "config")).contains("needs CONTACT_POINTS"));
        assertTrue(refusal(with(with(postgres, "leadflame.discovery", "config"), "leadflame.contact-points", "a:1,b"))
                .contains("'b' is not host:port"));
        assertTrue(refusal(with(postgres, "leadflame.discovery", "dns")).contains("Unknown discovery 'dns'"));
        assertTrue(refusal(Map.of("leadflame.http.max-connections", 100, "leadflame.http.sse.max-streams", 51))
                .contains("SSE_MAX_STREAMS"));
        assertTrue(refusal(Map.of("leadflame.http.sse.max-streams-per-tenant", 0)).contains("at least 1"));
        assertTrue(refusal(Map.of("leadflame.contact-shards", "0")).contains("LEADFLAME_CONTACT_SHARDS"));
        assertTrue(refusal(Map.of("leadflame.contact-shards", "many")).contains("auto or a positive number"));
        assertTrue(refusal(Map.of("leadflame.ingestion.max-in-flight-events", 9_999))
                .contains("INGESTION_MAX_IN_FLIGHT_EVENTS"), "a valid 10,000-event request could never be taken");
    }

    private static Map<String, Object> with(Map<String, Object> settings, String key, Object value) {
        Map<String, Object> more = new java.util.HashMap<>(settings);
        more.put(key, value);
        return more;
    }
}

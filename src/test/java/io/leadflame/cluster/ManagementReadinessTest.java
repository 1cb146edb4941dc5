package io.leadflame.cluster;

import io.leadflame.testing.HttpReply;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.leadflame.testing.FreePorts.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A clustered node that cannot form a cluster (its second contact point never answers, and two
 * are required) is alive but not ready, and says so the same way on both ports: {@code /ready}
 * on the management port and {@code /health/ready} on the API port. Deterministic: the missing
 * contact point never appears, so no timing is involved.
 */
class ManagementReadinessTest {

    private TestDatabase database;
    private ClusterNode node;

    @BeforeEach
    void start() {
        database = TestDatabase.create();
        int managementPort = freePort();
        int nobody = freePort();
        node = ClusterNode.start("alone", "127.0.0.1", ConfigFactory.parseMap(Map.of(
                "leadflame.http.interface", "127.0.0.1",
                "leadflame.http.port", 0,
                "pekko.remote.artery.canonical.port", 0,
                "pekko.management.http.port", managementPort,
                "leadflame.discovery", "config",
                "leadflame.contact-points", "127.0.0.1:" + managementPort + ",127.0.0.1:" + nobody,
                "leadflame.http.unbind-deadline", "1s"))
                .withFallback(database.journalOverrides()), managementPort);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (node != null) {
                node.stop().get(30, TimeUnit.SECONDS);
            }
        } finally {
            database.close();
        }
    }

    @Test
    void aNodeOutsideAnyClusterIsAliveButNotReadyOnBothPorts() {
        HttpReply api = node.get("/health/ready");
        assertEquals(503, api.status(), api.body());
        assertTrue(api.body().contains("not Up in the cluster"), api.body());

        HttpReply management = node.getManagement("/ready");
        assertEquals(500, management.status(), management.body());
        assertTrue(management.body().contains("not Up in the cluster"), management.body());

        assertEquals(200, node.getManagement("/alive").status());
        assertEquals(200, node.get("/health/alive").status());
    }
}

package io.leadflame.cluster;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.testing.TestDatabase;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static io.leadflame.testing.FreePorts.freePort;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes path without a Kubernetes: three nodes on 127.0.0.1, 127.0.0.2 and 127.0.0.3
 * (loopback addresses standing for pod IPs, all on the same management port as pods are)
 * bootstrap with {@code LEADFLAME_DISCOVERY=kubernetes-api} from an HTTPS mock of the API
 * server that lists them as the Running pods labelled {@code app=leadflame}, and form one
 * cluster that serves requests across nodes.
 *
 * <p>The discovery reads the API server's address from environment variables only (their names
 * are configurable, their values are not), so surefire sets {@code LEADFLAME_TEST_KUBERNETES_HOST}
 * and {@code LEADFLAME_TEST_KUBERNETES_PORT} for this JVM (see pom.xml).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesDiscoveryClusterTest {

    private static final String HOST_ENV = "LEADFLAME_TEST_KUBERNETES_HOST";
    private static final String PORT_ENV = "LEADFLAME_TEST_KUBERNETES_PORT";
    private static final String NAMESPACE = "leadflame-test";
    private static final List<String> POD_IPS = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    private static final Duration FORMED_WITHIN = Duration.ofSeconds(45);
    private static final String TENANT = "/api/v1/tenants/k8s";

    @TempDir
    static Path secrets;
    private TestDatabase database;
    private KubernetesApiMock api;
    private final List<ClusterNode> nodes = new ArrayList<>();

    @BeforeAll
    void startPods() throws Exception {
        String apiHost = System.getenv(HOST_ENV);
        String apiPort = System.getenv(PORT_ENV);
        if (apiHost == null || apiPort == null) {
            throw new IllegalStateException(HOST_ENV + " and " + PORT_ENV + " must be set for this test "
                    + "(surefire sets them from pom.xml; set them yourself when running it elsewhere).");
        }
        api = KubernetesApiMock.start(secrets, apiHost, Integer.parseInt(apiPort), NAMESPACE, POD_IPS);
        database = TestDatabase.create();
        int managementPort = portFreeOnAll(POD_IPS);
        long begin = System.nanoTime();
        for (int i = 0; i < POD_IPS.size(); i++) {
            String ip = POD_IPS.get(i);
            nodes.add(ClusterNode.start("pod-" + (i + 1), ip, overrides(ip, managementPort), managementPort));
        }
        for (ClusterNode node : nodes) {
            eventually(FORMED_WITHIN, () -> {
                HttpReply ready = node.get("/health/ready");
                assertEquals(200, ready.status(), node + " /health/ready: " + ready.body());
            });
        }
        System.out.printf("%d pods via kubernetes-api: formed and ready %d ms after the first start%n",
                POD_IPS.size(), (System.nanoTime() - begin) / 1_000_000);
    }

    private Config overrides(String ip, int managementPort) {
        String k8s = "pekko.discovery.kubernetes-api.";
        String bootstrap = "pekko.management.cluster.bootstrap.";
        return ConfigFactory.parseMap(Map.ofEntries(
                Map.entry("leadflame.http.interface", ip),
                Map.entry("leadflame.http.port", 0),
                Map.entry("pekko.remote.artery.canonical.hostname", ip),
                Map.entry("pekko.remote.artery.canonical.port", 0),
                Map.entry("pekko.management.http.port", managementPort),
                Map.entry("leadflame.discovery", "kubernetes-api"),
                // In a pod these are the service account's files and KUBERNETES_SERVICE_HOST/PORT.
                Map.entry(k8s + "api-ca-path", api.caFile().toString()),
                Map.entry(k8s + "api-token-path", api.tokenFile().toString()),
                Map.entry(k8s + "api-service-host-env-name", HOST_ENV),
                Map.entry(k8s + "api-service-port-env-name", PORT_ENV),
                Map.entry(k8s + "pod-namespace", NAMESPACE),
                Map.entry(bootstrap + "contact-point-discovery.stable-margin", "1s"),
                Map.entry(bootstrap + "contact-point-discovery.interval", "500ms"),
                Map.entry(bootstrap + "contact-point.probe-interval", "500ms"),
                Map.entry("leadflame.http.unbind-deadline", "1s")))
                .withFallback(database.journalOverrides());
    }

    /** A port that every address can bind, as every pod uses the same management port. */
    private static int portFreeOnAll(List<String> ips) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = freePort();
            boolean free = true;
            for (String ip : ips) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
                } catch (IOException taken) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return port;
            }
        }
        throw new IOException("no port free on all of " + ips);
    }

    @AfterAll
    void stopPods() throws Exception {
        try {
            // One after another, youngest first, as in a rolling shutdown: each leaves while the
            // others can still see it go, and the oldest (sharding coordinator) moves last. All
            // at once, the last ones wait out the cluster-exiting timeout.
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).stop().get(30, TimeUnit.SECONDS);
            }
        } finally {
            if (api != null) {
                api.close();
            }
            if (database != null) {
                database.close();
            }
        }
    }

    @Test
    void podsFoundThroughTheKubernetesApiFormOneCluster() {
        for (ClusterNode node : nodes) {
            Cluster cluster = Cluster.get(node.started().system());
            // A node is Up in its own view before gossip has told every other node: converge.
            eventually(FORMED_WITHIN, () -> {
                long up = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                        .filter(m -> m.status() == MemberStatus.up()).count();
                assertEquals(POD_IPS.size(), up, node + " sees " + cluster.state().getMembers());
            });
            assertEquals(200, node.getManagement("/ready").status(), node + " /ready");
        }
        // Discovery asked the API server for the pods of the namespace with the label selector.
        assertTrue(api.requests().stream().anyMatch(r -> r.equals(
                "/api/v1/namespaces/" + NAMESPACE + "/pods?labelSelector=app%3Dleadflame")
                || r.equals("/api/v1/namespaces/" + NAMESPACE + "/pods?labelSelector=app=leadflame")),
                api.requests().toString());

        // One cluster, so any pod serves any request.
        HttpReply accepted = nodes.get(1).post(TENANT + "/events",
                "[{\"contactId\":\"p-1\",\"type\":\"web_form_submitted\",\"eventId\":\"e-1\"}]");
        assertEquals(202, accepted.status(), accepted.body());
        JsonNode viaThird = nodes.get(2).get(TENANT + "/contacts/p-1").json();
        JsonNode viaFirst = nodes.get(0).get(TENANT + "/contacts/p-1").json();
        assertEquals(viaThird, viaFirst);
        assertEquals("p-1", viaFirst.get("contactId").asText(), viaFirst.toString());
    }
}

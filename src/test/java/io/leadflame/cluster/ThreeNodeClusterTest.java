package io.leadflame.cluster;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leadflame.contact.ContactEntity;
import io.leadflame.testing.ScoreChangesListener;
import io.leadflame.testing.WebhookReceiver;
import io.leadflame.testing.TestDatabase;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.leadflame.testing.FreePorts.freePort;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real nodes in this JVM, each started through {@code Main.start} as the jar starts one,
 * on 127.0.0.1 with their own API, remoting and management ports, forming one cluster with
 * Pekko Management cluster bootstrap ({@code LEADFLAME_DISCOVERY=config}, the contact points
 * being the three management endpoints) on one fresh PostgreSQL journal. Any node serves any
 * request: contacts live on whichever node sharding puts them, models reach every node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreeNodeClusterTest {

    private static final int NODES = 3;
    private static final Duration FORMED_WITHIN = Duration.ofSeconds(45);
    private static final Duration REPLICATED_WITHIN = Duration.ofSeconds(15);
    private static final String TENANT = "/api/v1/tenants/cluster";
    private static final int CONTACTS = 30;

    private static final String MODEL = """
            {"idealScore": 20,
             "ranges": [{"name": "cold", "min": 0, "color": "#4a90e2"},
                        {"name": "warm", "min": 5, "color": "#f5a623"}],
             "rules": [
               {"id": "visit", "name": "Visited", "points": POINTS,
                "criterion": {"type": "activity", "activity": "page_visited"}},
               {"id": "form", "name": "Form", "points": 3,
                "criterion": {"type": "activity", "activity": "web_form_submitted"}}]}
            """;

    private static final String OPERATOR_KEY = "cluster-operator-key-0123456789abcdef";
    /** How soon a key made or revoked on one node must hold on the others (README "Security"). */
    private static final Duration KEY_SPREAD_WITHIN = Duration.ofSeconds(3);

    private TestDatabase database;
    private final List<ClusterNode> nodes = new ArrayList<>();

    @BeforeAll
    void startCluster() {
        database = TestDatabase.create();
        int[] managementPorts = new int[NODES];
        for (int i = 0; i < NODES; i++) {
            managementPorts[i] = freePort();
        }
        String contactPoints = java.util.Arrays.stream(managementPorts)
                .mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        long begin = System.nanoTime();
        for (int i = 0; i < NODES; i++) {
            nodes.add(ClusterNode.start("node-" + (i + 1), "127.0.0.1", overrides(managementPorts[i], contactPoints),
                    managementPorts[i]));
        }
        long started = System.nanoTime();
        // Bounded polling on what an operator's probe sees: every node Up, journal and models ready.
        for (ClusterNode node : nodes) {
            eventually(FORMED_WITHIN, () -> {
                HttpReply ready = node.get("/health/ready");
                assertEquals(200, ready.status(), node + " /health/ready: " + ready.body());
            });
        }
        long ready = System.nanoTime();
        System.out.printf("%d nodes: Main.start of all took %d ms, formed and ready %d ms after the first start%n",
                NODES, (started - begin) / 1_000_000, (ready - begin) / 1_000_000);
    }

    private Config overrides(int managementPort, String contactPoints) {
        return ConfigFactory.parseMap(Map.ofEntries(
                Map.entry("leadflame.http.interface", "127.0.0.1"),
                // Keys on, as in production: the requests carry the operator key (ClusterNode).
                Map.entry("leadflame.auth.operator-key", OPERATOR_KEY),
                // The webhook receiver listens on loopback, which only an operator can allow.
                Map.entry("leadflame.webhooks.allowed-receivers", "127.0.0.1/32"),
                Map.entry("leadflame.http.port", 0),
                Map.entry("pekko.remote.artery.canonical.hostname", "127.0.0.1"),
                Map.entry("pekko.remote.artery.canonical.port", 0),
                Map.entry("pekko.management.http.port", managementPort),
                Map.entry("leadflame.discovery", "config"),
                Map.entry("leadflame.contact-points", contactPoints),
                // Quicker than the production defaults (5 s, 1 s): all contact points are
                // started together here, nothing to wait for.
                Map.entry("pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin", "1s"),
                Map.entry("pekko.management.cluster.bootstrap.contact-point-discovery.interval", "500ms"),
                Map.entry("pekko.management.cluster.bootstrap.contact-point.probe-interval", "500ms"),
                // The test client keeps connections open: do not wait the production 10 s for them.
                Map.entry("leadflame.http.unbind-deadline", "1s"),
                // Each node sends the edge 2 leads at a time (400 in production, to fit a frame
                // between nodes): a page of 7 then gathers several rounds from each node.
                Map.entry("leadflame.leads.per-node-page", 2)))
                .withFallback(database.journalOverrides());
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            // One after another, youngest first, as in a rolling shutdown: each leaves while the
            // others can still see it go, and the oldest (sharding coordinator) moves last. All
            // at once, the last ones wait out the cluster-exiting timeout.
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).stop().get(30, TimeUnit.SECONDS);
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    @Test
    void everyNodeIsUpInOneClusterAndManagementProbesAgree() {
        for (ClusterNode node : nodes) {
            Cluster cluster = Cluster.get(node.started().system());
            assertEquals(MemberStatus.up(), cluster.selfMember().status(), node.name());
            // A node is Up in its own view before gossip has told every other node: converge.
            eventually(FORMED_WITHIN, () -> {
                long up = java.util.stream.StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                        .filter(m -> m.status() == MemberStatus.up()).count();
                assertEquals(NODES, up, node + " sees " + cluster.state().getMembers());
            });
            // The management port answers the same readiness as /health/ready.
            HttpReply ready = node.getManagement("/ready");
            assertEquals(200, ready.status(), node + " /ready: " + ready.body());
            HttpReply alive = node.getManagement("/alive");
            assertEquals(200, alive.status(), node + " /alive: " + alive.body());
        }
    }

    @Test
    void anyNodeServesAnyRequest() throws Exception {
        ClusterNode one = nodes.get(0);
        ClusterNode two = nodes.get(1);
        ClusterNode three = nodes.get(2);

        // A model published through node 1 reaches every node's catalog.
        HttpReply v1 = one.put(TENANT + "/model", MODEL.replace("POINTS", "2"));
        assertEquals(200, v1.status(), v1.body());
        long version1 = v1.json().get("version").asLong();
        for (ClusterNode node : nodes) {
            eventually(REPLICATED_WITHIN, () -> assertEquals(version1, model(node).get("version").asLong(), node.name()));
        }
        // GET /model asks the tenant's model entity; contacts score with their node's catalog,
        // which Distributed Data updates a moment later. Rescoring is done only when every Up
        // node has the version (each reports for itself): from then on every contact uses it.
        for (ClusterNode node : nodes) {
            awaitRescored(node, version1);
        }

        // Events for many contacts, all through node 1: sharding spreads the contacts.
        StringBuilder events = new StringBuilder("[");
        for (int i = 0; i < CONTACTS; i++) {
            events.append(i == 0 ? "" : ",")
                    .append("{\"contactId\":\"k-").append(i).append("\",\"type\":\"page_visited\",\"eventId\":\"v-")
                    .append(i).append("\"}")
                    .append(",{\"contactId\":\"k-").append(i).append("\",\"type\":\"web_form_submitted\",\"eventId\":\"f-")
                    .append(i).append("\"}");
        }
        HttpReply accepted = one.post(TENANT + "/events", events.append("]").toString());
        assertEquals(202, accepted.status(), accepted.body());
        assertEquals(2 * CONTACTS, accepted.json().get("accepted").asInt(), accepted.body());

        // Read through node 2 and node 3: the same contact, the same score (2 + 3), wherever it lives.
        for (int i = 0; i < CONTACTS; i++) {
            JsonNode viaTwo = contact(two, "k-" + i);
            JsonNode viaThree = contact(three, "k-" + i);
            assertEquals(5, viaTwo.get("score").asLong(), viaTwo.toString());
            assertEquals(viaTwo.get("score"), viaThree.get("score"));
            assertEquals(viaTwo.get("modelVersion"), viaThree.get("modelVersion"));
        }
        // Its score over time, through node 2: the visit (2) and the form (3), each an event.
        JsonNode scores = two.get(TENANT + "/contacts/k-0/history").json();
        assertEquals(5, scores.at("/changes/" + (scores.get("changes").size() - 1) + "/score").asLong(),
                scores.toString());
        assertEquals("event", scores.at("/changes/0/reason").asText(), scores.toString());
        // Keap's shape of the same score, through node 3: 5 of an ideal 20 is 1 flame.
        HttpReply keap = three.get("/keap/cluster/crm/rest/v2/contacts/k-0/leadScore");
        assertEquals(200, keap.status(), keap.body());
        assertEquals("1", keap.json().get("score").asText(), keap.body());
        Map<String, Integer> hosted = contactsPerNode("cluster");
        assertEquals(CONTACTS, hosted.values().stream().mapToInt(Integer::intValue).sum(), hosted.toString());
        assertTrue(hosted.values().stream().filter(n -> n > 0).count() >= 2,
                "the contacts live on several nodes, so reads crossed nodes: " + hosted);

        // A model change through node 2 reaches every node; contacts read through node 3 score with it.
        HttpReply v2 = two.put(TENANT + "/model", MODEL.replace("POINTS", "7"));
        assertEquals(200, v2.status(), v2.body());
        long version2 = v2.json().get("version").asLong();
        assertEquals(version1 + 1, version2);
        for (ClusterNode node : nodes) {
            eventually(REPLICATED_WITHIN, () -> assertEquals(version2, model(node).get("version").asLong(), node.name()));
        }
        // Rescoring progress, asked of any node, counts every node's contacts and becomes done.
        JsonNode status = awaitRescored(three, version2);
        assertEquals(CONTACTS, status.get("contacts").asLong(), status.toString());
        assertEquals(CONTACTS, status.get("rescored").asLong(), status.toString());
        for (int i = 0; i < CONTACTS; i++) {
            JsonNode viaThree = contact(three, "k-" + i);
            assertEquals(10, viaThree.get("score").asLong(), viaThree.toString());
            assertEquals(version2, viaThree.get("modelVersion").asLong(), viaThree.toString());
        }
        // Node 1 answers the same for the same question.
        assertEquals(status.get("contacts"), one.get(TENANT + "/model/rescoring").json().get("contacts"));

        // Version 1 restored through node 3: a new version everywhere, every contact rescored
        // under it, and the history the same whichever node reads it.
        HttpReply restored = three.post(TENANT + "/model/versions/" + version1 + "/restore", "{}");
        assertEquals(200, restored.status(), restored.body());
        long version3 = restored.json().get("version").asLong();
        assertEquals(version2 + 1, version3);
        awaitRescored(one, version3);
        for (int i = 0; i < CONTACTS; i++) {
            JsonNode viaTwo = contact(two, "k-" + i);
            assertEquals(5, viaTwo.get("score").asLong(), viaTwo.toString());
            assertEquals(version3, viaTwo.get("modelVersion").asLong(), viaTwo.toString());
        }
        JsonNode history = one.get(TENANT + "/model/versions").json();
        assertEquals(version3, history.at("/versions/0/version").asLong(), history.toString());
        assertEquals(version1, history.at("/versions/0/restoredFrom").asLong(), history.toString());
        assertEquals(history, two.get(TENANT + "/model/versions").json());

        // Accounts roll up contacts of every node: each contact's company through node 1, the
        // roll-up published through node 2, the list asked of node 3.
        StringBuilder companies = new StringBuilder("[");
        for (int i = 0; i < CONTACTS; i++) {
            companies.append(i == 0 ? "" : ",").append("{\"contactId\":\"k-").append(i)
                    .append("\",\"type\":\"fields_updated\",\"eventId\":\"co-").append(i)
                    .append("\",\"fields\":{\"company\":\"co-").append(i % 3).append("\"}}");
        }
        HttpReply fields = one.post(TENANT + "/events", companies.append("]").toString());
        assertEquals(202, fields.status(), fields.body());
        HttpReply rollUp = two.put(TENANT + "/model", MODEL.replace("POINTS", "2")
                .replaceFirst("\\{", "{\"accounts\": {\"field\": \"company\", \"score\": \"sum\"}, "));
        assertEquals(200, rollUp.status(), rollUp.body());
        awaitRescored(three, rollUp.json().get("version").asLong());
        eventually(REPLICATED_WITHIN, () -> {
            JsonNode accounts = three.get(TENANT + "/accounts").json();
            assertEquals(3, accounts.get("accounts").size(), accounts.toString());
            for (JsonNode account : accounts.get("accounts")) {
                assertEquals(CONTACTS / 3, account.get("contacts").asInt(), accounts.toString());
                assertEquals(5L * CONTACTS / 3, account.get("score").asLong(), accounts.toString());
            }
        });
    }

    /**
     * The call list, the distribution and a preview asked of any node cover the contacts of
     * every node, and a listener on one node hears the changes of contacts on all of them.
     */
    @Test
    void callListsPreviewsAndLiveChangesSpanEveryNode() throws Exception {
        String tenant = "/api/v1/tenants/cluster-leads";
        ClusterNode one = nodes.get(0);
        ClusterNode two = nodes.get(1);
        ClusterNode three = nodes.get(2);
        HttpReply v1 = one.put(tenant + "/model", MODEL.replace("POINTS", "1"));
        assertEquals(200, v1.status(), v1.body());
        for (ClusterNode node : nodes) {
            eventually(REPLICATED_WITHIN, () -> assertEquals(200, node.get(tenant + "/leads").status()));
            eventually(REPLICATED_WITHIN, () -> assertEquals(1, node.get(tenant + "/model/rescoring").json()
                    .get("version").asLong(), node.name()));
        }

        try (ScoreChangesListener listener = new ScoreChangesListener(three.request(tenant + "/score-changes"))) {
            // No probing: the stream answered once every node publishes to it.
            // Contact k-i submits a form (3 points) and, unless i % 7 == 0, visits (1 point, counted once).
            StringBuilder events = new StringBuilder("[");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < CONTACTS; i++) {
                events.append(i == 0 ? "" : ",").append("{\"contactId\":\"k-").append(i)
                        .append("\",\"type\":\"web_form_submitted\"}");
                for (int v = 0; v < i % 7; v++) {
                    events.append(",{\"contactId\":\"k-").append(i).append("\",\"type\":\"page_visited\"}");
                }
                expected.add("k-" + i);
            }
            expected.sort(java.util.Comparator.comparingInt((String id) -> Integer.parseInt(id.substring(2)) % 7 == 0 ? 1 : 0)
                    .thenComparing(id -> id));
            HttpReply accepted = one.post(tenant + "/events", events.append("]").toString());
            assertEquals(202, accepted.status(), accepted.body());

            for (ClusterNode node : nodes) {
                List<String> listed = callList(node, tenant, 7);
                JsonNode stats = node.get(tenant + "/stats").json();
                assertEquals(listed.size(), stats.get("contacts").asInt(), node.name() + ": " + stats);
                listed.removeIf(id -> id.startsWith("probe-"));
                assertEquals(expected, listed, node.name());
            }
            Map<String, Integer> hosted = contactsPerNode("cluster-leads");
            assertTrue(hosted.values().stream().filter(n -> n > 0).count() >= 2, "on several nodes: " + hosted);
            // The listener on node 3 heard every contact's first score, wherever it lives.
            Map<String, Integer> heard = new HashMap<>();
            JsonNode change;
            while (heard.size() < CONTACTS && (change = listener.poll(ScoreChangesListener.WAIT)) != null) {
                heard.put(change.get("contactId").asText(), change.get("score").asInt());
            }
            for (int i = 0; i < CONTACTS; i++) {
                assertEquals(i % 7 == 0 ? 3 : 4, heard.get("k-" + i), "k-" + i + " in " + heard);
            }
        }

        HttpReply preview = two.post(tenant + "/model/preview?movers=1000", MODEL.replace("POINTS", "5"));
        assertEquals(200, preview.status(), preview.body());
        JsonNode movers = preview.json().get("movers");
        List<JsonNode> moved = new ArrayList<>();
        movers.forEach(m -> {
            if (m.get("contactId").asText().startsWith("k-")) {
                moved.add(m);
            }
        });
        assertEquals(CONTACTS - (CONTACTS + 6) / 7, moved.size(), "every contact that visited moves: " + movers);
        for (JsonNode m : moved) {
            int i = Integer.parseInt(m.get("contactId").asText().substring(2));
            assertTrue(i % 7 != 0, m.toString());
            assertEquals(3 + 5, m.get("previewScore").asInt(), m.toString());
        }

        // A named score published through node 2: its list and distribution, asked of any
        // node, score every node's contacts under it (in chunks of 2 a node, as this cluster's
        // call lists are gathered), and its preview compares with it.
        HttpReply named = two.put(tenant + "/scores/visits/model", MODEL.replace("POINTS", "5"));
        assertEquals(200, named.status(), named.body());
        for (ClusterNode node : nodes) {
            List<String> listed = eventually(REPLICATED_WITHIN, () -> callList(node, tenant + "/scores/visits", 7));
            JsonNode stats = node.get(tenant + "/scores/visits/stats").json();
            assertEquals(listed.size(), stats.get("contacts").asInt(), node.name() + ": " + stats);
            JsonNode hottest = node.get(tenant + "/scores/visits/leads?limit=1").json();
            assertEquals(3 + 5, hottest.at("/leads/0/score").asInt(), hottest.toString());
            listed.removeIf(id -> id.startsWith("probe-"));
            List<String> expected = new ArrayList<>(listed);
            expected.sort(java.util.Comparator.comparingInt((String id) -> Integer.parseInt(id.substring(2)) % 7 == 0
                    ? 1 : 0).thenComparing(id -> id));
            assertEquals(CONTACTS, listed.size(), node.name());
            assertEquals(expected, listed, node.name());
        }
        HttpReply unchanged = one.post(tenant + "/scores/visits/model/preview", MODEL.replace("POINTS", "5"));
        assertEquals(200, unchanged.status(), unchanged.body());
        assertEquals(0, unchanged.json().get("movers").size(), "the named score is the candidate: " + unchanged.body());
    }

    /**
     * The nodes' topics find the listener's through the receptionist, a moment after it
     * subscribed: visits probe contacts (spread over the nodes) until one round is heard whole.
     */
    @Test
    void aWebhookHearsTheCrossingsOfContactsOnEveryNode() throws Exception {
        String tenant = "/api/v1/tenants/cluster-hooks";
        HttpReply model = nodes.get(0).put(tenant + "/model", MODEL.replace("POINTS", "2"));
        assertEquals(200, model.status(), model.body());
        for (ClusterNode node : nodes) {
            eventually(REPLICATED_WITHIN, () -> assertEquals(1, node.get(tenant + "/model/rescoring").json()
                    .get("version").asLong(), node.name()));
        }
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            HttpReply created = nodes.get(1).put(tenant + "/webhooks/warm", "{\"url\": \"" + receiver.url("/warm")
                    + "\", \"secret\": \"k\", \"trigger\": {\"enterRange\": \"warm\"}}");
            assertEquals(201, created.status(), created.body());

            // A form is 3 points (cold), with a visit 5 (warm): every contact but each third crosses.
            StringBuilder events = new StringBuilder("[");
            Set<String> crossing = new TreeSet<>();
            for (int i = 0; i < CONTACTS; i++) {
                events.append(i == 0 ? "" : ",").append("{\"contactId\":\"w-").append(i)
                        .append("\",\"type\":\"web_form_submitted\"}");
                if (i % 3 != 0) {
                    events.append(",{\"contactId\":\"w-").append(i).append("\",\"type\":\"page_visited\"}");
                    crossing.add("w-" + i);
                }
            }
            HttpReply accepted = nodes.get(0).post(tenant + "/events", events.append("]").toString());
            assertEquals(202, accepted.status(), accepted.body());

            eventually(REPLICATED_WITHIN, () -> {
                Map<String, String> contactByDelivery = new HashMap<>();
                receiver.received().forEach(r -> {
                    assertTrue(r.signedWith("k"), r.json().toString());
                    contactByDelivery.put(r.deliveryId(), r.json().get("contactId").asText());
                });
                assertEquals(crossing, new TreeSet<>(contactByDelivery.values()),
                        () -> nodes.get(2).get(tenant + "/webhooks/warm").body());
                assertEquals(crossing.size(), contactByDelivery.size(), "one delivery id per crossing");
            });
            Map<String, Integer> hosted = contactsPerNode("cluster-hooks");
            assertTrue(hosted.values().stream().filter(n -> n > 0).count() >= 2, "on several nodes: " + hosted);
            JsonNode status = nodes.get(2).get(tenant + "/webhooks/warm").json().get("deliveries");
            assertEquals(crossing.size(), status.get("delivered").asInt(), status.toString());
        }
    }

    @Test
    void aKeyMadeOnOneNodeWorksOnEveryNodeAndARevocationOnAnotherIsRefusedEverywhere() {
        String tenant = "/api/v1/tenants/keyed";
        HttpReply created = nodes.get(0).post(tenant + "/keys", "{\"name\": \"reports\", \"role\": \"read\"}");
        assertEquals(201, created.status(), created.body());
        String key = created.json().path("key").asText();
        String id = created.json().path("id").asText();
        long madeAt = System.nanoTime();
        for (ClusterNode node : nodes) {
            eventually(KEY_SPREAD_WITHIN, () -> assertEquals(200, node.get(tenant + "/model", key).status(), node.name()));
        }
        long spreadMs = (System.nanoTime() - madeAt) / 1_000_000;

        HttpReply revoked = nodes.get(1).delete(tenant + "/keys/" + id);
        assertEquals(200, revoked.status(), revoked.body());
        long revokedAt = System.nanoTime();
        for (ClusterNode node : nodes) {
            eventually(KEY_SPREAD_WITHIN, () -> {
                HttpReply refused = node.get(tenant + "/model", key);
                assertEquals(401, refused.status(), node.name() + ": " + refused.body());
            });
        }
        System.out.printf("a new key worked on every node %d ms after its 201; a revoked one was refused "
                + "everywhere %d ms after its 200%n", spreadMs, (System.nanoTime() - revokedAt) / 1_000_000);
        // And the operator's listing, on the third node, shows it revoked.
        HttpReply listing = nodes.get(2).get(tenant + "/keys");
        assertTrue(listing.json().path("keys").get(0).has("revokedAt"), listing.body());
    }

    /** The whole call list of the tenant through {@code node}, page by page. */
    private static List<String> callList(ClusterNode node, String tenant, int limit) {
        List<String> ids = new ArrayList<>();
        String query = "?limit=" + limit;
        while (true) {
            HttpReply r = node.get(tenant + "/leads" + query);
            assertEquals(200, r.status(), r.body());
            r.json().get("leads").forEach(lead -> ids.add(lead.get("contactId").asText()));
            if (r.json().get("next").isNull()) {
                return ids;
            }
            query = "?limit=" + limit + "&after=" + r.json().get("next").asText();
        }
    }

    private static JsonNode awaitRescored(ClusterNode node, long version) {
        return eventually(REPLICATED_WITHIN, () -> {
            HttpReply r = node.get(TENANT + "/model/rescoring");
            assertEquals(200, r.status(), r.body());
            JsonNode s = r.json();
            assertEquals(version, s.get("version").asLong(), node + ": " + s);
            assertTrue(s.get("done").asBoolean(), node + ": " + s);
            return s;
        });
    }

    private static JsonNode model(ClusterNode node) {
        HttpReply r = node.get(TENANT + "/model");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static JsonNode contact(ClusterNode node, String id) {
        HttpReply r = node.get(TENANT + "/contacts/" + id);
        assertEquals(200, r.status(), node + ": " + r.body());
        return r.json();
    }

    /** How many contact entities of the tenant each node hosts, from each node's own shard region. */
    private Map<String, Integer> contactsPerNode(String tenant) throws Exception {
        String prefix = ContactEntity.tenantPrefix(tenant);
        Map<String, Integer> hosted = new HashMap<>();
        for (ClusterNode node : nodes) {
            ActorSystem<Void> system = node.started().system();
            ShardRegion.CurrentShardRegionState state = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
                            ShardRegion.CurrentShardRegionState>ask(
                            ClusterSharding.get(system).shardState(),
                            replyTo -> new GetShardRegionState(ContactEntity.TYPE_KEY, replyTo),
                            Duration.ofSeconds(5), system.scheduler())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            hosted.put(node.name(), state.getShards().stream()
                    .mapToInt(s -> (int) s.getEntityIds().stream().filter(id -> id.startsWith(prefix)).count()).sum());
        }
        return hosted;
    }
}

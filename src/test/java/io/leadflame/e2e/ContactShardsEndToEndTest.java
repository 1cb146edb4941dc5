package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.leadflame.contact.ContactEntity;
import io.leadflame.testing.HttpReply;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;

import static io.leadflame.e2e.E2e.activity;
import static io.leadflame.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contacts' shard count (DECISIONS.md "Shards"): a new node uses 100 and records it; a node
 * set to another count does not start its contacts and says why; started again without a count,
 * it brings every contact back in the recorded shards.
 */
class ContactShardsEndToEndTest extends NodePerTest {

    private static final String TENANT = "shards";
    private static final int CONTACTS = 40;
    private static final String MODEL = """
            {"idealScore": 10, "rules": [
              {"id": "visit", "name": "Visits", "points": 1, "count": "each",
               "criterion": {"type": "activity", "activity": "page_visited"}}]}""";

    @Test
    void aNewNodeRecordsAHundredShardsAndANodeSetToAnotherCountNeverStartsItsContacts() {
        node = LeadflameNode.start(dataDir);
        node.publish(TENANT, MODEL);
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
        for (int i = 0; i < CONTACTS; i++) {
            node.record(TENANT, activity("c-" + i, "page_visited", t).put("eventId", "a-" + i),
                    activity("c-" + i, "page_visited", t.plusSeconds(i)).put("eventId", "b-" + i));
        }
        Map<String, Integer> shardOf = hostedShards(node);
        assertEquals(CONTACTS, shardOf.size(), shardOf.toString());
        assertTrue(shardOf.values().stream().allMatch(shard -> shard < 100), "a new node uses 100 shards: " + shardOf);
        assertTrue(shardOf.values().stream().anyMatch(shard -> shard >= 7),
                "7 shards would place some contact elsewhere: " + shardOf);

        node.close();
        node = null;
        node = LeadflameNode.launch(dataDir, ConfigFactory.parseMap(Map.of("leadflame.contact-shards", "7")));
        eventually(Duration.ofSeconds(30), () -> {
            HttpReply ready = node.get("/health/ready");
            assertEquals(503, ready.status(), ready.body());
            String message = ready.json().path("message").asText();
            assertTrue(message.contains("keeps them in 100 shards") && message.contains("set to 7"), message);
        });
        HttpReply refused = node.postJson(TENANT, activity("c-0", "page_visited", t.plusSeconds(60))
                .put("eventId", "refused-1"));
        assertEquals(503, refused.status(), refused.body());
        assertTrue(hostedShardsIfStarted(node).isEmpty(), "no contact runs in a shard of another count");

        node.close();
        node = null;
        node = LeadflameNode.start(dataDir);
        awaitEveryContactBack();
        assertEquals(shardOf, hostedShards(node), "back in the recorded 100 shards, each contact once");
        for (int i = 0; i < CONTACTS; i++) {
            assertEquals(2, node.contact(TENANT, "c-" + i).get("score").asLong(), "c-" + i);
        }
    }

    private void awaitEveryContactBack() {
        eventually(Duration.ofSeconds(30), () -> {
            JsonNode ready = node.get("/health/ready").json();
            assertEquals("ready", ready.path("status").asText(), ready.toString());
            JsonNode stats = node.get(LeadflameNode.api(TENANT) + "/stats").json();
            assertEquals(CONTACTS, stats.get("contacts").asLong(), stats.toString());
            assertFalse(stats.get("partial").asBoolean(true), stats.toString());
        });
    }

    private static Map<String, Integer> hostedShardsIfStarted(LeadflameNode node) {
        return ContactEntity.started(node.system()) ? hostedShards(node) : Map.of();
    }

    /** The live contacts of this node by entity id, and the shard each lives in. */
    private static Map<String, Integer> hostedShards(LeadflameNode node) {
        ActorSystem<?> system = node.system();
        TestProbe<ShardRegion.CurrentShardRegionState> probe = TestProbe.create(system);
        ClusterSharding.get(system).shardState().tell(new GetShardRegionState(ContactEntity.TYPE_KEY, probe.ref()));
        Map<String, Integer> shardOf = new TreeMap<>();
        for (ShardRegion.ShardState shard : probe.receiveMessage(Duration.ofSeconds(10)).getShards()) {
            shard.getEntityIds().forEach(id -> shardOf.put(id, Integer.parseInt(shard.shardId())));
        }
        return shardOf;
    }
}

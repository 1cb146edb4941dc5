package io.leadflame.e2e;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.leadflame.e2e.E2e.assertError;
import static io.leadflame.e2e.E2e.tagApplied;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node measured without the call list ({@code leadflame.leads.index = off}, the benchmark's
 * baseline): scoring is unchanged, and the call-list routes are absent rather than empty.
 */
class CallListOffEndToEndTest {

    @TempDir
    Path dataDir;

    @Test
    void scoresAsUsualAndTheCallListRoutesAreAbsent() {
        try (LeadflameNode node = LeadflameNode.start(dataDir,
                ConfigFactory.parseMap(Map.of("leadflame.leads.index", "off")))) {
            node.publish("off", """
                    {"idealScore": 10, "rules": [{"id": "vip", "name": "VIP", "points": 6,
                      "criterion": {"type": "tag", "anyOf": ["vip"]}}]}""");
            node.record("off", tagApplied("c-1", "vip", OneNodeTest.now()));
            assertEquals(6, node.contact("off", "c-1").get("score").asInt());
            String api = LeadflameNode.api("off");
            assertError(node.get(api + "/leads"), 404, "not_found");
            assertError(node.get(api + "/stats"), 404, "not_found");
            assertError(node.get(api + "/score-changes"), 404, "not_found");
            assertError(node.send("POST", api + "/model/preview", "application/json", "{}"), 404, "not_found");
        }
    }
}

package io.leadflame.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Tests that each start their own node on a fresh data dir (and may stop and start it again on
 * it, as a restart does); the node left running is stopped after each test.
 */
abstract class NodePerTest {

    @TempDir
    Path dataDir;
    LeadflameNode node;

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }
}

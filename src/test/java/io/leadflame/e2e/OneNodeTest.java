package io.leadflame.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One real node for a whole test class, on a temporary data dir. Tests share it and stay
 * independent by each using a tenant of its own.
 */
abstract class OneNodeTest {

    @TempDir
    static Path dataDir;
    static LeadflameNode node;

    @BeforeAll
    static void startNode() {
        node = LeadflameNode.start(dataDir);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** Now, to the second: API instants are compared as text, and whole seconds read better. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }
}

package io.leadflame.failover;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.NetworkNamespaces;
import io.leadflame.testing.TcpProxy;
import io.leadflame.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A network partition 2|1: three nodes, each {@code java -jar target/leadflame.jar} in its own
 * Linux network namespace (its own address, all on one bridge), one PostgreSQL reached by all
 * through a relay on the bridge. In the middle of a stream of events node 3 is cut off from
 * nodes 1 and 2 (both directions) while all three still reach the database and the test: the
 * case the Split Brain Resolver and the down-removal margin exist for. The minority must down
 * itself (and, as a process, exit), the majority must serve every contact, and no contact may
 * ever have been written by two nodes: every acknowledged event is in the final scores once, the
 * journal holds each once, and no node had a write refused for a sequence number already taken.
 *
 * <p>Needs root (namespaces are made with {@code ip}); skipped where they cannot be made.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionIT {

    private static final String TENANT = "/api/v1/tenants/partition";
    private static final int CONTACTS = 300;
    /** More than the stream sends until the majority serves every contact: it is stopped then. */
    private static final int EVENTS_AVAILABLE = 20000;
    private static final int BATCH = 20;
    /** Events acknowledged before the cut, so that every node hosts contacts with history. */
    private static final int CUT_AFTER = 1500;
    /** Detection, stable-after, removal, margin and recovery: ~17 s measured after a kill -9. */
    private static final Duration SERVED_WITHIN = Duration.ofSeconds(60);

    /** The nodes listen beyond the loopback interface, so they require keys: the operator's opens all. */
    private static final String OPERATOR_KEY = "partition-it-operator-key-0123456789abcdef";

    private final Http http = new Http(OPERATOR_KEY);
    private final List<JarNode> nodes = new ArrayList<>();
    private NetworkNamespaces network;
    private TcpProxy database;
    private TestDatabase journal;

    @BeforeAll
    void startClusterInNamespaces() throws Exception {
        assumeTrue(NetworkNamespaces.available(), "network namespaces cannot be made here (not root?)");
        Path logDir = JarNode.logDir("partition");
        network = NetworkNamespaces.create(3);
        journal = TestDatabase.create();
        database = TcpProxy.on(network.bridgeIp(), "127.0.0.1", 5432);
        String jdbcUrl = journal.url().replace("127.0.0.1:5432/", network.bridgeIp() + ":" + database.port() + "/");
        // Each node has its own namespace, so all can use the same ports.
        JarNode.Ports ports = new JarNode.Ports(8080, 8558, 25520);
        String contactPoints = List.of(1, 2, 3).stream().map(i -> network.ip(i) + ":" + ports.management())
                .collect(Collectors.joining(","));
        for (int i = 1; i <= 3; i++) {
            nodes.add(JarNode.start("node-" + i, network.exec(i), network.ip(i),
                    Map.of("LEADFLAME_OPERATOR_KEY", OPERATOR_KEY), ports, contactPoints, jdbcUrl, logDir));
        }
        for (JarNode node : nodes) {
            Poll.until(Duration.ofSeconds(90), node + " ready", () -> node.ready(http), () -> node.tail(30));
        }
        System.out.printf("[partition] 3 JVMs in namespaces %s ready (logs: %s)%n", nodes, logDir);
    }

    @AfterAll
    void stop() {
        try {
            JarNode.stopCluster(nodes, journal);
        } finally {
            if (database != null) {
                database.close();
            }
            if (network != null) {
                network.close();
            }
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theMinorityDownsItselfAndTheMajorityServesEveryContactWithOneWriterEach() throws Exception {
        JarNode one = nodes.get(0);
        JarNode two = nodes.get(1);
        JarNode three = nodes.get(2);
        String modelJson = Workload.model(1, 5, 6);
        ScoringModel model = Workload.parseModel(modelJson);
        HttpReply put = http.put(one.api(TENANT + "/model"), modelJson, Checks.REQUEST_TIMEOUT);
        assertEquals(200, put.status(), put.body());
        for (JarNode node : nodes) {
            Checks.awaitRescoringDone(http, node, TENANT, put.json().get("version").asLong(), -1,
                    Duration.ofSeconds(30));
        }

        // Events through all three, node 3 included until it has downed itself: it keeps writing
        // its own contacts while the majority prepares to take them over (the window the
        // down-removal margin guards).
        Workload workload = Workload.generate(20261206L, CONTACTS, EVENTS_AVAILABLE);
        List<List<ObjectNode>> batches = EventStreamer.batches(workload.events, BATCH);
        List<JarNode> majority = List.of(one, two);
        AtomicReference<List<JarNode>> targets = new AtomicReference<>(List.of(one, two, three));
        EventStreamer streamer = new EventStreamer(http, TENANT, batches, targets::get, Duration.ofSeconds(180));
        streamer.pace(20);
        streamer.start(3);
        Poll.until(Duration.ofSeconds(60), CUT_AFTER + " events acknowledged",
                () -> streamer.acknowledgedEvents.size() >= CUT_AFTER || streamer.finished(), streamer::summary);
        assertTrue(!streamer.finished(), "the stream finished before the partition: make it longer");

        // One side first, the other a second later: the two sides notice at different times.
        network.block(3, 1, 2);
        long cutAt = System.nanoTime();
        Thread.sleep(1_000);
        network.block(1, 3);
        network.block(2, 3);
        System.out.printf("[partition] node 3 cut off from nodes 1 and 2 with %d events acknowledged%n",
                streamer.acknowledgedEvents.size());

        // The minority downs itself: its SBR decides, its actor system stops and the JVM exits.
        Poll.until(SERVED_WITHIN, "node 3 (the minority) downs itself and exits", () -> !three.isAlive(),
                () -> three.tail(20));
        long minorityGoneMs = (System.nanoTime() - cutAt) / 1_000_000;
        targets.set(majority);

        Checks.FirstAnswers answers = Checks.awaitEveryContactAnswers(http, TENANT, workload.contacts, majority,
                cutAt, SERVED_WITHIN);
        System.out.println("[partition] " + answers + " after the cut");
        assertEquals(workload.contacts.size(), answers.answered(), "contacts answering through the majority");

        boolean underLoad = !streamer.finished();
        streamer.stop();
        assertTrue(underLoad, "the stream ended before the majority served every contact: " + streamer.summary());
        assertTrue(streamer.await(Duration.ofSeconds(120)), "stream not done: " + streamer.summary());
        assertEquals(List.of(), streamer.errors, "client errors (rejected events or unexpected answers)");
        int events = streamer.acknowledgedEvents.size();
        assertEquals(streamer.takenEvents.get(), events, "every event sent was acknowledged: " + streamer.summary());
        Map<String, ContactHistory> histories = Workload.histories(streamer.acknowledgedEvents.values());
        Checks.Result check = Checks.awaitScores(http, TENANT, workload.contacts, histories, model, majority,
                Duration.ofSeconds(60));
        long journalEvents = journal.contactEventsInJournal();
        String minorityLog = Files.readString(three.log);
        List<String> secondWriters = new ArrayList<>();
        for (JarNode node : nodes) {
            if (Files.readString(node.log).contains("duplicate key value violates unique constraint")) {
                secondWriters.add(node.name);
            }
        }
        System.out.printf("[partition] FIGURES partition 2|1: events=%d acknowledged=%d failed-attempts=%d "
                        + "(statuses %s) lost=%d double-counted=%d journal-events=%d | minority exited %d ms "
                        + "after the cut, every contact answered through the majority %d ms after it, "
                        + "journal writes refused as a second writer on %s%n",
                streamer.takenEvents.get(), events, streamer.failedAttempts.get(), streamer.failures,
                check.lost(), check.doubleCounted(), journalEvents, minorityGoneMs, answers.lastMs(),
                secondWriters);

        assertTrue(minorityLog.contains("SBR took decision") && minorityLog.contains("including myself"),
                "node 3 must have downed itself by its Split Brain Resolver:\n" + three.tail(30));
        assertEquals(0, check.mismatched(), check.firstMismatches());
        assertEquals(0, check.lost(), "lost events");
        assertEquals(0, check.doubleCounted(), "double-counted events");
        assertEquals(events, journalEvents, "contact events in the journal (each acknowledged event once)");
        assertEquals(List.of(), secondWriters, "nodes whose journal write met a row another node had written");
    }
}

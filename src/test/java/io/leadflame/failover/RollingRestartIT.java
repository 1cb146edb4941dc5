package io.leadflame.failover;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.leadflame.failover.Checks.REQUEST_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code java -jar target/leadflame.jar} nodes under a steady stream of events; each in turn
 * gets SIGTERM (it leaves the cluster, handing its shards over) and is replaced by a new node on
 * new ports, as a rolling deployment does. Every acknowledged event must be in the final scores
 * exactly once. Then a fourth node joins and shards rebalance onto it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollingRestartIT {

    private static final String TENANT = "/api/v1/tenants/rolling";
    private static final int CONTACTS = 300;
    /** More than the stream can send during the restarts even on a fast machine: it is stopped after them. */
    private static final int EVENTS_AVAILABLE = 40000;
    private static final int BATCH = 20;
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    /** From the fourth node's start until shards are spread again: a few rebalance rounds (10 s each). */
    private static final Duration BALANCED_WITHIN = Duration.ofSeconds(90);

    private final Http http = new Http();
    /** Every process this test started, for cleanup. */
    private final List<JarNode> started = new CopyOnWriteArrayList<>();
    /** The nodes clients send to: members that are not being stopped. */
    private final List<JarNode> live = new CopyOnWriteArrayList<>();
    private TestDatabase database;
    private Path logDir;

    @BeforeAll
    void startCluster() throws Exception {
        logDir = JarNode.logDir("rolling");
        database = TestDatabase.create();
        List<JarNode.Ports> ports = List.of(JarNode.Ports.free(), JarNode.Ports.free(), JarNode.Ports.free());
        started.addAll(JarNode.startCluster(ports, database.url(), logDir, http, READY_WITHIN));
        live.addAll(started);
    }

    @AfterAll
    void stopCluster() {
        JarNode.stopCluster(started, database);
    }

    /** Starts a node whose contact points are the live members and itself; returns once it is ready. */
    private JarNode startJoining(String name) {
        JarNode.Ports ports = JarNode.Ports.free();
        String contactPoints = live.stream().map(n -> "127.0.0.1:" + n.managementPort).collect(Collectors.joining(","))
                + ",127.0.0.1:" + ports.management();
        JarNode node = JarNode.start(name, ports, contactPoints, database.url(), logDir);
        started.add(node);
        Poll.until(READY_WITHIN, node + " ready", () -> node.ready(http), () -> node.tail(30));
        return node;
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void rollingRestartUnderLoadLosesNothingAndAFourthNodeTakesShards() throws Exception {
        String modelJson = Workload.model(1, 5, 6);
        ScoringModel model = Workload.parseModel(modelJson);
        HttpReply put = http.put(live.get(0).api(TENANT + "/model"), modelJson, REQUEST_TIMEOUT);
        assertEquals(200, put.status(), put.body());
        long version = put.json().get("version").asLong();
        for (JarNode node : live) {
            Checks.awaitRescoringDone(http, node, TENANT, version, -1, Duration.ofSeconds(30));
        }

        Workload workload = Workload.generate(1123L, CONTACTS, EVENTS_AVAILABLE);
        EventStreamer streamer = new EventStreamer(http, TENANT, EventStreamer.batches(workload.events, BATCH),
                () -> live, Duration.ofSeconds(300));
        // Paced (~200 events/s), streaming from before the first SIGTERM until the last replacement is ready.
        streamer.pace(300);
        long streamStart = System.nanoTime();
        streamer.start(3);
        Poll.until(Duration.ofSeconds(60), "the stream under way", () -> streamer.acknowledgedBatches.get() >= 30,
                streamer::summary);

        // --- rolling restart: SIGTERM one node at a time, start its replacement, wait until ready
        List<String> restarts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JarNode old = live.get(0);
            live.remove(old);
            long t0 = System.nanoTime();
            int exit = old.terminate(Duration.ofSeconds(60));
            long stoppedMs = (System.nanoTime() - t0) / 1_000_000;
            assertNotEquals(JarNode.KILLED_BY_SIGKILL, exit, old + " must stop by SIGTERM");
            JarNode replacement = startJoining("node-" + (4 + i) + "-replaces-" + old.name);
            live.add(replacement);
            long totalMs = (System.nanoTime() - t0) / 1_000_000;
            restarts.add(String.format("%s stopped (exit %d) in %d ms, %s ready %d ms after the SIGTERM",
                    old.name, exit, stoppedMs, replacement.name, totalMs));
            System.out.println("[rolling] " + restarts.get(restarts.size() - 1) + "; " + streamer.summary());
        }
        boolean underLoad = !streamer.finished();
        streamer.stop();
        assertTrue(underLoad, "the stream ended before the rolling restart did: " + streamer.summary());
        assertTrue(streamer.await(Duration.ofSeconds(120)), "stream not done: " + streamer.summary());
        long streamMs = (System.nanoTime() - streamStart) / 1_000_000;
        assertEquals(List.of(), streamer.errors);
        int events = streamer.acknowledgedEvents.size();
        assertEquals(streamer.takenEvents.get(), events, "every event sent was acknowledged: " + streamer.summary());
        Checks.printMembers(http, live.get(0), "after the rolling restart");
        assertEquals(3, Checks.members(http, live.get(0)).stream().filter(m -> m.endsWith(" Up")).count());

        // Every acknowledged event exactly once, in the scores and in the journal.
        Map<String, ContactHistory> histories = Workload.histories(streamer.acknowledgedEvents.values());
        Checks.Result check = Checks.awaitScores(http, TENANT, workload.contacts, histories, model, live,
                Duration.ofSeconds(60));
        assertEquals(0, check.mismatched(), check.firstMismatches());
        long journalEvents = database.contactEventsInJournal();
        assertEquals(events, journalEvents, "contact events in the journal");
        List<ObjectNode> sample = new ArrayList<>(streamer.acknowledgedEvents.values());
        Collections.shuffle(sample, new Random(11));
        sample = sample.subList(0, 200);
        HttpReply resent = http.post(live.get(1).api(TENANT + "/events"), "application/json",
                EventStreamer.array(sample), REQUEST_TIMEOUT);
        assertEquals(202, resent.status(), resent.body());
        assertEquals(0, resent.json().get("accepted").asInt(), resent.body());
        assertEquals(sample.size(), resent.json().get("duplicates").asInt(), resent.body());

        // --- a fourth node joins: shards are rebalanced onto it (remember-entities restarts them there)
        long joinStart = System.nanoTime();
        JarNode fourth = startJoining("node-7-joins");
        live.add(fourth);
        long joinedMs = (System.nanoTime() - joinStart) / 1_000_000;
        Poll.until(Duration.ofSeconds(30), "4 members Up",
                () -> Checks.members(http, fourth).stream().filter(m -> m.endsWith(" Up")).count() == 4,
                () -> "members " + safeMembers(fourth));
        long[] hosted = new long[1];
        Poll.until(Duration.ofSeconds(90), fourth.name + " hosts contacts", () -> {
            hosted[0] = Checks.hostedContacts(http, fourth);
            return hosted[0] > 0;
        }, () -> "hosted " + hosted[0]);
        long rebalancedMs = (System.nanoTime() - joinStart) / 1_000_000;
        // Each contact hosted exactly once (polled: a shard in hand-off is briefly on neither or both).
        List<String> perNode = new ArrayList<>();
        long[] total = new long[1];
        Poll.until(Duration.ofSeconds(30), "every contact hosted exactly once", () -> {
            perNode.clear();
            total[0] = 0;
            for (JarNode node : live) {
                long n = Checks.hostedContacts(http, node);
                total[0] += n;
                perNode.add(node.name + "=" + n);
            }
            return total[0] == CONTACTS;
        }, () -> "contacts per node " + perNode);
        // Shards spread evenly again: every node hosts at least half its fair share.
        long fairShare = CONTACTS / live.size();
        List<String> balanced = new ArrayList<>();
        Poll.until(BALANCED_WITHIN, "every node hosting at least half of its share of " + CONTACTS + " contacts", () -> {
            balanced.clear();
            long least = Long.MAX_VALUE;
            for (JarNode node : live) {
                long n = Checks.hostedContacts(http, node);
                least = Math.min(least, n);
                balanced.add(node.name + "=" + n);
            }
            return least >= fairShare / 2;
        }, () -> "contacts per node " + balanced);
        long balancedMs = (System.nanoTime() - joinStart) / 1_000_000;
        // The contacts still score exactly, read through the new node.
        Checks.Result afterJoin = Checks.awaitScores(http, TENANT, workload.contacts, histories, model, List.of(fourth),
                Duration.ofSeconds(60));
        assertEquals(0, afterJoin.mismatched(), afterJoin.firstMismatches());
        System.out.printf("[rolling] FIGURES rolling restart: events=%d requests=%d acknowledged=%d failed-attempts=%d "
                        + "(%s) lost=%d double-counted=%d journal-events=%d stream=%d ms; %s | fourth node ready %d ms, "
                        + "hosting contacts %d ms after start; contacts per node %s (total %d); balanced %d ms after "
                        + "its start: %s%n",
                events, streamer.requests.get(), streamer.acknowledgedEvents.size(), streamer.failedAttempts.get(),
                streamer.failures, check.lost(), check.doubleCounted(), journalEvents, streamMs, restarts, joinedMs,
                rebalancedMs, perNode, total[0], balancedMs, balanced);
        assertEquals(0, check.lost());
        assertEquals(0, check.doubleCounted());
    }

    private String safeMembers(JarNode node) {
        try {
            return String.valueOf(Checks.members(http, node));
        } catch (Exception e) {
            return e.toString();
        }
    }
}

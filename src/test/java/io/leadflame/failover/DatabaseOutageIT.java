package io.leadflame.failover;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.ScoringModel;
import io.leadflame.testing.HttpReply;
import io.leadflame.testing.TcpProxy;
import io.leadflame.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's database unavailable for 30 s while events stream in: one node
 * ({@code java -jar target/leadflame.jar}, PostgreSQL journal) reaches PostgreSQL through a TCP
 * relay that the test cuts (every connection closed, new ones refused), as when the database
 * server goes down, then restores. Writes must be refused quickly with 503 and Retry-After (not
 * after the 60 s write timeout), /health/ready must say not ready while it lasts, the node must
 * recover by itself, and every acknowledged event must be in the final scores exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageIT {

    private static final String TENANT = "/api/v1/tenants/outage";
    private static final int CONTACTS = 200;
    /** More than the stream sends until the node accepts writes again: it is stopped then. */
    private static final int EVENTS_AVAILABLE = 20000;
    /** Events acknowledged before the cut. */
    private static final int CUT_AFTER = 1000;
    private static final int BATCH = 20;
    private static final int CLIENT_THREADS = 3;
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    /**
     * A refusal must come well before the write timeout (60 s): the journal watch finds a
     * database that refuses connections down in ~1–2 s (two failed probes a second apart), one
     * that no longer answers at all in up to ~6 s (each probe bounded to 2 s).
     */
    private static final Duration QUICK_REFUSAL = Duration.ofSeconds(10);
    private static final Duration RECOVERED_WITHIN = Duration.ofSeconds(60);

    private final Http http = new Http();
    private TestDatabase database;
    private TcpProxy proxy;
    private JarNode node;

    @BeforeAll
    void startNode() throws IOException {
        Path logDir = JarNode.logDir("database-outage");
        database = TestDatabase.create();
        proxy = TcpProxy.to("127.0.0.1", 5432);
        String viaProxy = database.url().replace("127.0.0.1:5432/", "127.0.0.1:" + proxy.port() + "/");
        node = JarNode.startStandalone("node", JarNode.Ports.free(), viaProxy, logDir);
        Poll.until(Duration.ofSeconds(90), node + " ready", () -> node.ready(http), () -> node.tail(30));
    }

    @AfterAll
    void stop() {
        JarNode.stopCluster(node == null ? List.of() : List.of(node), database);
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aDatabaseOutageIsRefusedQuicklyAndNothingAcknowledgedIsLost() throws Exception {
        String modelJson = Workload.model(1, 5, 6);
        ScoringModel model = Workload.parseModel(modelJson);
        HttpReply put = http.put(node.api(TENANT + "/model"), modelJson, Checks.REQUEST_TIMEOUT);
        assertEquals(200, put.status(), put.body());
        Checks.awaitRescoringDone(http, node, TENANT, put.json().get("version").asLong(), -1,
                Duration.ofSeconds(30));

        Workload workload = Workload.generate(20261205L, CONTACTS, EVENTS_AVAILABLE);
        EventStreamer streamer = new EventStreamer(http, TENANT, EventStreamer.batches(workload.events, BATCH),
                () -> List.of(node), Duration.ofSeconds(180));
        // Paced, so that the stream outlasts the outage and meets it from every side.
        streamer.pace(100);
        streamer.start(CLIENT_THREADS);
        Poll.until(Duration.ofSeconds(60), CUT_AFTER + " events acknowledged",
                () -> streamer.acknowledgedEvents.size() >= CUT_AFTER, streamer::summary);

        proxy.cut();
        long cutAt = System.nanoTime();
        int ackedAtCut = streamer.acknowledgedEvents.size();
        Poll.until(Duration.ofSeconds(15), "/health/ready answers 503 while the database is down",
                () -> readyStatus() == 503, () -> node.tail(20));
        long notReadyMs = (System.nanoTime() - cutAt) / 1_000_000;
        HttpReply ready = http.get(node.api("/health/ready"), Duration.ofSeconds(10));
        System.out.printf("[outage] database cut with %d events acknowledged; not ready %d ms later: %s%n",
                ackedAtCut, notReadyMs, ready.body());

        Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - cutAt) / 1_000_000));
        int ackedDuringOutage = streamer.acknowledgedEvents.size() - ackedAtCut;
        long refusedDuringOutage = streamer.failedAttempts.get();
        proxy.restore();
        long restoredAt = System.nanoTime();
        Poll.until(RECOVERED_WITHIN, "ready again after the database is back", () -> readyStatus() == 200,
                () -> node.tail(20));
        long readyAgainMs = (System.nanoTime() - restoredAt) / 1_000_000;
        int ackedAtRestore = streamer.acknowledgedEvents.size();
        Poll.until(RECOVERED_WITHIN, "events acknowledged again after the database is back",
                () -> streamer.acknowledgedEvents.size() > ackedAtRestore || streamer.finished(), streamer::summary);
        long acceptingAgainMs = (System.nanoTime() - restoredAt) / 1_000_000;
        boolean underLoad = !streamer.finished();
        streamer.stop();
        assertTrue(underLoad, "the stream ended before the node accepted writes again: " + streamer.summary());

        assertTrue(streamer.await(Duration.ofSeconds(120)), "stream not done: " + streamer.summary());
        assertEquals(List.of(), streamer.errors, "client errors (rejected events or unexpected answers)");
        int events = streamer.acknowledgedEvents.size();
        assertEquals(streamer.takenEvents.get(), events, "every event sent was acknowledged: " + streamer.summary());

        Map<String, ContactHistory> histories = Workload.histories(streamer.acknowledgedEvents.values());
        Checks.Result check = Checks.awaitScores(http, TENANT, workload.contacts, histories, model, List.of(node),
                Duration.ofSeconds(60));
        long journalEvents = database.contactEventsInJournal();
        System.out.printf("[outage] FIGURES database-outage: outage=%d s, events=%d acknowledged=%d "
                        + "(during the outage %d), refused attempts=%d (statuses %s), slowest refusal=%d ms, "
                        + "refusals without Retry-After=%d, not ready %d ms after the cut, ready again %d ms and "
                        + "accepting again %d ms after the restore, lost=%d double-counted=%d journal-events=%d%n",
                OUTAGE.toSeconds(), streamer.takenEvents.get(), events, ackedDuringOutage,
                refusedDuringOutage, streamer.failures, streamer.slowestRefusalMillis.get(),
                streamer.refusalsWithoutRetryAfter.get(), notReadyMs, readyAgainMs, acceptingAgainMs, check.lost(),
                check.doubleCounted(), journalEvents);

        assertEquals(0, check.mismatched(), check.firstMismatches());
        assertEquals(0, check.lost(), "lost events");
        assertEquals(0, check.doubleCounted(), "double-counted events");
        assertEquals(events, journalEvents, "contact events in the journal (each acknowledged event once)");
        assertTrue(refusedDuringOutage > 0, "the outage must have met requests: " + streamer.summary());
        assertEquals(Set.of("503"), streamer.failures.keySet(),
                "during the outage every write must be answered 503, none time out: " + streamer.summary());
        assertEquals(0, streamer.refusalsWithoutRetryAfter.get(), "a 503 without Retry-After");
        assertTrue(streamer.slowestRefusalMillis.get() <= QUICK_REFUSAL.toMillis(),
                "the slowest refusal took " + streamer.slowestRefusalMillis.get() + " ms");
    }

    private int readyStatus() {
        try {
            return http.get(node.api("/health/ready"), Duration.ofSeconds(10)).status();
        } catch (IOException e) {
            return -1;
        }
    }
}

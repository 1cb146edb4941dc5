package io.leadflame.failover;

import io.leadflame.testing.HttpReply;
import io.leadflame.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three nodes on one PostgreSQL journal; a node that is not the shard coordinator's is SIGKILLed,
 * and new contacts are sent at once through a survivor, while the dead node is still a member
 * (unreachable, not yet downed). Their shards are new: each needs the coordinator to record an
 * allocation. Every one of them must be answered 202, none lost or refused; how long after the
 * kill is printed (issue 15's goal is "at once"; today they wait for the failover, DECISIONS.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NewContactsDuringFailoverIT {

    private static final String TENANT = "/api/v1/tenants/newcomers";
    private static final int NEW_CONTACTS = 30;
    private static final Duration FORMED_WITHIN = Duration.ofSeconds(90);
    /** Well inside the failover itself (~20 s, KillNineFailoverIT): what "served at once" is counted as. */
    private static final Duration QUICK = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Http http = new Http();
    private final List<JarNode> nodes = new ArrayList<>();
    private TestDatabase database;

    @BeforeAll
    void startCluster() {
        Path logDir;
        try {
            logDir = JarNode.logDir("new-contacts-failover");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        database = TestDatabase.create();
        // The lowest management port forms the cluster and is the oldest member (the coordinator):
        // node 1 here, so the node killed, node 3, is not the coordinator's.
        List<JarNode.Ports> ports = new ArrayList<>(List.of(JarNode.Ports.free(), JarNode.Ports.free(),
                JarNode.Ports.free()));
        ports.sort(Comparator.comparingInt(JarNode.Ports::management));
        nodes.addAll(JarNode.startCluster(ports, database.url(), logDir, http, FORMED_WITHIN));
    }

    @AfterAll
    void stopCluster() {
        JarNode.stopCluster(nodes, database);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void newContactsAreServedWhileAKilledNodeIsStillAMember() throws Exception {
        JarNode one = nodes.get(0);
        JarNode three = nodes.get(2);
        Poll.until(Duration.ofSeconds(10), "node 1 is the oldest member", () -> one.isOldest(http, one),
                () -> "node 1 is " + one);
        HttpReply put = http.put(one.api(TENANT + "/model"), """
                {"idealScore": 10, "rules": [{"id": "visit", "name": "Each visit", "points": 1, "count": "each",
                  "criterion": {"type": "activity", "activity": "page_visited"}}]}""", REQUEST_TIMEOUT);
        assertEquals(200, put.status(), put.body());

        assertEquals(JarNode.KILLED_BY_SIGKILL, three.kill9());
        long killedAt = System.nanoTime();
        // All at once, each in its own request: one waiting for the failover must not hold up the others.
        ExecutorService clients = Executors.newFixedThreadPool(NEW_CONTACTS);
        List<Long> answeredMs;
        try {
            List<Future<Long>> answers = new ArrayList<>();
            for (int c = 0; c < NEW_CONTACTS; c++) {
                int contact = c;
                answers.add(clients.submit(() -> {
                    HttpReply r = http.post(one.api(TENANT + "/events"), "application/x-ndjson",
                            "{\"eventId\": \"n-" + contact + "\", \"contactId\": \"newcomer-" + contact
                                    + "\", \"type\": \"page_visited\"}\n", REQUEST_TIMEOUT);
                    assertEquals(202, r.status(), "newcomer-" + contact + ": " + r.body());
                    return (System.nanoTime() - killedAt) / 1_000_000;
                }));
            }
            answeredMs = new ArrayList<>();
            for (Future<Long> answer : answers) {
                answeredMs.add(answer.get());
            }
        } finally {
            clients.shutdownNow();
        }
        long quick = answeredMs.stream().filter(ms -> ms <= QUICK.toMillis()).count();
        long windowMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf("[failover] FIGURES new contacts sent at the kill of node 3: %d of %d answered 202 within "
                + "%d ms of the kill; all %d within %d ms; each answer at (ms after the kill) %s%n", quick, NEW_CONTACTS,
                QUICK.toMillis(), NEW_CONTACTS, windowMs, answeredMs);
    }
}

package io.leadflame.failover;

import io.leadflame.contact.ContactEntity;
import io.leadflame.contact.ContactShards;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes on one PostgreSQL journal; a node that is not the shard coordinator's is SIGKILLed.
 * New contacts are sent through a survivor at the kill (before anyone knows: some of their shards
 * are placed on the dead node and those messages are lost) and again once the survivors see it
 * unreachable (it is still a member, not yet downed: the failover has just begun), into shards
 * not used before. Every one must be answered 202: the second ones within a few seconds, not
 * after the failover (placing a shard needs a majority of the nodes, not all, and never picks an
 * unreachable one); the first ones once the failover is done, not at the write timeout (the
 * edge resends a contact's part while a node is lost). DECISIONS.md, "New contacts during a
 * failover".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NewContactsDuringFailoverIT {

    private static final String TENANT_ID = "newcomers";
    private static final String TENANT = "/api/v1/tenants/" + TENANT_ID;
    private static final int NEW_CONTACTS = 30;
    private static final Duration FORMED_WITHIN = Duration.ofSeconds(90);
    /** Well inside the failover itself (~17 s, KillNineFailoverIT): what "served at once" means. */
    private static final Duration QUICK = Duration.ofSeconds(5);
    /** The failover (~17 s) and a resend's back-off, well before the write timeout (60 s). */
    private static final Duration AT_THE_KILL_WITHIN = Duration.ofSeconds(35);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(75);

    private final Http http = new Http();
    private final List<JarNode> nodes = new ArrayList<>();
    private final Set<Integer> shardsSentTo = new HashSet<>();
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

        ExecutorService clients = Executors.newFixedThreadPool(2 * NEW_CONTACTS);
        try {
            assertEquals(JarNode.KILLED_BY_SIGKILL, three.kill9());
            long killedAt = System.nanoTime();
            // Sent before anyone knows: some of their shards are placed on the dead node, and
            // those messages are lost there. Each is resent once the node is seen unreachable,
            // and reaches the shard's new home after the failover.
            List<Future<Long>> atTheKill = sendNewContacts(clients, one, "at-kill", killedAt);
            Poll.until(Duration.ofSeconds(20), "node 1 sees node 3 unreachable", () -> unreachableSeenBy(one) > 0,
                    () -> "node 1 still sees everyone reachable");
            long unreachableMs = (System.nanoTime() - killedAt) / 1_000_000;
            long sentAt = System.nanoTime();
            List<Long> duringMs = answered(sendNewContacts(clients, one, "during", sentAt));
            long stillUnreachable = unreachableSeenBy(one);
            List<Long> atTheKillMs = answered(atTheKill);
            long slowestDuring = duringMs.stream().mapToLong(Long::longValue).max().orElseThrow();
            long slowestAtTheKill = atTheKillMs.stream().mapToLong(Long::longValue).max().orElseThrow();
            System.out.printf("[failover] FIGURES new contacts during a failover: node 3 unreachable %d ms after "
                            + "its kill; %d new contacts sent then all answered 202, the slowest %d ms after sending "
                            + "(each, ms: %s), the killed node still unreachable (not yet downed) afterwards: %s; "
                            + "%d sent at the kill all answered 202, the slowest %d ms after it (each: %s)%n",
                    unreachableMs, NEW_CONTACTS, slowestDuring, duringMs, stillUnreachable > 0, NEW_CONTACTS,
                    slowestAtTheKill, atTheKillMs);
            assertTrue(slowestDuring <= QUICK.toMillis(), "new contacts must not wait for the failover: answered "
                    + "after " + duringMs + " ms");
            assertTrue(slowestAtTheKill <= AT_THE_KILL_WITHIN.toMillis(), "contacts sent at the kill must be "
                    + "served once the failover is done, not at the write timeout: " + atTheKillMs + " ms");
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * {@link #NEW_CONTACTS} contacts never seen, each in its own request, all at once (one waiting
     * must not hold up the others), none in a shard that earlier ones were sent to: a shard the
     * contacts sent at the kill may have placed on the dead node waits for the failover, whoever
     * is sent to it.
     */
    private List<Future<Long>> sendNewContacts(ExecutorService clients, JarNode node, String prefix, long from) {
        List<Future<Long>> answers = new ArrayList<>();
        for (int c = 0; answers.size() < NEW_CONTACTS; c++) {
            String contact = prefix + "-" + c;
            if (!shardsSentTo.add(shardOf(contact))) {
                continue;
            }
            answers.add(clients.submit(() -> {
                HttpReply r = http.post(node.api(TENANT + "/events"), "application/x-ndjson",
                        "{\"eventId\": \"e-" + contact + "\", \"contactId\": \"" + contact
                                + "\", \"type\": \"page_visited\"}\n", REQUEST_TIMEOUT);
                assertEquals(202, r.status(), contact + ": " + r.body());
                return (System.nanoTime() - from) / 1_000_000;
            }));
        }
        return answers;
    }

    /** The shard of a contact in a new cluster: its entity id's hash modulo the shard count (Pekko's rule). */
    private static int shardOf(String contactId) {
        return Math.abs(ContactEntity.entityId(TENANT_ID, contactId).hashCode() % ContactShards.NEW_CLUSTER);
    }

    private static List<Long> answered(List<Future<Long>> answers) throws Exception {
        List<Long> ms = new ArrayList<>();
        for (Future<Long> answer : answers) {
            ms.add(answer.get());
        }
        return ms;
    }

    /** How many members {@code node} sees as unreachable. */
    private long unreachableSeenBy(JarNode node) throws java.io.IOException {
        return http.get(node.management("/cluster/members"), REQUEST_TIMEOUT).json().path("unreachable").size();
    }
}

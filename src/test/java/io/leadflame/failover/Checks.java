package io.leadflame.failover;

import io.leadflame.testing.HttpReply;
import com.fasterxml.jackson.databind.JsonNode;
import io.leadflame.scoring.ContactHistory;
import io.leadflame.scoring.ScoringModel;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The checks the failover tests share: exact scores of every contact, rescoring, membership. */
final class Checks {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private Checks() {
    }

    /** How every contact compared with its expected score; lost and doubled count per-event rules. */
    record Result(int mismatched, long lost, long doubleCounted, String firstMismatches) {
    }

    /**
     * Compares every contact with its expected score (through the given nodes in turn), polling
     * until all match or {@code within} has passed (a single pass when zero).
     */
    static Result awaitScores(Http http, String tenant, List<String> contacts, Map<String, ContactHistory> histories,
                              ScoringModel model, List<JarNode> via, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        Result last;
        do {
            int mismatched = 0;
            long lost = 0;
            long doubled = 0;
            StringBuilder first = new StringBuilder();
            for (int i = 0; i < contacts.size(); i++) {
                String id = contacts.get(i);
                ContactHistory h = histories.getOrDefault(id, ContactHistory.EMPTY);
                String expected = Workload.expected(model, h);
                JsonNode actual;
                try {
                    actual = contact(http, via.get(i % via.size()), tenant, id);
                } catch (AssertionError | IOException e) {
                    mismatched++;
                    if (first.length() < 2000) {
                        first.append(id).append(": ").append(e.getMessage()).append('\n');
                    }
                    continue;
                }
                for (String rule : Workload.COUNT_EACH_RULES) {
                    int diff = Workload.actualMatches(actual, rule) - Workload.expectedMatches(model, h, rule);
                    lost += Math.max(0, -diff);
                    doubled += Math.max(0, diff);
                }
                String got = Workload.actual(actual);
                if (!expected.equals(got)) {
                    mismatched++;
                    if (first.length() < 2000) {
                        first.append(id).append(": expected ").append(expected).append("\n   but got ").append(got)
                                .append('\n');
                    }
                }
            }
            last = new Result(mismatched, lost, doubled, first.toString());
            if (mismatched == 0) {
                return last;
            }
            Thread.sleep(500);
        } while (System.nanoTime() - end < 0);
        return last;
    }

    static JsonNode contact(Http http, JarNode node, String tenant, String id) throws IOException {
        HttpReply r = http.get(node.api(tenant + "/contacts/" + id), REQUEST_TIMEOUT);
        if (r.status() != 200) {
            throw new AssertionError(node.name + " answered " + r.status() + " " + r.body());
        }
        return r.json();
    }

    /** Polls {@code GET /model/rescoring} until {@code version} is done (over {@code contacts} contacts, unless negative). */
    static JsonNode awaitRescoringDone(Http http, JarNode node, String tenant, long version, int contacts,
                                       Duration within) {
        JsonNode[] last = new JsonNode[1];
        Poll.until(within, node + " rescoring v" + version + " done", () -> {
            HttpReply r = http.get(node.api(tenant + "/model/rescoring"), REQUEST_TIMEOUT);
            if (r.status() != 200) {
                return false;
            }
            last[0] = r.json();
            return last[0].get("version").asLong() == version && last[0].get("done").asBoolean()
                    && (contacts < 0 || last[0].get("contacts").asLong() == contacts);
        }, () -> String.valueOf(last[0]));
        return last[0];
    }

    /** The members and their status from the management port's {@code /cluster/members}. */
    static List<String> members(Http http, JarNode node) throws IOException {
        JsonNode j = http.get(node.management("/cluster/members"), REQUEST_TIMEOUT).json();
        List<String> members = new ArrayList<>();
        j.get("members").forEach(m -> members.add(m.get("node").asText() + " " + m.get("status").asText()));
        return members;
    }

    static void printMembers(Http http, JarNode node, String when) {
        try {
            JsonNode j = http.get(node.management("/cluster/members"), REQUEST_TIMEOUT).json();
            System.out.printf("[failover] cluster %s (via %s): members %s, unreachable %s, oldest %s, leader %s%n",
                    when, node.name, members(http, node), j.get("unreachable"), j.get("oldest"), j.get("leader"));
        } catch (Exception e) {
            System.out.printf("[failover] cluster members %s: %s%n", when, e);
        }
    }

    /** Contact entities hosted by this node, from its management port's {@code /cluster/shards/Contact}. */
    static long hostedContacts(Http http, JarNode node) throws IOException {
        HttpReply r = http.get(node.management("/cluster/shards/Contact"), REQUEST_TIMEOUT);
        if (r.status() != 200) {
            throw new IOException(node.name + " /cluster/shards/Contact answered " + r.status() + " " + r.body());
        }
        long n = 0;
        for (JsonNode region : r.json().path("regions")) {
            n += region.path("numEntities").asLong();
        }
        return n;
    }
}

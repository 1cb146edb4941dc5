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
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
        // Several requests at once: a pass over 100,000 contacts one by one would take minutes.
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            Result last;
            do {
                last = comparePass(http, tenant, contacts, histories, model, via, pool);
                if (last.mismatched() == 0) {
                    return last;
                }
                Thread.sleep(500);
            } while (System.nanoTime() - end < 0);
            return last;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Result comparePass(Http http, String tenant, List<String> contacts,
                                      Map<String, ContactHistory> histories, ScoringModel model, List<JarNode> via,
                                      ExecutorService pool) throws InterruptedException {
        AtomicInteger mismatched = new AtomicInteger();
        AtomicLong lost = new AtomicLong();
        AtomicLong doubled = new AtomicLong();
        StringBuffer first = new StringBuffer();
        List<Callable<Void>> checks = new ArrayList<>();
        for (int i = 0; i < contacts.size(); i++) {
            String id = contacts.get(i);
            JarNode node = via.get(i % via.size());
            checks.add(() -> {
                ContactHistory h = histories.getOrDefault(id, ContactHistory.EMPTY);
                String expected = Workload.expected(model, h);
                JsonNode actual;
                try {
                    actual = contact(http, node, tenant, id);
                } catch (AssertionError | IOException e) {
                    mismatched.incrementAndGet();
                    if (first.length() < 2000) {
                        first.append(id).append(": ").append(e.getMessage()).append('\n');
                    }
                    return null;
                }
                for (String rule : Workload.COUNT_EACH_RULES) {
                    int diff = Workload.actualMatches(actual, rule) - Workload.expectedMatches(model, h, rule);
                    lost.addAndGet(Math.max(0, -diff));
                    doubled.addAndGet(Math.max(0, diff));
                }
                String got = Workload.actual(actual);
                if (!expected.equals(got)) {
                    mismatched.incrementAndGet();
                    if (first.length() < 2000) {
                        first.append(id).append(": expected ").append(expected).append("\n   but got ").append(got)
                                .append('\n');
                    }
                }
                return null;
            });
        }
        for (Future<Void> done : pool.invokeAll(checks)) {
            try {
                done.get();
            } catch (ExecutionException e) {
                throw new AssertionError("comparing a contact failed", e.getCause());
            }
        }
        return new Result(mismatched.get(), lost.get(), doubled.get(), first.toString());
    }

    /**
     * When each contact first answered 200: {@code answered} of them within the time allowed,
     * the last {@code lastMs} after the start, and those slower than 2 s (the ones that had to
     * move: the first and the median of them).
     */
    record FirstAnswers(int answered, long lastMs, int slow, long firstSlowMs, long medianSlowMs) {
        @Override
        public String toString() {
            return "every contact answered 200 through the survivors " + lastMs + " ms (" + answered
                    + " answered; " + slow + " took more than 2 s: first " + firstSlowMs + " ms, median "
                    + medianSlowMs + " ms)";
        }
    }

    /**
     * Polls every contact through {@code via} until each has answered 200 once, or until
     * {@code within} after {@code since} ({@link System#nanoTime()}). 32 pollers take the contacts
     * due next (a request bounded to 2 s; a contact that did not answer 200 is due again 250 ms
     * later), so a request lost to a dead node delays only its own contact's next try.
     */
    static FirstAnswers awaitEveryContactAnswers(Http http, String tenant, List<String> contacts, List<JarNode> via,
                                                 long since, Duration within) throws InterruptedException {
        ConcurrentMap<String, Long> answeredAt = new ConcurrentHashMap<>();
        long deadline = since + within.toNanos();
        DelayQueue<DueContact> due = new DelayQueue<>();
        for (int i = 0; i < contacts.size(); i++) {
            due.add(new DueContact(contacts.get(i), i, System.nanoTime()));
        }
        ExecutorService pollers = Executors.newFixedThreadPool(32);
        try {
            for (int p = 0; p < 32; p++) {
                pollers.execute(() -> {
                    while (answeredAt.size() < contacts.size() && System.nanoTime() - deadline < 0) {
                        DueContact next;
                        try {
                            next = due.poll(100, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (next == null) {
                            continue;
                        }
                        JarNode node = via.get(next.attempt() % via.size());
                        try {
                            if (http.get(node.api(tenant + "/contacts/" + next.id()), Duration.ofSeconds(2))
                                    .status() == 200) {
                                answeredAt.putIfAbsent(next.id(), System.nanoTime());
                                continue;
                            }
                        } catch (IOException e) {
                            // refused, reset or timed out: try again
                        }
                        due.add(new DueContact(next.id(), next.attempt() + 1,
                                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250)));
                    }
                });
            }
        } finally {
            pollers.shutdown();
        }
        pollers.awaitTermination(Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(5),
                TimeUnit.NANOSECONDS);
        long last = answeredAt.values().stream().mapToLong(Long::longValue).max().orElse(since);
        long[] slow = answeredAt.values().stream().mapToLong(t -> (t - since) / 1_000_000)
                .filter(ms -> ms > 2_000).sorted().toArray();
        return new FirstAnswers(answeredAt.size(), (last - since) / 1_000_000, slow.length,
                slow.length == 0 ? 0 : slow[0], slow.length == 0 ? 0 : slow[slow.length / 2]);
    }

    /** A contact to ask again at {@code dueNanos} ({@link System#nanoTime()}). */
    private record DueContact(String id, int attempt, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((DueContact) other).dueNanos);
        }
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

package io.leadflame.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * A closed-model load: N connections, each sending its next request as soon as the previous one
 * is answered, for a warm-up and then a measured window: the highest rate the server sustains
 * with that many requests in flight. Also runs a finite job (creating or seeding contacts) to the
 * end, resending what was not answered 202.
 */
final class ClosedLoad {

    private static final byte[] ACCEPTED_KEY = "\"accepted\":".getBytes(StandardCharsets.US_ASCII);
    /**
     * Every {@code accepted} of every 202 this generator received (all loads, warm-ups included):
     * compared with the server's own count and its journal at the end of a phase.
     */
    static final LongAdder ACCEPTED = new LongAdder();
    private static final byte[] DUPLICATES_KEY = "\"duplicates\":".getBytes(StandardCharsets.US_ASCII);
    /**
     * Every {@code duplicates} of every 202: the generator never sends an event id twice except
     * when it resends a request that was not answered 202 (creating and seeding contacts), whose
     * events may have been persisted all the same. Journal rows = accepted + duplicates.
     */
    static final LongAdder DUPLICATES = new LongAdder();
    /** The server's own ask timeout is 10 s; a request still unanswered after this is lost. */
    private static final int TIMEOUT_MILLIS = 60_000;

    /** What one connection sends next; {@code -1} when a finite job has nothing left. */
    interface Requests {
        int next(RequestWriter writer);
    }

    /**
     * Counts of a window. {@code events} are those in requests answered 202 (the durable ones);
     * {@code accepted} sums the answers' {@code accepted} (new events: lower when some were
     * duplicates); {@code failures} counts every other outcome by status or exception.
     */
    record Outcome(double seconds, long requests, long events, long accepted, Map<String, Long> failures) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double requestsPerSecond() {
            return requests / seconds;
        }

        long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private ClosedLoad() {
    }

    /** Adds the last answer's (a 202's) accepted and duplicates to the run's totals; returns its accepted. */
    static long countAcknowledged(HttpConnection connection) {
        long accepted = Math.max(0, connection.numberAfter(ACCEPTED_KEY));
        ACCEPTED.add(accepted);
        DUPLICATES.add(Math.max(0, connection.numberAfter(DUPLICATES_KEY)));
        return accepted;
    }

    /** Runs {@code connections} for {@code warmup}, then counts a window of {@code window}. */
    static Outcome measure(Endpoint target, int connections, IntFunction<Requests> perConnection, Duration warmup,
                           Duration window) throws InterruptedException {
        List<Worker> workers = start(target, connections, perConnection, false);
        try {
            Thread.sleep(warmup.toMillis());
            Snapshot before = Snapshot.of(workers);
            Thread.sleep(window.toMillis());
            Snapshot after = Snapshot.of(workers);
            return after.minus(before);
        } finally {
            stop(workers);
        }
    }

    /** Runs a finite job to its end on {@code connections}; a request not answered 202 is sent again. */
    static Outcome drain(Endpoint target, int connections, IntFunction<Requests> perConnection)
            throws InterruptedException {
        List<Worker> workers = start(target, connections, perConnection, true);
        Snapshot before = Snapshot.of(workers);
        for (Worker w : workers) {
            w.thread.join();
        }
        for (Worker w : workers) {
            if (w.fatal != null) {
                throw new IllegalStateException("seeding failed: " + w.fatal);
            }
        }
        return Snapshot.of(workers).minus(before);
    }

    private static List<Worker> start(Endpoint target, int connections, IntFunction<Requests> perConnection,
                                      boolean retry) {
        List<Worker> workers = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            Worker w = new Worker(target, perConnection.apply(i), new RequestWriter(31L * i + 17), retry);
            w.thread = new Thread(w, "load-" + i);
            w.thread.setDaemon(true);
            workers.add(w);
        }
        workers.forEach(w -> w.thread.start());
        return workers;
    }

    private static void stop(List<Worker> workers) throws InterruptedException {
        workers.forEach(w -> w.running = false);
        for (Worker w : workers) {
            w.thread.join(TIMEOUT_MILLIS + 5_000L);
        }
    }

    private static final class Worker implements Runnable {
        final HttpConnection connection;
        final Requests requests;
        final RequestWriter writer;
        final boolean retry;
        Thread thread;
        volatile boolean running = true;
        volatile String fatal;
        // Written by this worker only, read by the thread taking snapshots.
        volatile long ok;
        volatile long events;
        volatile long accepted;
        final Map<String, Long> failures = new TreeMap<>();

        Worker(Endpoint target, Requests requests, RequestWriter writer, boolean retry) {
            this.connection = new HttpConnection(target.host(), target.port(), TIMEOUT_MILLIS);
            this.requests = requests;
            this.writer = writer;
            this.retry = retry;
        }

        @Override
        public void run() {
            try {
                int length;
                while (running && (length = requests.next(writer)) >= 0) {
                    int eventsInRequest = writer.events();
                    int attempts = 0;
                    while (!send(length, eventsInRequest) && retry) {
                        if (++attempts == 10) {
                            fatal = "a request was not answered 202 after 10 attempts: " + failuresText();
                            return;
                        }
                        Thread.sleep(500);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                connection.close();
            }
        }

        private boolean send(int length, int eventsInRequest) {
            String failure;
            try {
                int status = connection.exchange(writer.buffer(), length);
                if (status == 202) {
                    accepted += countAcknowledged(connection);
                    events += eventsInRequest;
                    ok++;
                    return true;
                }
                failure = "HTTP " + status;
            } catch (IOException e) {
                failure = e.getClass().getSimpleName();
            }
            synchronized (failures) {
                failures.merge(failure, 1L, Long::sum);
            }
            return false;
        }

        private String failuresText() {
            synchronized (failures) {
                return failures.toString();
            }
        }
    }

    private record Snapshot(long nanos, long requests, long events, long accepted, Map<String, Long> failures) {
        static Snapshot of(List<Worker> workers) {
            long requests = 0;
            long events = 0;
            long accepted = 0;
            Map<String, Long> failures = new TreeMap<>();
            for (Worker w : workers) {
                requests += w.ok;
                events += w.events;
                accepted += w.accepted;
                synchronized (w.failures) {
                    w.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
                }
            }
            return new Snapshot(System.nanoTime(), requests, events, accepted, failures);
        }

        Outcome minus(Snapshot before) {
            Map<String, Long> failed = new TreeMap<>(failures);
            before.failures.forEach((k, v) -> failed.merge(k, -v, Long::sum));
            failed.values().removeIf(v -> v == 0);
            return new Outcome((nanos - before.nanos) / 1e9, requests - before.requests, events - before.events,
                    accepted - before.accepted, failed);
        }
    }
}

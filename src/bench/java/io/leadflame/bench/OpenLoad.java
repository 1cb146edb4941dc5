package io.leadflame.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * An open-model load for latency: requests are due on a fixed schedule at {@code rate} per second,
 * whatever the server does, spread round-robin over the connections (request k on connection
 * k mod N). Each latency is measured from the request's <em>intended</em> send time, not from when
 * it could be sent: when the server stalls, the requests queued behind the stall are charged the
 * whole wait (coordinated omission corrected, as wrk2 does), so the percentiles are those a
 * client sending at that rate would see.
 */
final class OpenLoad {

    private static final int TIMEOUT_MILLIS = 60_000;
    /** Microseconds up to an hour, three significant digits (0.1 % resolution). */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    /**
     * One run's latencies in microseconds (every answer, 202 or not) and its counts.
     * {@code achievedPerSecond}: 202 answers over the time from the first intended send to the
     * last answer.
     */
    record Outcome(double offeredPerSecond, double achievedPerSecond, long answered, long failed, Histogram micros) {
    }

    private OpenLoad() {
    }

    static Outcome run(Endpoint target, int connections, double rate, Duration duration,
                       IntFunction<ClosedLoad.Requests> perConnection) throws InterruptedException {
        // Start a little later than now so every thread is parked before its first due time.
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long end = start + duration.toNanos();
        double intervalNanos = 1e9 / rate;
        AtomicLong lastAnswer = new AtomicLong(start);
        List<Sender> senders = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            Sender s = new Sender(target, perConnection.apply(i), new RequestWriter(977L * i + 5), i, connections,
                    start, end, intervalNanos, lastAnswer);
            s.thread = new Thread(s, "latency-" + i);
            s.thread.setDaemon(true);
            senders.add(s);
        }
        senders.forEach(s -> s.thread.start());
        Histogram all = new Histogram(HIGHEST_MICROS, 3);
        long answered = 0;
        long failed = 0;
        for (Sender s : senders) {
            s.thread.join();
            all.add(s.histogram);
            answered += s.answered;
            failed += s.failed;
        }
        double seconds = (lastAnswer.get() - start) / 1e9;
        return new Outcome(rate, (answered - failed) / seconds, answered, failed, all);
    }

    private static final class Sender implements Runnable {
        final HttpConnection connection;
        final ClosedLoad.Requests requests;
        final RequestWriter writer;
        final int index;
        final int connections;
        final long start;
        final long end;
        final double intervalNanos;
        final AtomicLong lastAnswer;
        final Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
        Thread thread;
        long answered;
        long failed;

        Sender(Endpoint target, ClosedLoad.Requests requests, RequestWriter writer, int index, int connections,
               long start, long end, double intervalNanos, AtomicLong lastAnswer) {
            this.connection = new HttpConnection(target.host(), target.port(), TIMEOUT_MILLIS);
            this.requests = requests;
            this.writer = writer;
            this.index = index;
            this.connections = connections;
            this.start = start;
            this.end = end;
            this.intervalNanos = intervalNanos;
            this.lastAnswer = lastAnswer;
        }

        @Override
        public void run() {
            try {
                for (long k = index; ; k += connections) {
                    long intended = start + (long) (k * intervalNanos);
                    if (intended >= end) {
                        break;
                    }
                    int length = requests.next(writer);
                    long wait;
                    while ((wait = intended - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    boolean ok;
                    try {
                        ok = connection.exchange(writer.buffer(), length) == 202;
                        if (ok) {
                            ClosedLoad.countAcknowledged(connection);
                        }
                    } catch (IOException e) {
                        ok = false;
                    }
                    long done = System.nanoTime();
                    histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (done - intended) / 1000)));
                    answered++;
                    if (!ok) {
                        failed++;
                    }
                    lastAnswer.accumulateAndGet(done, Math::max);
                }
            } finally {
                connection.close();
            }
        }
    }
}

package io.leadflame.bench;

import io.leadflame.testing.TestDatabase;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One journal's phase: a fresh Leadflame on it, {@code bench.contacts} contacts created (not
 * measured), then batched ingestion, single-event ingestion and latency at 25/50/80 % of the
 * single-event maximum; after SIGTERM, the raw insert baseline on the same database with rows of
 * the size the journal holds, and the figures with their ratios.
 */
final class IngestionPhase {

    private static final double[] LATENCY_SHARES = {0.25, 0.50, 0.80};
    /**
     * The server's H2 URL options (conf/persistence.conf): the baselines on H2 commit as durably
     * as Leadflame does (each commit written to the file before it returns).
     */
    private static final String H2_OPTIONS = ";DB_CLOSE_DELAY=-1;WRITE_DELAY=0";

    private IngestionPhase() {
    }

    static void run(String journal, BenchSettings settings, Results results) throws Exception {
        String phase = "server-" + journal;
        TestDatabase db = journal.equals("postgres") ? Benchmarks.database() : null;
        Path h2Data = ServerUnderTest.h2DataDir(phase, settings);
        try (ServerUnderTest server = db == null ? ServerUnderTest.leadflameOnH2(phase, settings)
                : ServerUnderTest.leadflameOnPostgres(phase, settings, db.url())) {
            server.awaitReady(Duration.ofMinutes(3));
            long acceptedBefore = ClosedLoad.ACCEPTED.sum();
            long duplicatesBefore = ClosedLoad.DUPLICATES.sum();

            ClosedLoad.Outcome created = ClosedLoad.drain(server.endpoint, settings.batchConnections(),
                    Traffic.creation(settings.contacts()));
            Benchmarks.log("%s: %d contacts created in %.1f s", phase, settings.contacts(), created.seconds());
            if (created.failed() > 0) {
                results.check(String.format("%s: creating the contacts (not measured), %d requests were not answered "
                        + "202 at first %s and were resent", journal, created.failed(), created.failures()));
            }

            ClosedLoad.Outcome batched = null;
            ClosedLoad.Outcome single = null;
            if (settings.runs("ingestion")) {
                batched = ClosedLoad.measure(server.endpoint, settings.batchConnections(),
                        Traffic.batches(settings.contacts()), settings.warmup(), settings.duration());
                Benchmarks.log("%s: batched %.0f events/s", phase, batched.eventsPerSecond());
            }
            if (settings.runs("ingestion") || settings.runs("latency")) {
                single = ClosedLoad.measure(server.endpoint, settings.singleConnections(),
                        Traffic.singleEvents(settings.contacts()), settings.warmup(), settings.duration());
                Benchmarks.log("%s: single %.0f events/s", phase, single.eventsPerSecond());
            }
            if (settings.runs("latency")) {
                latency(journal, server.endpoint, single.eventsPerSecond(), settings, results);
            }
            long clientAccepted = ClosedLoad.ACCEPTED.sum() - acceptedBefore;
            long clientDuplicates = ClosedLoad.DUPLICATES.sum() - duplicatesBefore;
            crossCheck(journal, server, clientAccepted, results);
            server.stop();

            Optional<Results.Figure> naive = Optional.empty();
            if (settings.runs("baselines") && batched != null) {
                naive = Optional.of(naiveAppendLog(journal, db, h2Data, settings, results));
            }
            Optional<Results.Figure> raw = Optional.empty();
            Optional<Results.Figure> rawInLoadOrder = Optional.empty();
            if (settings.runs("baselines")) {
                RawInsert.RowShape shape = db == null
                        ? RawInsert.h2Shape("jdbc:h2:file:" + h2Data.resolve("leadflame"))
                        : RawInsert.postgresShape(db.url());
                // Duplicates come only from resent requests whose events had been persisted.
                results.check(String.format("%s: journal holds %,d contact events; the client was answered %,d accepted "
                                + "+ %,d duplicates: %s", journal, shape.events(), clientAccepted, clientDuplicates,
                        shape.events() == clientAccepted + clientDuplicates ? "equal" : "DIFFERENT"));
                raw = Optional.of(rawInsert(journal, shape, RawInsert.Order.ROUND_ROBIN, db, settings, results));
                if (batched != null) {
                    rawInLoadOrder = Optional.of(rawInsert(journal, shape,
                            new RawInsert.Order(settings.contacts(), true), db, settings, results));
                }
            }
            if (batched != null) {
                results.add(new Results.Figure("ingestion.batched." + journal, "ingestion", journal,
                        "batched ingestion, 1,000-event NDJSON, " + settings.batchConnections() + " connections",
                        batched.eventsPerSecond(), "events/s", raw,
                        Optional.of(Results.Target.ratioAtLeast("≥ 50 % of raw insert", 0.5)), batched.failed(),
                        withCeiling(batched, results.find(NoopBaseline.BATCHED))));
            }
            if (batched != null && rawInLoadOrder.isPresent()) {
                results.add(new Results.Figure("ingestion.batched.vsRawInLoadOrder." + journal, "ingestion", journal,
                        "batched ingestion against raw inserts in the load's order (random contacts)",
                        batched.eventsPerSecond(), "events/s", rawInLoadOrder,
                        Optional.of(Results.Target.ratioAtLeast("≥ 50 % of raw insert", 0.5)), batched.failed(),
                        Map.of()));
            }
            if (batched != null && naive.isPresent()) {
                results.add(new Results.Figure("ingestion.batched.vsNaive." + journal, "ingestion", journal,
                        "batched ingestion against the naive append log under the same load",
                        batched.eventsPerSecond(), "events/s", naive,
                        Optional.of(Results.Target.ratioAtLeast("ahead of the naive append log", 1.0)),
                        batched.failed(), Map.of()));
            }
            if (single != null && settings.runs("ingestion")) {
                results.add(new Results.Figure("ingestion.single." + journal, "ingestion", journal,
                        "single-event ingestion, " + settings.singleConnections() + " connections",
                        single.eventsPerSecond(), "events/s", results.find(NoopBaseline.SINGLE),
                        Optional.of(Results.Target.of("≥ 10,000/s and ≥ 25 % of no-op", Optional.of(10_000.0), 0.25)),
                        single.failed(), NoopBaseline.details(single)));
            }
        } finally {
            if (db != null) {
                Benchmarks.drop(db);
            }
            ServerUnderTest.deleteRecursively(h2Data);
        }
    }

    private static Map<String, Object> withCeiling(ClosedLoad.Outcome o, Optional<Results.Figure> noop) {
        Map<String, Object> details = new LinkedHashMap<>(NoopBaseline.details(o));
        noop.ifPresent(n -> details.put("shareOfNoopBatchedCeiling", o.eventsPerSecond() / n.value()));
        return details;
    }

    private static void latency(String journal, Endpoint server, double max, BenchSettings settings, Results results)
            throws InterruptedException {
        for (double share : LATENCY_SHARES) {
            int pct = (int) Math.round(share * 100);
            OpenLoad.Outcome o = OpenLoad.run(server, settings.singleConnections(), share * max,
                    settings.latencyDuration(), Traffic.singleEvents(settings.contacts()));
            Histogram h = o.micros();
            Map<String, Object> row = results.latencyRow("leadflame", journal, pct, o);
            String prefix = "latency." + journal + "." + pct + "pct.";
            String at = " at " + pct + " % of max (" + Results.number(o.offeredPerSecond()) + "/s)";
            for (Object[] p : new Object[][]{{"p50", 50.0}, {"p99", 99.0}, {"p999", 99.9}}) {
                String name = (String) p[0];
                boolean target = name.equals("p99") && pct == 50;
                results.add(new Results.Figure(prefix + name, "latency", journal,
                        "single-event " + name.replace("p999", "p99.9") + at,
                        h.getValueAtPercentile((Double) p[1]) / 1000.0, "ms", Optional.empty(),
                        target ? Optional.of(Results.Target.atMost("≤ 20 ms at half the max", 20)) : Optional.empty(),
                        o.failed(), row));
            }
            results.add(new Results.Figure(prefix + "max", "latency", journal, "single-event max" + at,
                    h.getMaxValue() / 1000.0, "ms", Optional.empty(), Optional.empty(), o.failed(), row));
            results.add(new Results.Figure(prefix + "achieved", "latency", journal, "achieved rate" + at,
                    o.achievedPerSecond(), "events/s", Optional.empty(), Optional.empty(), o.failed(), row));
        }
    }

    /** The server's own count of accepted events against the client's, over the server's life. */
    private static void crossCheck(String journal, ServerUnderTest server, long clientAccepted, Results results) {
        try {
            OptionalDouble accepted = server.metric("leadflame_events_total", "outcome", "accepted");
            if (accepted.isEmpty()) {
                results.check(journal + ": GET /metrics has no leadflame_events_total{outcome=\"accepted\"}: not cross-checked");
                return;
            }
            long server202 = (long) accepted.getAsDouble();
            results.check(String.format("%s: server leadflame_events_total{outcome=accepted} %,d, client %,d: %s",
                    journal, server202, clientAccepted, server202 == clientAccepted ? "equal" : "DIFFERENT"));
        } catch (IOException e) {
            results.check(journal + ": GET /metrics failed (" + e + "): not cross-checked");
        }
    }

    /**
     * {@link NaiveAppendLog} on the same kind of database, under the batched load Leadflame just
     * had: what an afternoon's hand-written durable log does with the same requests.
     */
    private static Results.Figure naiveAppendLog(String journal, TestDatabase db, Path h2Data, BenchSettings settings,
                                                 Results results) throws Exception {
        String url = db == null ? "jdbc:h2:file:" + h2Data.resolve("naive") + H2_OPTIONS : db.url();
        ClosedLoad.Outcome o;
        try (ServerUnderTest naive = ServerUnderTest.naiveAppendLog("naive-" + journal, settings, url,
                db == null ? "sa" : "postgres", "")) {
            naive.awaitReady(Duration.ofMinutes(1));
            o = ClosedLoad.measure(naive.endpoint, settings.batchConnections(), Traffic.batches(settings.contacts()),
                    settings.warmup(), settings.duration());
            naive.stop();
        }
        Benchmarks.log("naive-%s: batched %.0f events/s", journal, o.eventsPerSecond());
        return results.add(new Results.Figure("baseline.naive.batched." + journal, "baselines", journal,
                "naive append log (JDK HTTP server, each request one committed row), 1,000-event NDJSON, "
                        + settings.batchConnections() + " connections",
                o.eventsPerSecond(), "events/s", Optional.empty(), Optional.empty(), o.failed(), NoopBaseline.details(o)));
    }

    private static Results.Figure rawInsert(String journal, RawInsert.RowShape shape, RawInsert.Order order,
                                           TestDatabase db, BenchSettings settings, Results results) throws Exception {
        RawInsert.Rate rate;
        String where;
        if (db == null) {
            Path rawDir = settings.dir().resolve("raw-h2");
            ServerUnderTest.deleteRecursively(rawDir);
            // A file of its own next to the server's data dir, with the server's URL options.
            String url = "jdbc:h2:file:" + rawDir.resolve("raw") + H2_OPTIONS;
            try {
                rate = RawInsert.onH2(url, shape, order, settings.rawDuration());
            } finally {
                ServerUnderTest.deleteRecursively(rawDir);
            }
            where = url;
        } else {
            rate = RawInsert.onPostgres(db.url(), shape, order, settings.rawDuration());
            where = db.url() + " (schema bench_raw)";
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rows", rate.rows());
        details.put("seconds", rate.seconds());
        details.put("batch", RawInsert.BATCH);
        details.put("order", order.describe());
        details.put("payloadBytes", shape.payloadBytes());
        details.put("persistenceIdChars", shape.persistenceIdChars());
        details.put("where", where);
        String name = order.random() ? "baseline.raw-insert-in-load-order." : "baseline.raw-insert.";
        return results.add(new Results.Figure(name + journal, "baselines", journal,
                "raw JDBC batched insert, 1,000 rows a transaction, journal-sized rows, " + order.describe(),
                rate.rowsPerSecond(), "rows/s", Optional.empty(), Optional.empty(), 0, details));
    }
}

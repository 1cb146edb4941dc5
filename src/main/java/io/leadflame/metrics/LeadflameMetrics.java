package io.leadflame.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * What an operator watches on one node, for {@code GET /metrics}: events in by outcome, HTTP
 * latency per route, live contacts, rescoring progress, journal writes, and the JVM. One per
 * actor system (several nodes can share a JVM in tests), holding the Prometheus registry and
 * its meters, each built once: recording never builds a meter id.
 *
 * <p>No meter is tagged with a contact or entity id: a million contacts would be a million
 * series.
 */
public final class LeadflameMetrics implements Extension {

    /**
     * {@code GET /metrics}'s content type: the Prometheus text format 0.0.4, which every
     * Prometheus-compatible scraper reads ({@link #scrape()} asks the registry for exactly it).
     */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * Buckets of the latency histograms. A fixed set instead of Micrometer's percentile
     * histogram (61 buckets from 1 ms to 10 s): every (method, route, status) of the API is a
     * series of its own, and these already separate an in-memory read, a journal write and a
     * timeout.
     */
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    public static final ExtensionId<LeadflameMetrics> ID = new ExtensionId<>() {
        @Override
        public LeadflameMetrics createExtension(ActorSystem<?> system) {
            return new LeadflameMetrics(system);
        }
    };

    public static LeadflameMetrics get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    private record RequestKey(String method, String route, int status) {
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // All three from the start: a rate() over an outcome that has not happened yet is 0, not absent.
    private final Counter accepted = eventCounter("accepted");
    private final Counter duplicates = eventCounter("duplicate");
    private final Counter rejected = eventCounter("rejected");
    /** Building a meter id costs ~1 µs, recording ~0.1 µs: the timers are built once per key. */
    private final ConcurrentHashMap<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();
    // Gauges hold their state weakly: these fields keep it alive.
    private final AtomicLong contactsLive = new AtomicLong();
    private final AtomicLong rescoringPending = new AtomicLong();
    private final Counter contactsRescored = Counter.builder("leadflame.rescoring.contacts")
            .description("Contacts rescored by this node after a model change")
            .register(registry);
    private final Timer journalWrites = latencyTimer("leadflame.journal.write")
            .description("From a contact's persist call to the journal's confirmation")
            .register(registry);
    private final Counter journalWriteFailures = Counter.builder("leadflame.journal.write.failures")
            .description("Contact writes the journal failed or rejected")
            .register(registry);

    private final Counter writesRefused = Counter.builder("leadflame.ingestion.requests.refused")
            .description("POST /events requests refused (503 overloaded) because the node was writing its maximum")
            .register(registry);
    private final Counter kafkaEvents = Counter.builder("leadflame.kafka.records")
            .description("Kafka records consumed, by outcome").tag("outcome", "recorded").register(registry);
    private final Counter kafkaDeadLettered = Counter.builder("leadflame.kafka.records")
            .description("Kafka records consumed, by outcome").tag("outcome", "dead_letter").register(registry);
    private final Counter liveStreamsRefused = Counter.builder("leadflame.score.changes.streams.refused")
            .description("GET /score-changes streams refused because the node's or tenant's budget was full")
            .register(registry);

    private LeadflameMetrics(ActorSystem<?> system) {
        Gauge.builder("leadflame.contacts.live", contactsLive, AtomicLong::get)
                .description("Contact entities live on this node (refreshed every few seconds)")
                .register(registry);
        Gauge.builder("leadflame.rescoring.pending", rescoringPending, AtomicLong::get)
                .description("Contacts of this node still to rescore, all tenants")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        // The GC binder listens to the JVM's GC notifications: without closing it, every node a
        // test JVM ever started would stay registered there.
        system.getWhenTerminated().thenRun(() -> {
            gc.close();
            registry.close();
        });
    }

    private Counter eventCounter(String outcome) {
        return Counter.builder("leadflame.events")
                .description("Events received by POST /events, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Timer.Builder latencyTimer(String name) {
        return Timer.builder(name).serviceLevelObjectives(LATENCY_BUCKETS);
    }

    // ---- events in

    /** A contact persisted its part of a batch: {@code accepted} new events, {@code duplicates} already seen. */
    public void eventsRecorded(long accepted, long duplicates) {
        this.accepted.increment(accepted);
        this.duplicates.increment(duplicates);
    }

    /** A request refused whole because the node already writes as many events as it admits. */
    public void writeRefused() {
        writesRefused.increment();
    }

    /** The events being written on this node, read from {@code inFlight} at each scrape (held weakly, as gauges are). */
    public <T> void writesInFlight(T owner, ToDoubleFunction<T> inFlight) {
        Gauge.builder("leadflame.ingestion.events.in.flight", owner, inFlight)
                .description("Events of admitted POST /events requests not yet durable (or failed)")
                .register(registry);
    }

    /** A batch of Kafka records written: {@code events} to contacts, {@code deadLettered} to the dead-letter topic. */
    public void kafkaRecords(long events, long deadLettered) {
        kafkaEvents.increment(events);
        kafkaDeadLettered.increment(deadLettered);
    }

    /** The consumer group's records not yet committed, read from {@code lag} at each scrape (-1: unknown). */
    public <T> void kafkaLag(T owner, ToDoubleFunction<T> lag) {
        Gauge.builder("leadflame.kafka.consumer.lag", owner, lag)
                .description("Records of the Kafka topic the consumer group has not committed yet, all partitions "
                        + "(-1 while the brokers do not answer)")
                .register(registry);
    }

    /** Events of a request that were invalid. */
    public void eventsRejected(long count) {
        rejected.increment(count);
    }

    // ---- HTTP

    /**
     * One request answered.
     *
     * @param route the route template (never the raw path, which holds tenant and contact ids)
     */
    public void requestServed(String method, String route, int status, long nanos) {
        RequestKey key = new RequestKey(method, route, status);
        Timer timer = requestTimers.get(key);
        if (timer == null) {
            timer = requestTimers.computeIfAbsent(key, k -> latencyTimer("http.server.requests")
                    .description("HTTP requests of the API port, from arrival to the response")
                    .tags("method", k.method(), "route", k.route(), "status", Integer.toString(k.status()))
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    // ---- contacts and rescoring

    /** The contact entities live on this node, as last counted. */
    public void contactsLive(long count) {
        contactsLive.set(count);
    }

    /** The contacts of this node still to rescore, summed over the tenants being rescored. */
    public void rescoringPending(long contacts) {
        rescoringPending.set(contacts);
    }

    public void contactRescored() {
        contactsRescored.increment();
    }

    public void contactsRescored(int contacts) {
        contactsRescored.increment(contacts);
    }

    // ---- journal

    /** A contact's write reached the journal {@code nanos} after its persist call. */
    public void journalWrite(long nanos) {
        journalWrites.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A contact's write failed or was rejected by the journal. */
    public void journalWriteFailed() {
        journalWriteFailures.increment();
    }

    // ---- exposition

    /**
     * The live score-change streams open on this node, read from {@code open} at each scrape.
     * The gauge holds {@code owner} weakly: its owner keeps it (and so the gauge) alive.
     */
    public <T> void liveStreams(T owner, ToDoubleFunction<T> open) {
        Gauge.builder("leadflame.score.changes.streams", owner, open)
                .description("GET /score-changes streams open on this node")
                .register(registry);
    }

    public void liveStreamRefused() {
        liveStreamsRefused.increment();
    }

    /** Every meter of this node in the Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }
}

package io.leadflame.config;

import com.typesafe.config.Config;
import io.leadflame.scoring.HistoryLimits;

import java.time.Duration;

/**
 * The service's own settings, read once from the {@code leadflame} section of the config
 * (see {@code conf/application.conf}; every key can be overridden by an environment variable
 * or a {@code -D} system property).
 *
 * @param askTimeout          how long the HTTP edge waits for a contact or model actor before answering 503
 * @param historyLimits       what a contact keeps in memory beyond what the current model needs
 * @param snapshotEvery       a contact snapshot every this many persisted events
 * @param rescoreParallelism  how many contacts one node rescores at once after a model change
 * @param maxEventsPerRequest events in one POST before it is refused with 413
 * @param maxRequestBytes     bytes in one request body before it is refused with 413
 * @param callList            whether contacts keep the call-list index and publish their changes
 * @param maxStreams          live score-change streams open at once on this node
 * @param maxStreamsPerTenant live score-change streams open at once per tenant on this node
 * @param maxStreamsPerKey    live score-change streams open at once per API key on this node
 * @param streamHeartbeat     how often an idle live stream sends a heartbeat (which is also how a
 *                            client that went away is noticed: its place is free after two)
 * @param ingestion           how much writing a node takes on at once, and how long a write may take
 */
public record Settings(
        Duration askTimeout,
        HistoryLimits historyLimits,
        int snapshotEvery,
        int rescoreParallelism,
        int maxEventsPerRequest,
        long maxRequestBytes,
        boolean callList,
        int maxStreams,
        int maxStreamsPerTenant,
        int maxStreamsPerKey,
        Duration streamHeartbeat,
        Ingestion ingestion) {

    /**
     * @param maxInFlightEvents events of admitted requests being written at once on a node; a
     *                          request that would go past it is refused whole with 503
     * @param writeTimeout      how long an admitted request may take to become durable before it
     *                          is answered 503 (a contact's node lost, a journal down)
     * @param resendEvery       how often the contacts that have not answered their part of a request
     *                          are sent it again while a node is lost: a message to a node that just
     *                          died is lost, and the contacts' new home gets the resend
     */
    public record Ingestion(int maxInFlightEvents, Duration writeTimeout, Duration resendEvery) {
        /** The packaged defaults (conf/application.conf), for tests that build settings by hand. */
        public static final Ingestion DEFAULT = new Ingestion(40_000, Duration.ofSeconds(60), Duration.ofSeconds(2));
    }

    public static Settings from(Config root) {
        Config c = root.getConfig("leadflame");
        return new Settings(
                c.getDuration("ask-timeout"),
                new HistoryLimits(
                        c.getInt("contact.dedupe-window"),
                        c.getDuration("contact.activity-retention"),
                        c.getInt("contact.activities-per-name")),
                c.getInt("contact.snapshot-every"),
                c.getInt("rescoring.parallelism"),
                c.getInt("http.max-events-per-request"),
                c.getBytes("http.max-request-size"),
                c.getBoolean("leads.index"),
                c.getInt("http.sse.max-streams"),
                c.getInt("http.sse.max-streams-per-tenant"),
                c.getInt("http.sse.max-streams-per-key"),
                c.getDuration("http.sse.heartbeat"),
                new Ingestion(c.getInt("ingestion.max-in-flight-events"), c.getDuration("ingestion.write-timeout"),
                        c.getDuration("ingestion.resend-unanswered-every")));
    }
}

package io.leadflame.kafka;

import io.leadflame.api.IncomingEvent;
import io.leadflame.contact.ContactService;
import io.leadflame.metrics.LeadflameMetrics;
import io.leadflame.scoring.ContactEvent;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Events read from a Kafka topic into the contacts (issue 13), for platforms whose events are
 * already in Kafka. At least once: a batch of records is written to its contacts (the same
 * {@link ContactService} {@code POST /events} uses) and its invalid records to the dead-letter
 * topic, and only once all of that is durable are its offsets committed; a record delivered again
 * after a crash or a rebalance is a duplicate by its event id (one is derived from the record's
 * place when the event has none). Every node consumes in one group, so Kafka shares the
 * partitions among the nodes. A failure (a write that timed out, a broker gone) restarts the
 * stream from the last committed offsets, with backoff.
 */
public final class KafkaIngestion {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngestion.class);
    private static final Duration BATCH_WINDOW = Duration.ofMillis(100);
    private static final Duration LAG_EVERY = Duration.ofSeconds(5);
    /** How long a send to the dead-letter topic may wait for the topic's metadata (a missing topic). */
    private static final int DEAD_LETTER_BLOCK_MS = 10_000;
    /** Within the default 5 s of the shutdown phase it runs in. */
    private static final Duration DRAIN_AT_MOST = Duration.ofSeconds(4);
    static final String REASON_HEADER = "leadflame-reason";
    static final String SOURCE_HEADER = "leadflame-source";

    private final KafkaSettings settings;
    private final ContactService contacts;
    private final LeadflameMetrics metrics;
    private final Clock clock;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final Admin admin;
    private final AtomicLong lag = new AtomicLong(-1);
    private final AtomicBoolean measuring = new AtomicBoolean();
    /** Where sends to the dead-letter topic run: one may block while the topic's metadata is fetched. */
    private final Executor blocking;

    private KafkaIngestion(KafkaSettings settings, ContactService contacts, LeadflameMetrics metrics, Clock clock,
                           Executor blocking) {
        this.settings = settings;
        this.contacts = contacts;
        this.metrics = metrics;
        this.clock = clock;
        this.blocking = blocking;
        Properties producer = new Properties();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, DEAD_LETTER_BLOCK_MS);
        this.deadLetters = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        this.admin = Admin.create(admin);
    }

    /** Starts consuming on this node; stops, finishing and committing what it has read, when the node shuts down. */
    public static void start(ActorSystem<?> system, KafkaSettings settings, ContactService contacts, Clock clock) {
        LeadflameMetrics metrics = LeadflameMetrics.get(system);
        KafkaIngestion ingestion = new KafkaIngestion(settings, contacts, metrics, clock,
                system.dispatchers().lookup(DispatcherSelector.blocking()));
        metrics.kafkaLag(ingestion.lag, AtomicLong::get);
        ConsumerSettings<byte[], byte[]> consumer = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(settings.bootstrapServers())
                .withGroupId(settings.groupId())
                // A new group starts at the beginning: an import's first records are not skipped.
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        CommitterSettings committer = CommitterSettings.create(system);
        SharedKillSwitch stop = KillSwitches.shared("kafka-ingestion");
        AtomicBoolean stopping = new AtomicBoolean();
        CompletionStage<Done> done = RestartSource.onFailuresWithBackoff(
                        RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2),
                        // A restart due once the node is stopping joins no group again.
                        () -> stopping.get() ? Source.<Done>empty() : Consumer
                                .committableSource(consumer, Subscriptions.topics(settings.topic()))
                                .via(stop.flow())
                                .groupedWithin(settings.batch(), BATCH_WINDOW)
                                .mapAsync(settings.parallelism(), ingestion::write)
                                .via(Committer.flow(committer)))
                .runWith(Sink.ignore(), system);
        done.whenComplete((d, failure) -> {
            if (failure != null) {
                LOG.error("Kafka ingestion stopped", failure);
            }
        });
        var lagTask = system.scheduler().scheduleAtFixedRate(Duration.ZERO, LAG_EVERY, ingestion::measureLag,
                system.executionContext());
        // After the port is unbound, no more records are read; the batches being written are
        // committed if they end within the phase. Whatever is not committed is read again later
        // (by this node after a restart, or by another one), and its events are duplicates then.
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "stop-kafka-ingestion", () -> {
            lagTask.cancel();
            stopping.set(true);
            stop.shutdown();
            return done.exceptionally(failure -> Done.getInstance()).toCompletableFuture()
                    .completeOnTimeout(Done.getInstance(), DRAIN_AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
        });
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-kafka-clients", () -> {
            ingestion.deadLetters.close(Duration.ofSeconds(2));
            ingestion.admin.close(Duration.ofSeconds(2));
            return CompletableFuture.completedFuture(Done.getInstance());
        });
        LOG.info("Kafka ingestion: consuming {} from {} as group {}; dead letters to {}", settings.topic(),
                settings.bootstrapServers(), settings.groupId(), settings.deadLetterTopic());
    }

    /** Writes one batch: events to their contacts, the rest to the dead-letter topic; then its offsets may be committed. */
    private CompletionStage<ConsumerMessage.CommittableOffsetBatch> write(
            List<ConsumerMessage.CommittableMessage<byte[], byte[]>> batch) {
        Instant receivedAt = clock.instant();
        Map<String, Map<String, List<ContactEvent>>> byTenant = new LinkedHashMap<>();
        List<CompletableFuture<?>> writes = new ArrayList<>();
        List<ConsumerMessage.CommittableOffset> offsets = new ArrayList<>(batch.size());
        long deadLettered = 0;
        for (ConsumerMessage.CommittableMessage<byte[], byte[]> message : batch) {
            offsets.add(message.committableOffset());
            ConsumerRecord<byte[], byte[]> record = message.record();
            KafkaRecords.Read read = KafkaRecords.read(record, settings.tenant(), receivedAt);
            if (read.isEvent()) {
                IncomingEvent in = read.event();
                byTenant.computeIfAbsent(read.tenant(), t -> new HashMap<>())
                        .computeIfAbsent(in.contactId(), c -> new ArrayList<>()).add(in.event());
            } else {
                writes.add(deadLetter(record, read.problem()));
                deadLettered++;
            }
        }
        byTenant.forEach((tenant, byContact) -> writes.add(contacts.record(tenant, byContact).toCompletableFuture()));
        long events = batch.size() - deadLettered;
        long rejected = deadLettered;
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(all -> {
            metrics.kafkaRecords(events, rejected);
            return ConsumerMessage.createCommittableOffsetBatch(offsets);
        });
    }

    /**
     * Sends the record to the dead-letter topic. Until that is acknowledged its batch is not
     * committed: a dead-letter topic that cannot be written (missing, no rights) stops
     * consumption, with the error logged at each retry, rather than losing the record.
     */
    private CompletableFuture<Void> deadLetter(ConsumerRecord<byte[], byte[]> record, String problem) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(settings.deadLetterTopic(), record.key(), record.value());
        out.headers().add(REASON_HEADER, problem.getBytes(StandardCharsets.UTF_8));
        out.headers().add(SOURCE_HEADER, (record.topic() + ":" + record.partition() + ":" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Void> sent = new CompletableFuture<>();
        blocking.execute(() -> {
            try {
                deadLetters.send(out, (metadata, failure) -> {
                    if (failure != null) {
                        sent.completeExceptionally(failure);
                    } else {
                        sent.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                sent.completeExceptionally(e);
            }
        });
        return sent.whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.error("Cannot write to the dead-letter topic {}: the batch is not committed and will be read "
                        + "again", settings.deadLetterTopic(), failure);
            }
        });
    }

    /**
     * The records of the topic the group has not committed yet, summed over the partitions. Every
     * node reports the group's lag (take the maximum across nodes, not the sum). One measurement
     * at a time: a slow broker leaves the last value, then -1 once a measurement fails.
     */
    private void measureLag() {
        if (!measuring.compareAndSet(false, true)) {
            return;
        }
        admin.describeTopics(List.of(settings.topic())).allTopicNames().toCompletionStage()
                .thenCompose(topics -> {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
                    topics.get(settings.topic()).partitions().forEach(p -> {
                        TopicPartition tp = new TopicPartition(settings.topic(), p.partition());
                        latest.put(tp, OffsetSpec.latest());
                        earliest.put(tp, OffsetSpec.earliest());
                    });
                    var ends = admin.listOffsets(latest).all().toCompletionStage();
                    var starts = admin.listOffsets(earliest).all().toCompletionStage();
                    var committed = admin.listConsumerGroupOffsets(settings.groupId()).partitionsToOffsetAndMetadata()
                            .toCompletionStage();
                    return ends.thenCompose(end -> starts.thenCombine(committed,
                            (start, done) -> lag(end, start, done)));
                })
                .whenComplete((behind, failure) -> {
                    lag.set(failure == null ? behind : -1);
                    measuring.set(false);
                });
    }

    private static long lag(Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends,
                            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts,
                            Map<TopicPartition, OffsetAndMetadata> committed) {
        long behind = 0;
        for (var end : ends.entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            long start = starts.get(end.getKey()).offset();
            // Records before the start were deleted by retention: not behind any more.
            long from = done != null ? Math.max(done.offset(), start) : start;
            behind += Math.max(0, end.getValue().offset() - from);
        }
        return behind;
    }
}

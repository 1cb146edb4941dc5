package io.leadflame.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker for the tests: Kafka 3.9 in KRaft mode (one node, broker and controller),
 * from the {@code kafka_2.13} artifact on the test class path, in a JVM of its own, its log in
 * {@code <dir>/broker.log}. Started fresh in {@code dir}; {@link #close} kills it.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Duration STARTS_WITHIN = Duration.ofSeconds(60);

    private final JavaProcess process;
    private final String bootstrapServers;

    private KafkaBroker(JavaProcess process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    public static KafkaBroker start(Path dir) {
        try {
            Files.createDirectories(dir);
            int brokerPort = FreePorts.freePort();
            int controllerPort = FreePorts.freePort();
            Path config = dir.resolve("server.properties");
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    "num.partitions=4",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=4",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=true",
                    ""));
            List<String> jvm = List.of("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"));
            Path log = dir.resolve("broker.log");
            try (JavaProcess format = JavaProcess.start("kafka-storage-format",
                    concat(jvm, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", config.toString()),
                    Map.of(), dir, log)) {
                format.waitFor(Duration.ofSeconds(60));
            }
            JavaProcess broker = JavaProcess.start("kafka-broker", concat(jvm, "kafka.Kafka", config.toString()),
                    Map.of(), dir, log);
            KafkaBroker started = new KafkaBroker(broker, "127.0.0.1:" + brokerPort);
            started.awaitUp();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    /** A random KRaft cluster id, as {@code kafka-storage random-uuid} makes one (never starting with a dash). */
    private static String clusterId() {
        return Uuid.randomUuid().toString();
    }

    private void awaitUp() {
        long deadline = System.nanoTime() + STARTS_WITHIN.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            process.requireAlive();
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
            }
        }
        throw new IllegalStateException("Kafka did not start within " + STARTS_WITHIN + " (" + last + "):\n"
                + process.tail(40));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return Admin.create(p);
    }

    /** Creates {@code topic} with {@code partitions} partitions. */
    public void createTopic(String topic, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + topic, e);
        }
    }

    /** A producer of string keys and values that waits for every write to be acknowledged. */
    public KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    @Override
    public void close() {
        process.close();
    }
}

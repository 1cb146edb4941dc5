package io.leadflame.failover;

import io.leadflame.testing.JavaProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.leadflame.testing.FreePorts.freePort;

/**
 * One Leadflame node as the operator runs it: {@code java -jar target/leadflame.jar} in its own
 * JVM, configured only through the environment of OPERATIONS.md (plus a few -D settings that
 * shorten cluster bootstrap for the test), its stdout and stderr in a log file.
 */
final class JarNode implements AutoCloseable {

    /** Exit status Java reports for a process ended by signal N: 128 + N. */
    static final int KILLED_BY_SIGKILL = JavaProcess.KILLED_BY_SIGKILL;
    static final int KILLED_BY_SIGTERM = JavaProcess.KILLED_BY_SIGTERM;

    final String name;
    /** The address the node binds (HTTP, management, remoting) and is reached at. */
    final String host;
    final int httpPort;
    final int managementPort;
    final int clusterPort;
    final Path log;
    private final JavaProcess process;

    private JarNode(String name, String host, int httpPort, int managementPort, int clusterPort, Path log,
                    JavaProcess process) {
        this.name = name;
        this.host = host;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.clusterPort = clusterPort;
        this.log = log;
        this.process = process;
    }

    /** The ports of a node, chosen before any node starts (they are each other's contact points). */
    record Ports(int http, int management, int cluster) {
        static Ports free() {
            return new Ports(freePort(), freePort(), freePort());
        }
    }

    /** A fresh folder for one test's node logs and data: {@code <leadflame.it.logs>/<name>-<millis>}. */
    static Path logDir(String name) throws java.io.IOException {
        Path dir = Path.of(System.getProperty("leadflame.it.logs", "target/failsafe-node-logs"))
                .toAbsolutePath().resolve(name + "-" + System.currentTimeMillis());
        return java.nio.file.Files.createDirectories(dir);
    }

    static JarNode start(String name, Ports ports, String contactPoints, String jdbcUrl, Path logDir) {
        return start(name, List.of(), "127.0.0.1", Map.of(), ports, contactPoints, jdbcUrl, logDir);
    }

    /**
     * A cluster node started by {@code prefix} (e.g. inside a network namespace, {@code ip netns
     * exec <ns>}), bound to and reached at {@code host}, with {@code moreEnv} (e.g. an operator
     * key, which a node listening beyond the loopback interface requires).
     */
    static JarNode start(String name, List<String> prefix, String host, Map<String, String> moreEnv, Ports ports,
                         String contactPoints, String jdbcUrl, Path logDir) {
        Path jar = JavaProcess.leadflameJar();
        Path log = logDir.resolve(name + ".log");
        List<String> arguments = new java.util.ArrayList<>(List.of(
                "-Xmx512m",
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
                // All contact points are started together: no need for the production 5 s margin.
                "-Dpekko.management.cluster.bootstrap.contact-point-discovery.stable-margin=1s",
                "-Dpekko.management.cluster.bootstrap.contact-point-discovery.interval=500ms",
                "-Dpekko.management.cluster.bootstrap.contact-point.probe-interval=500ms",
                // The test's connections stay open; do not wait the production 10 s at SIGTERM.
                "-Dleadflame.http.unbind-deadline=2s",
                "-Dleadflame.http.interface=" + host,
                // Several nodes on one PostgreSQL: keep their pools small.
                "-Dleadflame.databases.postgres.db.maxConnections=8",
                "-Dleadflame.databases.postgres.db.numThreads=8"));
        arguments.addAll(extraJvmArguments());
        arguments.addAll(List.of("-jar", jar.toString()));
        Map<String, String> env = postgresNodeEnv(name, host, ports, jdbcUrl, logDir);
        env.put("LEADFLAME_DISCOVERY", "config");
        env.put("CONTACT_POINTS", contactPoints);
        env.put("REQUIRED_CONTACT_POINTS", "2");
        env.put("MANAGEMENT_PORT", String.valueOf(ports.management()));
        env.putAll(moreEnv);
        JavaProcess process = JavaProcess.start(name, prefix, arguments, env, logDir, log);
        return new JarNode(name, host, ports.http(), ports.management(), ports.cluster(), log, process);
    }

    /** The environment of OPERATIONS.md for a node on the PostgreSQL journal at {@code jdbcUrl}. */
    private static Map<String, String> postgresNodeEnv(String name, String host, Ports ports, String jdbcUrl,
                                                       Path logDir) {
        Map<String, String> env = new HashMap<>();
        env.put("LEADFLAME_JOURNAL", "postgres");
        env.put("JDBC_URL", jdbcUrl);
        env.put("JDBC_USER", "postgres");
        env.put("JDBC_PASSWORD", "");
        env.put("CLUSTER_HOST", host);
        env.put("CLUSTER_PORT", String.valueOf(ports.cluster()));
        env.put("HTTP_PORT", String.valueOf(ports.http()));
        env.put("DATA_DIR", logDir.resolve(name + "-data").toString());
        return env;
    }

    /**
     * JVM options for every node from {@code -Dleadflame.it.node-jvm-args="..."} (space-separated,
     * after the test's own, so they override them): e.g. {@code -Xmx2g} for a run at scale, or
     * {@code -Dlogback.configurationFile=...} with DEBUG for sharding to look into one.
     */
    private static List<String> extraJvmArguments() {
        String extra = System.getProperty("leadflame.it.node-jvm-args", "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    /**
     * One node for each of {@code ports} ({@code node-1}, {@code node-2}, ...), each the contact
     * point of the others, on {@code jdbcUrl}; returns once every one is ready. A node that does
     * not start in time stops them all.
     */
    static List<JarNode> startCluster(List<Ports> ports, String jdbcUrl, Path logDir, Http http, Duration within) {
        String contactPoints = ports.stream().map(p -> "127.0.0.1:" + p.management())
                .collect(java.util.stream.Collectors.joining(","));
        List<JarNode> nodes = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < ports.size(); i++) {
                nodes.add(start("node-" + (i + 1), ports.get(i), contactPoints, jdbcUrl, logDir));
            }
            for (JarNode node : nodes) {
                Poll.until(within, node + " ready", () -> node.ready(http), () -> node.tail(30));
            }
        } catch (RuntimeException | Error e) {
            nodes.forEach(JarNode::close);
            throw e;
        }
        return nodes;
    }

    /** Bounded: SIGKILLs whatever still runs of {@code nodes} (the test's own processes only), then drops the database. */
    static void stopCluster(List<JarNode> nodes, io.leadflame.testing.TestDatabase database) {
        nodes.forEach(JarNode::close);
        if (database != null) {
            database.close();
        }
    }

    /** Whether this node is the cluster's oldest member (the one hosting the shard coordinator), as {@code asked} sees it. */
    boolean isOldest(Http http, JarNode asked) throws IOException {
        return ("pekko://leadflame@" + host + ":" + clusterPort).equals(
                http.get(asked.management("/cluster/members"), Checks.REQUEST_TIMEOUT).json().path("oldest").asText());
    }

    /**
     * One node on its own (no discovery: it forms a cluster of itself) with its journal on
     * PostgreSQL at {@code jdbcUrl}, the small pool of the cluster tests.
     */
    static JarNode startStandalone(String name, Ports ports, String jdbcUrl, Path logDir) {
        Path log = logDir.resolve(name + ".log");
        List<String> arguments = new java.util.ArrayList<>(List.of("-Xmx512m",
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
                "-Dleadflame.http.interface=127.0.0.1",
                "-Dleadflame.databases.postgres.db.maxConnections=8",
                "-Dleadflame.databases.postgres.db.numThreads=8"));
        arguments.addAll(extraJvmArguments());
        arguments.addAll(List.of("-jar", JavaProcess.leadflameJar().toString()));
        Map<String, String> env = postgresNodeEnv(name, "127.0.0.1", ports, jdbcUrl, logDir);
        JavaProcess process = JavaProcess.start(name, arguments, env, logDir, log);
        return new JarNode(name, "127.0.0.1", ports.http(), ports.management(), ports.cluster(), log, process);
    }

    /**
     * The embedded default: one node, H2 in {@code dataDir}, configured as a newcomer runs it
     * (only its ports and data directory).
     */
    static JarNode startEmbedded(String name, Ports ports, Path dataDir, Path logDir) {
        Path log = logDir.resolve(name + ".log");
        List<String> arguments = List.of("-Xmx512m", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
                "-Dleadflame.http.interface=127.0.0.1", "-jar", JavaProcess.leadflameJar().toString());
        Map<String, String> env = new HashMap<>();
        env.put("CLUSTER_HOST", "127.0.0.1");
        env.put("CLUSTER_PORT", String.valueOf(ports.cluster()));
        env.put("HTTP_PORT", String.valueOf(ports.http()));
        env.put("DATA_DIR", dataDir.toString());
        JavaProcess process = JavaProcess.start(name, arguments, env, logDir, log);
        return new JarNode(name, "127.0.0.1", ports.http(), ports.management(), ports.cluster(), log, process);
    }

    String api(String path) {
        return "http://" + host + ":" + httpPort + path;
    }

    String management(String path) {
        return "http://" + host + ":" + managementPort + path;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Whether /health/ready answers 200 (and the process still runs). */
    boolean ready(Http http) {
        process.requireAlive();
        try {
            return http.get(api("/health/ready"), Duration.ofSeconds(5)).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: no shutdown hook, no leaving; returns the exit status. */
    int kill9() throws InterruptedException {
        return process.kill9();
    }

    /** SIGTERM: coordinated shutdown, leaves the cluster; returns the exit status. */
    int terminate(Duration within) throws InterruptedException {
        return process.terminate(within);
    }

    /** The last lines of the node's log, for failure messages. */
    String tail(int lines) {
        return process.tail(lines);
    }

    /** Never leaves a process behind: SIGKILL if it still runs. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ", http " + httpPort + ", mgmt " + managementPort
                + ", cluster " + clusterPort + ")";
    }

}

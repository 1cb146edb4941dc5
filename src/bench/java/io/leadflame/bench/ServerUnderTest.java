package io.leadflame.bench;

import io.leadflame.testing.FreePorts;
import io.leadflame.testing.JavaProcess;
import io.leadflame.testing.Scrape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test in a JVM of its own, as an operator runs it: the packaged Leadflame
 * ({@code java <flags> -jar target/leadflame.jar}, configured through the environment of
 * OPERATIONS.md) or the no-op Pekko HTTP baseline ({@link NoopServer}) with the same flags. Output
 * goes to {@code target/bench/<phase>.log}. Every server started is stopped by {@link #close} or,
 * should the benchmark die, by {@link #killAll} from the shutdown hook.
 */
final class ServerUnderTest implements AutoCloseable {

    private static final Set<ServerUnderTest> RUNNING = ConcurrentHashMap.newKeySet();
    private static final String HOST = "127.0.0.1";

    final String phase;
    final Endpoint endpoint;
    private final JavaProcess process;
    private final Optional<Path> flightRecording;
    private final BenchSettings settings;

    private ServerUnderTest(String phase, Endpoint endpoint, JavaProcess process, Optional<Path> flightRecording,
                            BenchSettings settings) {
        this.phase = phase;
        this.endpoint = endpoint;
        this.process = process;
        this.flightRecording = flightRecording;
        this.settings = settings;
        RUNNING.add(this);
    }

    /**
     * The JVM flags of every server under test: the production Deployment's (k8s/deployment.yaml:
     * G1 with a 20 ms pause goal, exit on OOM, a common pool of 2) with a fixed heap of {@code bench.server-heap} instead of
     * a share of the container (-Xms = -Xmx, so heap resizing does not move during a run).
     */
    static List<String> jvmFlags(BenchSettings settings) {
        List<String> flags = new ArrayList<>(List.of("-Xms" + settings.serverHeap(), "-Xmx" + settings.serverHeap(), "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2"));
        flags.addAll(settings.serverArgs());
        return List.copyOf(flags);
    }

    /** Where {@link #leadflameOnH2} keeps the journal of {@code phase}: {@code target/bench/<phase>-data}. */
    static Path h2DataDir(String phase, BenchSettings settings) {
        return settings.dir().resolve(phase + "-data");
    }

    /** Leadflame on the H2 journal in a fresh {@link #h2DataDir}. */
    static ServerUnderTest leadflameOnH2(String phase, BenchSettings settings) {
        return leadflameOnH2(phase, settings, List.of());
    }

    /** Leadflame on H2 with more JVM arguments (e.g. {@code -Dleadflame.leads.index=off}). */
    static ServerUnderTest leadflameOnH2(String phase, BenchSettings settings, List<String> more) {
        Path data = h2DataDir(phase, settings);
        deleteRecursively(data);
        return leadflame(phase, settings, Map.of("DATA_DIR", data.toString()), more);
    }

    /** Leadflame on the H2 journal {@code phase} has already written (a restart). */
    static ServerUnderTest leadflameOnExistingH2(String phase, BenchSettings settings) {
        return leadflame(phase, settings, Map.of("DATA_DIR", h2DataDir(phase, settings).toString()), List.of());
    }

    /** Leadflame on the PostgreSQL journal in {@code jdbcUrl}. */
    static ServerUnderTest leadflameOnPostgres(String phase, BenchSettings settings, String jdbcUrl) {
        return leadflame(phase, settings, Map.of("LEADFLAME_JOURNAL", "postgres", "JDBC_URL", jdbcUrl,
                "JDBC_USER", "postgres", "JDBC_PASSWORD", ""), List.of());
    }

    private static ServerUnderTest leadflame(String phase, BenchSettings settings, Map<String, String> journal,
                                             List<String> more) {
        int port = FreePorts.freePort();
        List<String> arguments = new ArrayList<>(jvmFlags(settings));
        arguments.addAll(more);
        Optional<Path> jfr = flightRecorder(phase, settings, arguments);
        // Loopback only; remoting on any free port: a standalone node, nothing else to reach it.
        arguments.addAll(List.of("-Dleadflame.http.interface=" + HOST, "-Dpekko.remote.artery.canonical.port=0",
                "-jar", JavaProcess.leadflameJar().toString()));
        Map<String, String> env = new HashMap<>(journal);
        env.put("HTTP_PORT", String.valueOf(port));
        return start(phase, settings, arguments, env, port, jfr);
    }

    /** The no-op Pekko HTTP endpoint, from this JVM's class path, with the servers' flags. */
    static ServerUnderTest noop(String phase, BenchSettings settings) {
        int port = FreePorts.freePort();
        List<String> arguments = new ArrayList<>(jvmFlags(settings));
        Optional<Path> jfr = flightRecorder(phase, settings, arguments);
        arguments.addAll(List.of("-cp", System.getProperty("java.class.path"), NoopServer.class.getName(),
                HOST, String.valueOf(port)));
        return start(phase, settings, arguments, Map.of(), port, jfr);
    }

    /** {@link NaiveAppendLog} on {@code jdbcUrl}, from this JVM's class path, with the servers' flags. */
    static ServerUnderTest naiveAppendLog(String phase, BenchSettings settings, String jdbcUrl, String user,
                                          String password) {
        int port = FreePorts.freePort();
        List<String> arguments = new ArrayList<>(jvmFlags(settings));
        Optional<Path> jfr = flightRecorder(phase, settings, arguments);
        arguments.addAll(List.of("-cp", System.getProperty("java.class.path"), NaiveAppendLog.class.getName(),
                HOST, String.valueOf(port), jdbcUrl, user, password));
        return start(phase, settings, arguments, Map.of(), port, jfr);
    }

    private static Optional<Path> flightRecorder(String phase, BenchSettings settings, List<String> arguments) {
        if (!settings.profile()) {
            return Optional.empty();
        }
        Path jfr = settings.dir().resolve(phase + ".jfr");
        arguments.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
        return Optional.of(jfr);
    }

    private static ServerUnderTest start(String phase, BenchSettings settings, List<String> arguments,
                                         Map<String, String> env, int port, Optional<Path> jfr) {
        Path log = settings.dir().resolve(phase + ".log");
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JavaProcess process = JavaProcess.start(phase, arguments, env, settings.dir(), log);
        ServerUnderTest server = new ServerUnderTest(phase, new Endpoint(HOST, port), process, jfr, settings);
        Benchmarks.log("%s: started pid %d on port %d (log %s)", phase, process.pid(), port, log);
        return server;
    }

    /** Waits until {@code GET /health/ready} answers 200. */
    ServerUnderTest awaitReady(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            process.requireAlive();
            try {
                if (get("/health/ready").status() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(phase + " not ready within " + within + ":\n" + process.tail(30));
    }

    HttpConnection.Reply get(String path) throws IOException {
        return HttpConnection.call(endpoint.host(), endpoint.port(), "GET", path, null, null, 30_000);
    }

    HttpConnection.Reply put(String path, String json) throws IOException {
        return HttpConnection.call(endpoint.host(), endpoint.port(), "PUT", path, "application/json", json, 30_000);
    }

    /** {@code GET /metrics}, parsed; no samples when the node has no such endpoint. */
    Scrape metrics() throws IOException {
        HttpConnection.Reply reply = get("/metrics");
        return Scrape.parse(reply.status() == 200 ? reply.body() : "");
    }

    /** The sum of the samples of {@code name} with these label pairs, if the node reports any. */
    OptionalDouble metric(String name, String... labels) throws IOException {
        List<Scrape.Sample> samples = metrics().matching(name, labels);
        return samples.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of(samples.stream().mapToDouble(Scrape.Sample::value).sum());
    }

    /** Two full collections ({@code jcmd <pid> GC.run}): what is left is live. */
    void fullGc() {
        jcmd("GC.run");
        jcmd("GC.run");
    }

    /**
     * Heap in use after a full collection: {@code jvm_memory_used_bytes{area="heap"}} summed over the pools but Eden from
     * {@code /metrics}; where the node has no such metric, the used figure of
     * {@code jcmd <pid> GC.heap_info}. The second element says which.
     */
    HeapReading heapUsed() throws IOException {
        // Right after a full collection Eden is empty: whatever is in it now (the scrape's own
        // garbage, a timer's) is not live, so only the other pools count.
        List<Scrape.Sample> heap = metrics().matching("jvm_memory_used_bytes", "area", "heap");
        if (!heap.isEmpty()) {
            long bytes = (long) heap.stream().filter(sample -> !sample.labels().getOrDefault("id", "").contains("Eden"))
                    .mapToDouble(Scrape.Sample::value).sum();
            return new HeapReading(bytes, "GET /metrics jvm_memory_used_bytes{area=heap}, all pools but Eden");
        }
        Matcher m = Pattern.compile("used (\\d+)K").matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            throw new IllegalStateException("no heap figure from /metrics or jcmd GC.heap_info");
        }
        return new HeapReading(Long.parseLong(m.group(1)) * 1024, "jcmd GC.heap_info (no jvm_memory_used_bytes in /metrics)");
    }

    record HeapReading(long bytes, String source) {
    }

    /** The live objects by class ({@code jcmd <pid> GC.class_histogram}, which collects first): where the heap goes. */
    String classHistogram() {
        return jcmd("GC.class_histogram");
    }

    private String jcmd(String command) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(process.pid()), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + command + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    /**
     * SIGTERM and wait for the exit (the journal is flushed and, for H2, its file released);
     * with {@code bench.profile}, then summarises the flight recording.
     */
    void stop() throws InterruptedException {
        if (!process.isAlive()) {
            RUNNING.remove(this);
            return;
        }
        int exit = process.terminate(Duration.ofSeconds(120));
        RUNNING.remove(this);
        Benchmarks.log("%s: stopped (exit %d)", phase, exit);
        if (flightRecording.isPresent() && Files.isRegularFile(flightRecording.get())) {
            Path out = settings.dir().resolve(phase + "-hot-methods.txt");
            try {
                String summary = HotMethods.summarize(flightRecording.get(), 25);
                Files.writeString(out, summary);
                Benchmarks.log("%s: hot methods in %s\n%s", phase, out, summary.lines().limit(30)
                        .reduce((a, b) -> a + "\n" + b).orElse(""));
            } catch (IOException e) {
                Benchmarks.log("%s: could not read the flight recording: %s", phase, e);
            }
        }
    }

    @Override
    public void close() {
        process.close();
        RUNNING.remove(this);
    }

    /** Kills every server still running: the shutdown hook's last resort. */
    static void killAll() {
        for (ServerUnderTest s : RUNNING) {
            s.process.close();
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}

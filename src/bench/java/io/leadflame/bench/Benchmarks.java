package io.leadflame.bench;

import io.leadflame.testing.TestDatabase;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark suite of issue 5: {@code mvn -B -Pbench -DskipTests verify}. Runs, as
 * {@code bench.scenarios} selects:
 * <ol>
 *   <li>baselines: the no-op Pekko HTTP endpoint under the single-event and batched loads
 *   ({@link NoopBaseline}); the raw insert rate of each journal runs after that journal's
 *   phase, when its row size is known ({@link IngestionPhase});</li>
 *   <li>per journal in {@code bench.journals}: batched and single-event ingestion, then latency at
 *   25/50/80 % of the single-event maximum ({@link IngestionPhase}); with baselines, the no-op
 *   endpoint's latency at the same rates;</li>
 *   <li>rescoring, memory and a restart at each of {@code bench.scales} on H2 ({@link ModelPhase});</li>
 *   <li>an initial import of new contacts beside the same load on existing ones ({@link ImportPhase});</li>
 *   <li>Kafka ingestion beside a bare consumer of the same records on the same broker ({@link KafkaPhase}).</li>
 * </ol>
 * Writes {@code target/bench/results.json} and {@code summary.md} and prints the summary. Every
 * server runs in a JVM of its own and is stopped at the end of its phase; a shutdown hook kills
 * any still running and drops the PostgreSQL databases if the run is cut short.
 */
public final class Benchmarks {

    private static final Set<TestDatabase> DATABASES = ConcurrentHashMap.newKeySet();
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Benchmarks() {
    }

    public static void main(String[] args) throws IOException {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        Files.createDirectories(settings.dir());
        Results results = new Results(settings, machine(settings));
        // Ctrl-C or a kill: no server left running, no database left behind, and what was
        // measured so far still written.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cleanUp();
            if (!results.written()) {
                results.error("the run was interrupted (signal) before it finished");
                writeQuietly(results, settings);
            }
        }, "bench-cleanup"));
        log("settings %s; results in %s", settings.describe(), settings.dir());
        try {
            if (settings.runs("baselines")) {
                NoopBaseline.run(settings, results);
            }
            if (settings.runs("ingestion") || settings.runs("latency") || settings.runs("baselines")) {
                for (String journal : settings.journals()) {
                    IngestionPhase.run(journal, settings, results);
                }
            }
            if (settings.runs("baselines") && settings.runs("latency")) {
                NoopBaseline.latency(settings, results);
            }
            if (settings.runs("named-cost")) {
                LeadsPhase.namedScoresCost(settings, results);
            }
            if (settings.runs("leads-cost")) {
                LeadsPhase.ingestionCost(settings, results);
            }
            if (settings.runs("webhooks")) {
                WebhooksPhase.run(settings, results);
            }
            if (settings.runs("import")) {
                ImportPhase.run(settings, results);
            }
            if (settings.runs("kafka")) {
                KafkaPhase.run(settings, results);
            }
            if (settings.runs("heavy-contact")) {
                HeavyContactPhase.run(settings, results);
            }
            if (settings.runs("rescoring") || settings.runs("memory") || settings.runs("leads")
                    || settings.runs("restart")) {
                ModelPhase.run(settings, results);
            }
        } catch (Exception | AssertionError e) {
            results.error(e.toString());
            e.printStackTrace();
        } finally {
            cleanUp();
            writeQuietly(results, settings);
        }
        System.out.println();
        System.out.println(results.summary());
        System.out.println("Results: " + settings.dir().resolve("results.json") + ", " + settings.dir().resolve("summary.md"));
        // Targets not met are results, not failures; a phase that broke fails the build.
        System.exit(results.failed() ? 1 : 0);
    }

    private static void writeQuietly(Results results, BenchSettings settings) {
        try {
            results.write(settings.dir());
        } catch (IOException e) {
            System.err.println("could not write the results to " + settings.dir() + ": " + e);
        }
    }

    /** A fresh PostgreSQL database {@code leadflame_bench_<timestamp>}, dropped at the end whatever happens. */
    static TestDatabase database() {
        String name = "leadflame_bench_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
        TestDatabase db = TestDatabase.create(name);
        DATABASES.add(db);
        log("PostgreSQL database %s created", name);
        return db;
    }

    static void drop(TestDatabase db) {
        db.close();
        DATABASES.remove(db);
        log("PostgreSQL database %s dropped", db.name());
    }

    private static void cleanUp() {
        ServerUnderTest.killAll();
        for (TestDatabase db : DATABASES) {
            try {
                drop(db);
            } catch (RuntimeException e) {
                System.err.println("could not drop " + db.name() + ": " + e.getMessage());
            }
        }
    }

    static void log(String format, Object... args) {
        System.out.println("[bench " + LocalDateTime.now().format(CLOCK) + "] " + String.format(format, args));
        System.out.flush();
    }

    /** What the figures were measured on: a ratio travels, an absolute figure needs this. */
    private static Map<String, Object> machine(BenchSettings settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memoryBytes", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize());
        m.put("cpu", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("javaVersion", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("serverJvmFlags", ServerUnderTest.jvmFlags(settings));
        m.put("loadGeneratorJvmFlags", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-Dbench.") && !a.startsWith("-Dleadflame.")).toList());
        m.put("gitCommit", git(settings.basedir(), "rev-parse", "HEAD"));
        m.put("gitDirty", !git(settings.basedir(), "status", "--porcelain", "--untracked-files=no").isEmpty());
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String git(Path dir, String... args) {
        try {
            List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}

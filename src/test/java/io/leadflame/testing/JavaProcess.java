package io.leadflame.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started as a child process ({@code java <flags> -jar ...} or a main class), its stdout
 * and stderr appended to a log file: the packaged node of the failover ITs and the server under
 * test of the benchmarks alike. Closing it never leaves the process behind.
 */
public final class JavaProcess implements AutoCloseable {

    /** Exit status Java reports for a process ended by signal N: 128 + N. */
    public static final int KILLED_BY_SIGKILL = 128 + 9;
    public static final int KILLED_BY_SIGTERM = 128 + 15;

    private final String name;
    private final Path log;
    private final Process process;

    private JavaProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /** The {@code java} launcher of the running JVM, so children run the same Java. */
    public static String javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The packaged service, {@code target/leadflame.jar} unless {@code leadflame.it.jar} names
     * another; fails with a hint when it was not built.
     */
    public static Path leadflameJar() {
        Path jar = Path.of(System.getProperty("leadflame.it.jar", "target/leadflame.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: it is built by 'package' (mvn -B verify)");
        }
        return jar;
    }

    /**
     * Starts {@code java <arguments>} in {@code workDir} with {@code env} added to this process's
     * environment, appending its output to {@code log}.
     */
    public static JavaProcess start(String name, List<String> arguments, Map<String, String> env, Path workDir,
                                    Path log) {
        return start(name, List.of(), arguments, env, workDir, log);
    }

    /**
     * {@code <prefix> java <arguments>}: the prefix must exec java in its own process (as
     * {@code ip netns exec <namespace>} does), so that signals reach the JVM.
     */
    public static JavaProcess start(String name, List<String> prefix, List<String> arguments, Map<String, String> env,
                                    Path workDir, Path log) {
        List<String> command = new ArrayList<>(prefix);
        command.add(javaLauncher());
        command.addAll(arguments);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        try {
            return new JavaProcess(name, log, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + command, e);
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Fails with the exit status and the log's place when the process is no longer running. */
    public void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
        }
    }

    /** Waits for the process to exit on its own; fails with its log's tail unless it exits 0 in time. */
    public void waitFor(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still runs after " + within + ":\n" + tail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + name, e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(30));
        }
    }

    /** SIGKILL ({@link Process#destroyForcibly}): no shutdown hook runs; returns the exit status. */
    public int kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " still runs 15 s after SIGKILL");
        }
        return process.exitValue();
    }

    /** SIGTERM ({@link Process#destroy}): the JVM's shutdown runs; returns the exit status. */
    public int terminate(Duration within) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(15, TimeUnit.SECONDS);
            throw new IllegalStateException(name + " did not exit within " + within + " of SIGTERM; killed");
        }
        return process.exitValue();
    }

    /** The last lines of the log, for failure messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Never leaves a process behind: SIGKILL if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ")";
    }
}

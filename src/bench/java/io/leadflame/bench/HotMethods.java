package io.leadflame.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the server spent its CPU on, from a flight recording ({@code settings=profile}): the
 * {@code jdk.ExecutionSample} events (Java threads sampled while running Java code) counted by
 * their top frame (self time), by the top frame's package, and for Leadflame's own methods by
 * presence anywhere on the stack (total time: the dispatcher and pool frames every stack has
 * would tell nothing). What {@code jfr print --events jdk.ExecutionSample} aggregated by hand would
 * give, read with the JDK's own recording reader instead of parsing megabytes of text.
 */
final class HotMethods {

    private HotMethods() {
    }

    static String summarize(Path recording, int top) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> packages = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        long samples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = stack.getFrames();
                self.merge(name(frames.get(0)), 1L, Long::sum);
                String type = frames.get(0).getMethod().getType().getName();
                packages.merge(type.contains(".") ? type.substring(0, type.lastIndexOf('.')) : type, 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    if (n.startsWith("io.leadflame.") && seen.add(n)) {
                        total.merge(n, 1L, Long::sum);
                    }
                }
                String thread = event.getThread("sampledThread") == null ? "?"
                        : event.getThread("sampledThread").getJavaName();
                threads.merge(thread == null ? "?" : thread.replaceAll("-\\d+$", "-N"), 1L, Long::sum);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("Flight recording ").append(recording.getFileName()).append(": ").append(samples)
                .append(" execution samples\n");
        table(out, "Top methods by self samples (the frame on top of the stack)", self, samples, top);
        table(out, "Self samples by package of the top frame", packages, samples, top);
        table(out, "Leadflame's methods by total samples (anywhere on the stack)", total, samples, top);
        table(out, "Samples by thread (numbered threads folded)", threads, samples, 15);
        return out.toString();
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void table(StringBuilder out, String title, Map<String, Long> counts, long samples, int top) {
        out.append('\n').append(title).append('\n');
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.append(String.format("%7d %5.1f%%  %s%n", e.getValue(),
                        samples == 0 ? 0.0 : 100.0 * e.getValue() / samples, e.getKey())));
    }
}

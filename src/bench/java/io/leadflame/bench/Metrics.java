package io.leadflame.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One scrape of a node's {@code GET /metrics} (Prometheus text format): the samples, summed by
 * name and labels. Only what the benchmark reads: counters and gauges, no histograms maths.
 */
final class Metrics {

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private Metrics(List<Sample> samples) {
        this.samples = samples;
    }

    static Metrics scrape(Endpoint node) throws IOException {
        HttpConnection.Reply reply = HttpConnection.call(node.host(), node.port(), "GET", "/metrics", null, null, 30_000);
        if (reply.status() != 200) {
            return new Metrics(List.of());
        }
        return parse(reply.body());
    }

    static Metrics parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name;
            Map<String, String> labels = new HashMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                int close = line.lastIndexOf('}');
                parseLabels(line.substring(brace + 1, close), labels);
            } else {
                name = line.substring(0, line.indexOf(' '));
            }
            try {
                // The value is the first number after the name and labels (a timestamp may follow).
                String rest = line.substring(brace >= 0 ? line.lastIndexOf('}') + 1 : name.length()).trim();
                samples.add(new Sample(name, labels, Double.parseDouble(rest.split(" ")[0])));
            } catch (NumberFormatException e) {
                // NaN/Inf spelled otherwise: not a sample the benchmark reads
            }
        }
        return new Metrics(samples);
    }

    private static void parseLabels(String text, Map<String, String> labels) {
        int i = 0;
        while (i < text.length()) {
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                return;
            }
            String key = text.substring(i, eq).trim();
            int open = text.indexOf('"', eq);
            StringBuilder value = new StringBuilder();
            int j = open + 1;
            while (j < text.length() && text.charAt(j) != '"') {
                if (text.charAt(j) == '\\' && j + 1 < text.length()) {
                    j++;
                }
                value.append(text.charAt(j++));
            }
            labels.put(key, value.toString());
            i = text.indexOf(',', j);
            if (i < 0) {
                return;
            }
            i++;
        }
    }

    /** The sum of every sample of {@code name} whose labels include {@code match}; empty if none. */
    OptionalDouble sum(String name, Map<String, String> match) {
        double total = 0;
        boolean any = false;
        for (Sample s : samples) {
            if (s.name.equals(name) && s.labels.entrySet().containsAll(match.entrySet())) {
                total += s.value;
                any = true;
            }
        }
        return any ? OptionalDouble.of(total) : OptionalDouble.empty();
    }

    OptionalDouble sum(String name) {
        return sum(name, Map.of());
    }
}

package io.leadflame.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A {@code GET /metrics} answer read as samples, just enough of the Prometheus text format for
 * the tests and the benchmarks: {@code name{label="value",...} value} lines; comments are skipped.
 */
public record Scrape(String text, List<Sample> samples) {

    /** One line: a metric name, its labels and its value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(sample(line));
            }
        }
        return new Scrape(text, samples);
    }

    /**
     * The sum of the samples named {@code name} whose labels include the {@code labels} pairs
     * (name, value, name, value...); fails when there is none.
     */
    public double value(String name, String... labels) {
        List<Sample> matching = matching(name, labels);
        assertFalse(matching.isEmpty(), "no sample " + name + " " + List.of(labels) + " in:\n" + text);
        return matching.stream().mapToDouble(Sample::value).sum();
    }

    /** Like {@link #value} but 0 when no sample matches (a series not created yet). */
    public double valueOrZero(String name, String... labels) {
        return matching(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    public List<Sample> matching(String name, String... labels) {
        assertEquals(0, labels.length % 2, "labels come in name, value pairs");
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            boolean matches = s.name().equals(name);
            for (int i = 0; matches && i < labels.length; i += 2) {
                matches = labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (matches) {
                out.add(s);
            }
        }
        return out;
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        int end;
        String name;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            end = labels(line, brace + 1, labels);
        } else {
            name = line.substring(0, space);
            end = space;
        }
        String[] rest = line.substring(end).trim().split(" ");
        return new Sample(name, labels, number(rest[0]));
    }

    /** Reads {@code a="x",b="y"}} from {@code from}; returns the index after the closing brace. */
    private static int labels(String line, int from, Map<String, String> into) {
        int i = from;
        while (line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String key = line.substring(i, eq);
            assertEquals('"', line.charAt(eq + 1), "a label value is quoted: " + line);
            StringBuilder value = new StringBuilder();
            i = eq + 2;
            for (char c = line.charAt(i); c != '"'; c = line.charAt(++i)) {
                if (c == '\\') {
                    char escaped = line.charAt(++i);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
            }
            into.put(key, value.toString());
            i++;
            if (line.charAt(i) == ',') {
                i++;
            }
        }
        return i + 1;
    }

    private static double number(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}

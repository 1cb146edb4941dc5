package io.leadflame.scoring;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ISO-8601 duration limited to weeks, days, hours, minutes and seconds ({@code P2W},
 * {@code P28D}, {@code P1DT6H}): months and years are refused because their length varies.
 * The text is kept as the user wrote it, so a model reads back exactly as it was saved.
 */
public record IsoDuration(String text, Duration length) {

    private static final Pattern ISO = Pattern.compile(
            "P(?:(\\d{1,6})W)?(?:(\\d{1,7})D)?(?:T(?:(\\d{1,8})H)?(?:(\\d{1,10})M)?(?:(\\d{1,12})S)?)?");

    /** The duration written in {@code text}, or empty if it is not of the accepted form or is under one second. */
    public static Optional<IsoDuration> parse(String text) {
        Matcher m = ISO.matcher(text);
        if (!m.matches() || text.equals("P") || text.endsWith("T")) {
            return Optional.empty();
        }
        Duration d = Duration.ofDays(7 * number(m.group(1)) + number(m.group(2)))
                .plusHours(number(m.group(3)))
                .plusMinutes(number(m.group(4)))
                .plusSeconds(number(m.group(5)));
        return d.getSeconds() >= 1 ? Optional.of(new IsoDuration(text, d)) : Optional.empty();
    }

    private static long number(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }

    @Override
    public String toString() {
        return text;
    }
}

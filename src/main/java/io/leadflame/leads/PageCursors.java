package io.leadflame.leads;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The opaque {@code next} of a paged list (the call list, the velocity order, the accounts): the
 * parts of the place it continues after, joined by colons in URL-safe base64. Only the last part
 * may hold colons (a contact id can).
 */
final class PageCursors {

    private PageCursors() {
    }

    static String encode(Object... parts) {
        StringBuilder text = new StringBuilder();
        for (Object part : parts) {
            text.append(text.isEmpty() ? "" : ":").append(part);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code parts} parts of what {@link #encode} gave, or empty for anything else. */
    static Optional<String[]> decode(String encoded, int parts) {
        try {
            String[] split = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8).split(":", parts);
            return split.length == parts ? Optional.of(split) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not base64
        }
    }

    /** A part that is a whole number, or empty. */
    static Optional<Long> number(String part) {
        try {
            return Optional.of(Long.parseLong(part));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

package io.leadflame.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /events} request encoded once, before measuring, whose contact ids, event ids and
 * {@code occurredAt}s are fixed-width placeholders ("slots") that {@link RequestWriter} overwrites
 * in a copy for each send. The body length never changes, so neither does Content-Length: the
 * measured loop copies bytes and writes digits, and builds no JSON.
 */
final class RequestTemplate {

    /** A contact id is {@code c-} and these seven digits (up to 10 million contacts). */
    static final String CONTACT = "c-CCCCCCC";
    static final int CONTACT_DIGITS = 7;
    /** An event id: 16 digits from one counter of the generator, unique within a run. */
    static final String EVENT_ID = "EEEEEEEEEEEEEEEE";
    /** An {@code occurredAt} at whole seconds, {@code 2026-11-23T10:00:00Z}: 20 characters. */
    static final String OCCURRED_AT = "TTTTTTTTTTTTTTTTTTTT";

    final byte[] bytes;
    final int[] contactSlots;
    final int[] eventIdSlots;
    final int[] timeSlots;

    private RequestTemplate(byte[] bytes, int[] contactSlots, int[] eventIdSlots, int[] timeSlots) {
        this.bytes = bytes;
        this.contactSlots = contactSlots;
        this.eventIdSlots = eventIdSlots;
        this.timeSlots = timeSlots;
    }

    /** Events in the request: one event id slot each. */
    int events() {
        return eventIdSlots.length;
    }

    /** {@code POST path} with {@code body}, events written with the placeholders above. */
    static RequestTemplate of(String host, String path, String contentType, String body) {
        byte[] request = HttpConnection.encode("POST", host, path, contentType, body.getBytes(StandardCharsets.UTF_8));
        // Contact slots point at the digits, after "c-".
        int[] contacts = find(request, CONTACT.substring(2), 0);
        return new RequestTemplate(request, contacts, find(request, EVENT_ID, 0), find(request, OCCURRED_AT, 0));
    }

    private static int[] find(byte[] bytes, String placeholder, int from) {
        byte[] p = placeholder.getBytes(StandardCharsets.US_ASCII);
        List<Integer> at = new ArrayList<>();
        outer:
        for (int i = from; i + p.length <= bytes.length; i++) {
            for (int k = 0; k < p.length; k++) {
                if (bytes[i + k] != p[k]) {
                    continue outer;
                }
            }
            at.add(i);
            i += p.length - 1;
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }
}

package io.leadflame.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fills a {@link RequestTemplate} into a buffer of its own (one writer per connection thread):
 * contact ids, fresh event ids and the current second. Allocates nothing once the buffer fits the
 * largest template, except one formatted instant per second.
 */
final class RequestWriter {

    /** Event ids of the whole run: every event the generator sends has its own. */
    private static final AtomicLong NEXT_EVENT_ID = new AtomicLong(1);

    private byte[] buffer = new byte[0];
    private long second = Long.MIN_VALUE;
    private final byte[] now = new byte[RequestTemplate.OCCURRED_AT.length()];
    private final SplittableRandom random;
    private int events;

    RequestWriter(long seed) {
        this.random = new SplittableRandom(seed);
    }

    byte[] buffer() {
        return buffer;
    }

    /** Events in the request written last. */
    int events() {
        return events;
    }

    /** Each event about a contact drawn uniformly from {@code [0, contacts)}; returns the length. */
    int random(RequestTemplate t, int contacts) {
        int length = copy(t);
        for (int slot : t.contactSlots) {
            digits(slot, RequestTemplate.CONTACT_DIGITS, random.nextInt(contacts));
        }
        return finish(t, length);
    }

    /**
     * Event {@code i} about contact {@code firstContact + i / eventsPerContact}: a contact's events
     * together, contacts in order (creating or seeding contacts); returns the length.
     */
    int sequential(RequestTemplate t, int firstContact, int eventsPerContact) {
        int length = copy(t);
        int[] slots = t.contactSlots;
        for (int i = 0; i < slots.length; i++) {
            digits(slots[i], RequestTemplate.CONTACT_DIGITS, firstContact + i / eventsPerContact);
        }
        return finish(t, length);
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    private int copy(RequestTemplate t) {
        if (buffer.length < t.bytes.length) {
            buffer = new byte[t.bytes.length];
        }
        System.arraycopy(t.bytes, 0, buffer, 0, t.bytes.length);
        return t.bytes.length;
    }

    private int finish(RequestTemplate t, int length) {
        events = t.events();
        long id = NEXT_EVENT_ID.getAndAdd(t.eventIdSlots.length);
        for (int slot : t.eventIdSlots) {
            digits(slot, RequestTemplate.EVENT_ID.length(), id++);
        }
        if (t.timeSlots.length > 0) {
            refreshNow();
            for (int slot : t.timeSlots) {
                System.arraycopy(now, 0, buffer, slot, now.length);
            }
        }
        return length;
    }

    /** occurredAt is the current second: "now-ish", never in the future beyond the API's 5 minutes. */
    private void refreshNow() {
        long s = System.currentTimeMillis() / 1000;
        if (s != second) {
            second = s;
            byte[] text = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(s)).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, now, 0, now.length);
        }
    }

    private void digits(int at, int width, long value) {
        long v = value;
        for (int i = at + width - 1; i >= at; i--) {
            buffer[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
    }
}

package io.leadflame.contact;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the events this node is writing at once (issue 13). A request is admitted whole or not
 * at all, before its body is parsed and before any of its events reaches a contact: admitted work
 * fits what the node can write within the write timeout, and a refused request costs next to
 * nothing and changes nothing, so its client can simply send it again later. An idle node admits
 * any request, however large.
 *
 * <p>A request is admitted for the most events its body can hold ({@link #mostEvents}), then
 * keeps only the places of its valid events once it is parsed, and gives those back when its
 * writes have ended, either way.
 */
public final class WriteAdmission {

    /**
     * The shortest event there is, {@code {"contactId":"c","type":"t"}}, is 28 bytes, and events
     * are apart by at least one (a line end, a comma): {@code n} events take at least
     * {@code 29n - 1} bytes.
     */
    private static final int SMALLEST_EVENT_BYTES = 28;

    private final long maxInFlight;
    private final AtomicLong inFlight = new AtomicLong();

    public WriteAdmission(long maxInFlightEvents) {
        if (maxInFlightEvents < 1) {
            throw new IllegalArgumentException("maxInFlightEvents must be positive");
        }
        this.maxInFlight = maxInFlightEvents;
    }

    /**
     * The most events a body of {@code bytes} (empty: not declared, a chunked body) can hold,
     * given that a request holds at most {@code maxPerRequest}.
     */
    public static int mostEvents(OptionalLong bytes, int maxPerRequest) {
        return bytes.isEmpty() ? maxPerRequest
                : (int) Math.min(maxPerRequest, Math.max(1, (bytes.getAsLong() + 1) / (SMALLEST_EVENT_BYTES + 1)));
    }

    /** Places for {@code events} if they fit (or nothing else is in flight); empty takes none. */
    public Optional<Ticket> tryAdmit(long events) {
        while (true) {
            long now = inFlight.get();
            if (now > 0 && now + events > maxInFlight) {
                return Optional.empty();
            }
            if (inFlight.compareAndSet(now, now + events)) {
                return Optional.of(new Ticket(events));
            }
        }
    }

    /** Events admitted and not yet written (or failed). */
    public long inFlight() {
        return inFlight.get();
    }

    /** The places one request holds. */
    public final class Ticket {
        private final AtomicLong held;

        private Ticket(long events) {
            this.held = new AtomicLong(events);
        }

        /** Gives back all but {@code events} places: the request turned out to hold fewer. */
        public void keep(long events) {
            long before = held.getAndUpdate(h -> Math.min(h, events));
            inFlight.addAndGet(-(before - Math.min(before, events)));
        }

        /** Gives back every place still held; once is enough, more are harmless. */
        public void release() {
            inFlight.addAndGet(-held.getAndSet(0));
        }
    }
}

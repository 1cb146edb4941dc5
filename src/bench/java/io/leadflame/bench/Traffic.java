package io.leadflame.bench;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The request streams of the benchmark, built from {@link EventMix} templates once per run: the
 * same single-event and batched traffic goes to the no-op baseline and to each journal.
 */
final class Traffic {

    static final String HOST = "127.0.0.1";
    static final int BATCH = 1_000;
    /**
     * Contacts created per request in the (unmeasured) creation pass. A contact's first event
     * starts its entity (and a remember-entities write), far slower than an event for a live
     * one: 1,000 new contacts in one request can exceed the server's 10 s ask timeout (503)
     * on a 2-core machine; 100 stay well inside it.
     */
    static final int CREATE_BATCH = 100;

    private static List<RequestTemplate> singles;
    private static List<RequestTemplate> batches;

    private Traffic() {
    }

    /** One event of the mix per request, about a contact drawn uniformly from {@code contacts}. */
    static synchronized IntFunction<ClosedLoad.Requests> singleEvents(int contacts) {
        if (singles == null) {
            singles = EventMix.singleEvents(HOST, 42, 4096);
        }
        return random(singles, contacts);
    }

    /** NDJSON batches of 1,000 events of the mix, each about a contact drawn uniformly. */
    static synchronized IntFunction<ClosedLoad.Requests> batches(int contacts) {
        if (batches == null) {
            batches = EventMix.batches(HOST, 43, 16, BATCH);
        }
        return random(batches, contacts);
    }

    private static IntFunction<ClosedLoad.Requests> random(List<RequestTemplate> templates, int contacts) {
        return connection -> writer -> writer.random(templates.get(writer.nextInt(templates.size())), contacts);
    }

    /** Creates contacts {@code [0, contacts)} with one event each, {@link #CREATE_BATCH} a request, in order. */
    static IntFunction<ClosedLoad.Requests> creation(int contacts) {
        RequestTemplate full = EventMix.creation(HOST, Math.min(CREATE_BATCH, contacts));
        RequestTemplate last = EventMix.creation(HOST, contacts % CREATE_BATCH == 0 ? CREATE_BATCH : contacts % CREATE_BATCH);
        return inOrder(0, contacts, CREATE_BATCH, 1, (first, count) -> count == CREATE_BATCH ? full : last);
    }

    /**
     * Seeds contacts {@code [from, to)} with a history of {@link EventMix#HISTORY_EVENTS} events each,
     * {@code contactsPerRequest} whole histories a request.
     */
    static IntFunction<ClosedLoad.Requests> histories(int from, int to, int contactsPerRequest, Instant now) {
        List<RequestTemplate> full = EventMix.histories(HOST, 44, 32, contactsPerRequest, now);
        int remainder = (to - from) % contactsPerRequest;
        RequestTemplate last = remainder == 0 ? null : EventMix.histories(HOST, 45, 1, remainder, now).get(0);
        return inOrder(from, to, contactsPerRequest, EventMix.HISTORY_EVENTS,
                (first, count) -> count == contactsPerRequest ? full.get((first / count) % full.size()) : last);
    }

    interface TemplateFor {
        RequestTemplate of(int firstContact, int contacts);
    }

    /** Contacts {@code [from, to)} in requests of {@code perRequest} contacts, shared by all connections. */
    private static IntFunction<ClosedLoad.Requests> inOrder(int from, int to, int perRequest, int eventsPerContact,
                                                            TemplateFor template) {
        AtomicInteger next = new AtomicInteger(from);
        return connection -> writer -> {
            int first = next.getAndAdd(perRequest);
            if (first >= to) {
                return -1;
            }
            int count = Math.min(perRequest, to - first);
            return writer.sequential(template.of(first, count), first, eventsPerContact);
        };
    }
}

package io.leadflame.scoring;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared instance for the names and values that a million contacts repeat: tag, field and
 * activity names, short string values, and whole attribute maps ({@code {"url": "/pricing"}} is
 * the same for every contact that clicked it). Sharing them is what keeps a contact's history
 * within a few hundred bytes; it changes no result, since shared instances are equal to the
 * ones they replace and immutable.
 */
final class Canonical {

    /** Longer strings are rarely repeated: interning them would only cost lookups. */
    private static final int MAX_INTERNED_LENGTH = 64;
    /**
     * A bound on the shared attribute maps (each ~100–200 bytes), so that unique values (a
     * duration in seconds, a URL with a session id) cannot grow the table without end; past it
     * new maps are simply kept unshared by their contact.
     */
    private static final int MAX_SHARED_MAPS = 1 << 18;
    private static final ConcurrentHashMap<Map<String, Object>, Map<String, Object>> MAPS = new ConcurrentHashMap<>();

    private Canonical() {
    }

    /** A name: interned (the JVM's string table drops it again once no contact holds it). */
    static String name(String name) {
        return name.intern();
    }

    /** Small whole numbers (a company's employees, a count of seats) share one boxed instance each. */
    private static final Long[] SMALL_LONGS = new Long[1 << 16];

    /** A scalar value (already normalized): short strings interned, small longs shared, other values as they are. */
    static Object value(Object value) {
        if (value instanceof String s && s.length() <= MAX_INTERNED_LENGTH) {
            return s.intern();
        }
        if (value instanceof Long l && l >= 0 && l < SMALL_LONGS.length) {
            // A benign race: two threads may each store an equal Long (immutable, final field).
            int i = (int) l.longValue();
            Long shared = SMALL_LONGS[i];
            if (shared == null) {
                SMALL_LONGS[i] = l;
                return l;
            }
            return shared;
        }
        return value;
    }

    /** An immutable attribute map equal to {@code attributes}, shared with the contacts that have the same. */
    static Map<String, Object> attributes(Map<String, Object> attributes) {
        if (attributes.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> shared = MAPS.get(attributes);
        if (shared != null) {
            return shared;
        }
        Map<String, Object> copy = new HashMap<>(attributes.size() * 2);
        attributes.forEach((k, v) -> copy.put(name(k), value(Values.normalize(v))));
        Map<String, Object> immutable = Map.copyOf(copy);
        if (MAPS.size() >= MAX_SHARED_MAPS) {
            return immutable;
        }
        Map<String, Object> raced = MAPS.putIfAbsent(immutable, immutable);
        return raced == null ? immutable : raced;
    }
}

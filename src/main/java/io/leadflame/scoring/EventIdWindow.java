package io.leadflame.scoring;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ids of a contact's most recent events, to drop a redelivered event. Ids are kept as
 * 64-bit hashes (8 bytes each instead of a string) — two different ids of one contact collide
 * with a chance of about n²/2⁶⁴, which for a window of 1,000 ids is below 10⁻¹³.
 *
 * @param hashes oldest first
 */
public record EventIdWindow(long[] hashes) {

    public static final EventIdWindow EMPTY = new EventIdWindow(new long[0]);

    public boolean contains(String eventId) {
        long h = hash(eventId);
        for (long x : hashes) {
            if (x == h) {
                return true;
            }
        }
        return false;
    }

    /** A window with {@code eventId} added, forgetting the oldest ids beyond {@code capacity}. */
    public EventIdWindow add(String eventId, int capacity) {
        int keep = Math.min(hashes.length, capacity - 1);
        long[] next = new long[keep + 1];
        System.arraycopy(hashes, hashes.length - keep, next, 0, keep);
        next[keep] = hash(eventId);
        return new EventIdWindow(next);
    }

    public int size() {
        return hashes.length;
    }

    /** FNV-1a over the UTF-8 bytes, then a 64-bit finalizer so that similar ids spread. */
    static long hash(String eventId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : eventId.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventIdWindow w && Arrays.equals(hashes, w.hashes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hashes);
    }

    @Override
    public String toString() {
        return "EventIdWindow[" + hashes.length + " ids]";
    }
}

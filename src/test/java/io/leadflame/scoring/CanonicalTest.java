package io.leadflame.scoring;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * What a million contacts share instead of each holding a copy: equal values come back as one
 * instance, and nothing comes back changed.
 */
class CanonicalTest {

    @Test
    void equalNamesAndShortStringsAreOneInstance() {
        String a = new String("jobTitle".toCharArray());
        String b = new String("jobTitle".toCharArray());
        assertSame(Canonical.name(a), Canonical.name(b));
        assertSame(Canonical.value(new String("CTO".toCharArray())), Canonical.value(new String("CTO".toCharArray())));
    }

    @Test
    void smallWholeNumbersAreOneInstanceAndOthersAreKeptAsTheyAre() {
        // Distinct boxes (not Long.valueOf's own cache, which stops at 127).
        Object first = Canonical.value(Long.valueOf(4_200L));
        Object second = Canonical.value(Long.valueOf(4_200L));
        assertSame(first, second);
        assertEquals(4_200L, second);
        assertEquals(70_000L, Canonical.value(70_000L));
        assertEquals(-5L, Canonical.value(-5L));
        assertEquals(2.5, Canonical.value(2.5));
    }

    @Test
    void equalAttributeMapsAreOneImmutableInstance() {
        Map<String, Object> one = new HashMap<>(Map.of("url", "/pricing", "seconds", 90L));
        Map<String, Object> two = new HashMap<>(Map.of("seconds", 90L, "url", "/pricing"));
        Map<String, Object> shared = Canonical.attributes(one);
        assertSame(shared, Canonical.attributes(two));
        assertEquals(one, shared);
        assertSame(Map.of(), Canonical.attributes(Map.of()));
    }
}

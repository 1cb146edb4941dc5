package io.leadflame.scoring;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strings compare case-insensitively as their {@link Values#lower} forms do, whether or not the
 * comparison makes those forms: every pair of a set of awkward strings (accented Latin-1, the
 * Latin-1 letters whose upper case is outside Latin-1, letters whose lower case is longer or
 * depends on the context, empty strings, one string inside another) gives what comparing the
 * lower-cased strings gives.
 */
class ValuesTest {

    private static final List<String> STRINGS = List.of(
            "", "a", "A", "/pricing", "/PRICING/plans", "/Pricing", "pricing", "Demo", "DEMO-form",
            "Ärger", "ärger", "ÄRGER", "straße", "STRASSE", "µ", "Μ", "ÿ", "Ÿ", "Àb", "àB",
            "İstanbul", "i̇stanbul", "istanbul", "ΟΔΟΣ", "οδος", "οδοσ", "x/İ", "ab", "b", "ba");

    @Test
    void caseInsensitiveComparisonsAreThoseOfTheLowerCasedStrings() {
        for (String a : STRINGS) {
            for (String b : STRINGS) {
                String pair = "'" + a + "' and '" + b + "'";
                assertEquals(Values.lower(a).equals(Values.lower(b)), Values.equalsIgnoringCase(a, b), pair);
                assertEquals(Values.lower(a).contains(Values.lower(b)), Values.containsIgnoringCase(a, b), pair);
                assertEquals(Values.lower(a).startsWith(Values.lower(b)), Values.startsWithIgnoringCase(a, b), pair);
                assertEquals(Values.lower(a).endsWith(Values.lower(b)), Values.endsWithIgnoringCase(a, b), pair);
            }
        }
    }

    @Test
    void whatARuleSeesOfCase() {
        assertTrue(Values.containsIgnoringCase("https://example.com/PRICING/plans", "/pricing"));
        assertTrue(Values.startsWithIgnoringCase("Ärger im Büro", "ärger"));
        assertTrue(Values.endsWithIgnoringCase("Sales DIRECTOR", "director"));
        assertTrue(Values.looselyEqual("ÄRGER", "ärger"));
        assertFalse(Values.looselyEqual("straße", "STRASSE"), "lower case does not expand ß");
        assertTrue(Values.looselyEqual("İstanbul", "i̇stanbul"), "outside Latin-1: as the lower-cased strings");
    }
}

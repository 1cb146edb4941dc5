package io.leadflame.scoring;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * The value semantics of event attributes and contact fields: strings, numbers and booleans.
 * Strings compare case-insensitively, numbers numerically (whatever their Java type after a
 * round trip through JSON or CBOR), booleans exactly; values of different types are never equal.
 */
public final class Values {
    private Values() {
    }

    public static boolean isScalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    /** Equality as {@code eq}, {@code neq} and {@code in} see it. */
    public static boolean looselyEqual(Object a, Object b) {
        if (a instanceof String sa && b instanceof String sb) {
            return sa.equals(sb) || equalsIgnoringCase(sa, sb);
        }
        if (a instanceof Number na && b instanceof Number nb) {
            return compareNumbers(na, nb) == 0;
        }
        if (a instanceof Boolean ba && b instanceof Boolean bb) {
            return ba.booleanValue() == bb.booleanValue();
        }
        return false;
    }

    /** Numeric order of two numbers of any Java type (integers exactly, others as doubles). */
    public static int compareNumbers(Number a, Number b) {
        if (isIntegral(a) && isIntegral(b)) {
            return Long.compare(a.longValue(), b.longValue());
        }
        if ((a instanceof BigDecimal || b instanceof BigDecimal || a instanceof BigInteger || b instanceof BigInteger)
                && isFinite(a) && isFinite(b)) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString()));
        }
        double x = a.doubleValue();
        double y = b.doubleValue();
        return x < y ? -1 : (x > y ? 1 : 0);
    }

    /**
     * Whether a number has a decimal form. Input never holds an infinite or NaN value (it is
     * refused when read), but journals written before that check may: such a value must still
     * compare and print rather than make a contact's handler throw.
     */
    private static boolean isFinite(Number n) {
        return !(n instanceof Double d && !Double.isFinite(d)) && !(n instanceof Float f && !Float.isFinite(f));
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
    }

    /** Locale-independent lower case, so that comparisons do not depend on the server's locale. */
    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    // The comparisons below are those of lower(a) and lower(b), without making either string
    // where both are Latin-1 (every character at most U+00FF, as URLs, campaign names and most
    // attribute values are): there lower case maps each character to one character, which
    // Character.toLowerCase gives. Elsewhere lower case may change a string's length (U+0130)
    // or depend on the neighbours (a final sigma), and the strings are made. A rescoring tests
    // a million contacts' activities; lowering each attribute value was 4 % of its samples.

    /** {@code lower(a).equals(lower(b))}. */
    public static boolean equalsIgnoringCase(String a, String b) {
        if (!latin1(a) || !latin1(b)) {
            return lower(a).equals(lower(b));
        }
        return a.length() == b.length() && foldedRegionEquals(a, 0, b);
    }

    /** {@code lower(s).contains(lower(part))}. */
    public static boolean containsIgnoringCase(String s, String part) {
        if (!latin1(s) || !latin1(part)) {
            return lower(s).contains(lower(part));
        }
        for (int from = 0; from + part.length() <= s.length(); from++) {
            if (foldedRegionEquals(s, from, part)) {
                return true;
            }
        }
        return false;
    }

    /** {@code lower(s).startsWith(lower(prefix))}. */
    public static boolean startsWithIgnoringCase(String s, String prefix) {
        if (!latin1(s) || !latin1(prefix)) {
            return lower(s).startsWith(lower(prefix));
        }
        return prefix.length() <= s.length() && foldedRegionEquals(s, 0, prefix);
    }

    /** {@code lower(s).endsWith(lower(suffix))}. */
    public static boolean endsWithIgnoringCase(String s, String suffix) {
        if (!latin1(s) || !latin1(suffix)) {
            return lower(s).endsWith(lower(suffix));
        }
        return suffix.length() <= s.length() && foldedRegionEquals(s, s.length() - suffix.length(), suffix);
    }

    private static boolean latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code part} is at {@code from} in {@code s}, both lower-cased (Latin-1 only). */
    private static boolean foldedRegionEquals(String s, int from, String part) {
        for (int i = 0; i < part.length(); i++) {
            char a = s.charAt(from + i);
            char b = part.charAt(i);
            if (a != b && Character.toLowerCase(a) != Character.toLowerCase(b)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The canonical JSON text of a scalar value (or null), used only to break ties between two
     * field updates at the same instant without event ids: the greater text wins.
     */
    public static String jsonText(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            StringBuilder out = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
        if (value instanceof Number n && !isIntegral(n) && isFinite(n)) {
            BigDecimal d = new BigDecimal(n.toString()).stripTrailingZeros();
            return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
        }
        return value.toString();
    }

    /**
     * The value normalized for storage: integral numbers become {@code Long}, other numbers
     * {@code Double}, so that scores do not depend on how a number travelled.
     */
    public static Object normalize(Object value) {
        if (value instanceof Number n) {
            if (isIntegral(n)) {
                return n.longValue();
            }
            if (n instanceof BigInteger bi && bi.bitLength() < 64) {
                return bi.longValue();
            }
            if (n instanceof BigDecimal bd) {
                try {
                    return bd.longValueExact();
                } catch (ArithmeticException notIntegral) {
                    return bd.doubleValue();
                }
            }
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return (long) d;
            }
            return d;
        }
        return value;
    }
}

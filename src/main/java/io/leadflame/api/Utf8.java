package io.leadflame.api;

/** The check every body and record passes before Jackson reads it. */
public final class Utf8 {

    private Utf8() {
    }

    /**
     * Whether {@code body[start, end)} is well-formed UTF-8 (Unicode's table 3-7: no stray,
     * truncated or overlong sequence, no surrogate) without a NUL byte, checked in place without
     * decoding. No JSON text holds a raw NUL, and refusing it also keeps Jackson from taking a
     * UTF-16 or UTF-32 body (ASCII in them is half NULs) for JSON: bodies are UTF-8 (API.md).
     */
    public static boolean isWellFormed(byte[] body, int start, int end) {
        int i = start;
        while (i < end) {
            int b = body[i] & 0xFF;
            if (b < 0x80) {
                if (b == 0) {
                    return false;
                }
                i++;
                continue;
            }
            int length;
            int min = 0x80;
            int max = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                if (b == 0xE0) {
                    min = 0xA0;
                } else if (b == 0xED) {
                    max = 0x9F;
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                if (b == 0xF0) {
                    min = 0x90;
                } else if (b == 0xF4) {
                    max = 0x8F;
                }
            } else {
                return false;
            }
            if (i + length > end) {
                return false;
            }
            int second = body[i + 1] & 0xFF;
            if (second < min || second > max) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                int next = body[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return false;
                }
            }
            i += length;
        }
        return true;
    }
}

package io.leadflame.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The text of a tenant key, {@code lf_<id>_<secret>}: an id of 16 hex digits (listed, and named
 * to revoke a key) and 32 random bytes. Only a key's SHA-256 is kept: a key is random and long,
 * so a fast hash cannot be guessed backwards, and checking it costs a microsecond per request
 * (a slow password hash would cost milliseconds on every event).
 */
public final class ApiKeyText {

    private static final String PREFIX = "lf_";
    private static final int ID_BYTES = 8;
    private static final int SECRET_BYTES = 32;
    /** Longer than any key we make: nothing longer is even hashed. */
    static final int MAX_LENGTH = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new key: its id and its whole text, shown once. */
    public record Generated(String id, String text) {
    }

    private ApiKeyText() {
    }

    public static Generated generate() {
        byte[] id = new byte[ID_BYTES];
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String idText = HexFormat.of().formatHex(id);
        return new Generated(idText, PREFIX + idText + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** The id in a key's text, if it has the shape of one. */
    public static Optional<String> idOf(String text) {
        int idEnd = PREFIX.length() + 2 * ID_BYTES;
        if (text.length() > MAX_LENGTH || text.length() <= idEnd + 1 || !text.startsWith(PREFIX)
                || text.charAt(idEnd) != '_') {
            return Optional.empty();
        }
        String id = text.substring(PREFIX.length(), idEnd);
        for (int i = 0; i < id.length(); i++) {
            if (Character.digit(id.charAt(i), 16) < 0 || Character.isUpperCase(id.charAt(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(id);
    }

    /** The SHA-256 of a key's text, in hex: what is stored and replicated. */
    public static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Whether {@code text} hashes to {@code hash}, in time that does not depend on where they differ. */
    public static boolean matches(String text, String hash) {
        return MessageDigest.isEqual(hash(text).getBytes(StandardCharsets.US_ASCII),
                hash.getBytes(StandardCharsets.US_ASCII));
    }
}

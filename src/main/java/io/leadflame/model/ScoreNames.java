package io.leadflame.model;

import java.util.regex.Pattern;

/**
 * Named scores (issue 16): besides its default score, a tenant may keep several scores, each
 * with a model of its own ({@code product-interest}, {@code sales-readiness}). Each model lives
 * under a key: the tenant's name for the default score (as before named scores, so nothing
 * stored moves), {@code tenant.score} for a named one. A dot is in neither a tenant's nor a
 * score's name, so a key names one score of one tenant. The model entity, the catalog, the
 * replicator and the history keep models by that key and need not know which it is.
 */
public final class ScoreNames {

    /** The name under which the API also reaches the default score. */
    public static final String DEFAULT = "default";
    /** At most this many named scores a tenant (each costs scoring when its list is read). */
    public static final int MAX_NAMED = 10;
    /** What a wrong score name is told. */
    public static final String RULE = "a score's name must be 1 to 63 characters of a-z, 0-9 and -, "
            + "starting with a letter or digit";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final char SEPARATOR = '.';

    private ScoreNames() {
    }

    public static boolean isValid(String score) {
        return score != null && NAME.matcher(score).matches();
    }

    /** The key of the tenant's model of {@code score} ({@link #DEFAULT} for the default score). */
    public static String key(String tenant, String score) {
        return score.equals(DEFAULT) ? tenant : tenant + SEPARATOR + score;
    }

    /** Whether {@code key} is a named score's, not a tenant's default. */
    public static boolean isNamed(String key) {
        return key.indexOf(SEPARATOR) >= 0;
    }

    /** The tenant whose model {@code key} is. */
    public static String tenantOf(String key) {
        int dot = key.indexOf(SEPARATOR);
        return dot < 0 ? key : key.substring(0, dot);
    }

    /** The score whose model {@code key} is: {@link #DEFAULT}, or the named score's name. */
    public static String scoreOf(String key) {
        int dot = key.indexOf(SEPARATOR);
        return dot < 0 ? DEFAULT : key.substring(dot + 1);
    }

    /** The prefix of the keys of every named score of {@code tenant}. */
    static String namedPrefix(String tenant) {
        return tenant + SEPARATOR;
    }
}

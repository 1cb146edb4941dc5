package io.leadflame.auth;

import com.typesafe.config.Config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Whether the API asks for keys ({@code leadflame.auth}). It does when an operator key is set
 * ({@code LEADFLAME_OPERATOR_KEY}) unless {@code LEADFLAME_AUTH=off} says otherwise; without
 * keys a node may only listen on the loopback interface, so an unprotected API is never
 * reachable from another machine by accident.
 *
 * @param enabled     whether every {@code /api/} request needs a key
 * @param operatorKey the operator key's text (empty when none is set)
 * @param mode        {@code on}, {@code off}, or empty (on exactly when an operator key is set)
 */
public record AuthSettings(boolean enabled, String operatorKey, String mode) {

    /** Shorter operator keys are refused: it opens every tenant. */
    static final int MIN_OPERATOR_KEY_LENGTH = 32;

    public static AuthSettings from(Config config) {
        String mode = config.getString("leadflame.auth.mode").strip();
        String operatorKey = config.getString("leadflame.auth.operator-key").strip();
        boolean enabled = mode.equals("on") || (mode.isEmpty() && !operatorKey.isEmpty());
        return new AuthSettings(enabled, operatorKey, mode);
    }

    /** Why a node with these settings, listening on {@code httpInterface}, must not start. */
    public Optional<String> problem(String httpInterface) {
        if (!mode.isEmpty() && !mode.equals("on") && !mode.equals("off")) {
            return Optional.of("LEADFLAME_AUTH / leadflame.auth.mode must be on or off (or unset), not '" + mode + "'.");
        }
        if (enabled && operatorKey.isEmpty()) {
            return Optional.of("LEADFLAME_AUTH=on needs an operator key (LEADFLAME_OPERATOR_KEY) to create the "
                    + "tenants' keys with.");
        }
        if (!operatorKey.isEmpty() && (operatorKey.length() < MIN_OPERATOR_KEY_LENGTH
                || operatorKey.length() > ApiKeyText.MAX_LENGTH)) {
            return Optional.of("LEADFLAME_OPERATOR_KEY must be " + MIN_OPERATOR_KEY_LENGTH + " to " + ApiKeyText.MAX_LENGTH
                    + " characters (e.g. the output of: openssl rand -hex 32).");
        }
        if (!enabled && !isLoopback(httpInterface)) {
            return Optional.of("The API would answer anyone on " + httpInterface + " without a key. Set "
                    + "LEADFLAME_OPERATOR_KEY to require keys (README \"Security\"), or listen on the loopback "
                    + "interface only (HTTP_INTERFACE=127.0.0.1).");
        }
        return Optional.empty();
    }

    private static boolean isLoopback(String httpInterface) {
        try {
            for (InetAddress address : InetAddress.getAllByName(httpInterface)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

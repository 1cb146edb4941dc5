package io.leadflame.config;

/** The configuration asks for something a node must not do; nothing was started. */
public final class StartupRefused extends RuntimeException {
    public StartupRefused(String message) {
        super(message);
    }
}

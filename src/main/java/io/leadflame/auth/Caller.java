package io.leadflame.auth;

import java.util.Optional;

/** Who sent a request, as its key says; what it may do is {@link #may}. */
public sealed interface Caller {

    /** Whether the caller may do what needs {@code needed} for {@code tenant}. */
    boolean may(String tenant, Role needed);

    /** The key whose allowance its requests take ({@link KeyRateLimits}); null for {@link Anyone}. */
    String keyId();

    /**
     * Who a change made with this key was made by, as the model's history shows it: the key's
     * name, or {@code operator}; empty when the API asks for no key.
     */
    Optional<String> author();

    /** The operator key's holder: every tenant, every role. */
    record Operator() implements Caller {
        @Override
        public boolean may(String tenant, Role needed) {
            return true;
        }

        @Override
        public String keyId() {
            return "operator";
        }

        @Override
        public Optional<String> author() {
            return Optional.of("operator");
        }
    }

    /**
     * Anyone, on a node whose API asks for no key (the embedded quick start, which then listens
     * on the loopback interface only).
     */
    record Anyone() implements Caller {
        @Override
        public boolean may(String tenant, Role needed) {
            return true;
        }

        @Override
        public String keyId() {
            return null;
        }

        @Override
        public Optional<String> author() {
            return Optional.empty();
        }
    }

    /** The holder of one of a tenant's keys: that tenant, within the key's role. */
    record KeyHolder(String tenant, TenantKey key) implements Caller {
        @Override
        public boolean may(String tenant, Role needed) {
            return this.tenant.equals(tenant) && key.role().allows(needed);
        }

        @Override
        public String keyId() {
            return key.id();
        }

        @Override
        public Optional<String> author() {
            return Optional.of(key.name());
        }
    }
}

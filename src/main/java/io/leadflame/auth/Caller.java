package io.leadflame.auth;

/** Who sent a request, as its key says; what it may do is {@link #may}. */
public sealed interface Caller {

    /** Whether the caller may do what needs {@code needed} for {@code tenant}. */
    boolean may(String tenant, Role needed);

    /** The operator key's holder: every tenant, every role. */
    record Operator() implements Caller {
        @Override
        public boolean may(String tenant, Role needed) {
            return true;
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
    }

    /** The holder of one of a tenant's keys: that tenant, within the key's role. */
    record KeyHolder(String tenant, TenantKey key) implements Caller {
        @Override
        public boolean may(String tenant, Role needed) {
            return this.tenant.equals(tenant) && key.role().allows(needed);
        }
    }
}

package io.leadflame.api;

import java.util.regex.Pattern;

/** Tenant names (API.md): {@code [a-z0-9][a-z0-9-]{0,62}}, wherever a tenant comes from. */
public final class Tenants {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** What a wrong tenant name is told. */
    public static final String RULE = "tenant must be 1 to 63 characters of a-z, 0-9 and -, starting with a letter or digit";

    private Tenants() {
    }

    public static boolean isValid(String tenant) {
        return tenant != null && NAME.matcher(tenant).matches();
    }
}

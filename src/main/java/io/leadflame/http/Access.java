package io.leadflame.http;

import io.leadflame.auth.ApiKeys;
import io.leadflame.auth.Caller;
import io.leadflame.auth.KeyRateLimits;
import io.leadflame.auth.Role;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Who may call the tenant API: {@link #authenticated} finds the caller from its
 * {@code Authorization: Bearer} key (401 without a valid one) and takes one request of the key's
 * allowance (429 with Retry-After past it), {@link #allowed} lets it through for a tenant and
 * role (403 otherwise). Neither answer says whether the tenant exists.
 */
final class Access extends AllDirectives {

    private static final String BEARER = "bearer ";

    private final ApiKeys keys;
    private final KeyRateLimits limits;

    Access(ApiKeys keys, KeyRateLimits limits) {
        this.keys = keys;
        this.limits = limits;
    }

    Route authenticated(Function<Caller, Route> inner) {
        if (!keys.enabled()) {
            return inner.apply(new Caller.Anyone());
        }
        return optionalHeaderValueByName("Authorization", header -> {
            if (header.isEmpty()) {
                return complete(unauthorized("This API needs a key: send it as Authorization: Bearer <key>."));
            }
            Optional<Caller> caller = bearerKey(header.get()).flatMap(keys::authenticate);
            if (caller.isEmpty()) {
                return complete(unauthorized("The key is not valid: it is malformed, unknown or revoked."));
            }
            OptionalLong wait = limits.acquire(caller.get().keyId());
            if (wait.isPresent()) {
                return complete(ApiError.overloaded("This key sent more requests than this node takes from one key "
                        + "(KEY_RATE_LIMIT a second): retry after " + wait.getAsLong() + " s, or send events in batches.")
                        .withStatus(StatusCodes.TOO_MANY_REQUESTS)
                        .removeHeader("Retry-After")
                        .addHeader(RetryAfter.create(wait.getAsLong())));
            }
            return inner.apply(caller.get());
        });
    }

    /** Whether the caller's key still authenticates (for what lasts beyond its request: live streams). */
    boolean stillValid(Caller caller) {
        return keys.stillValid(caller);
    }

    Route allowed(Caller caller, String tenant, Role needed, Supplier<Route> inner) {
        return caller.may(tenant, needed) ? inner.get() : forbidden("This key may not do this: it is for another "
                + "tenant, or its role does not allow it (this needs " + needed.apiName() + ").");
    }

    /** What only the operator may do (a tenant's deletion: tenants are the operator's to create and close). */
    Route operatorOnly(Caller caller, String what, Supplier<Route> inner) {
        return caller instanceof Caller.Operator || caller instanceof Caller.Anyone ? inner.get()
                : forbidden("Only the operator key may " + what + ".");
    }

    private Route forbidden(String message) {
        return complete(ApiError.of(ApiError.FORBIDDEN, message).toResponse(StatusCodes.FORBIDDEN));
    }

    private static Optional<String> bearerKey(String header) {
        String h = header.strip();
        return h.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? Optional.of(h.substring(BEARER.length()).strip()) : Optional.empty();
    }

    private static HttpResponse unauthorized(String message) {
        return ApiError.of(ApiError.UNAUTHORIZED, message).toResponse(StatusCodes.UNAUTHORIZED)
                .addHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"leadflame\""));
    }
}

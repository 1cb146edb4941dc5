package io.leadflame.http;

import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many long-lived streams (live score changes) may be open at once on this node and per
 * tenant. Each open stream holds a connection for as long as the client likes (the heartbeat
 * keeps it alive), so without a bound a thousand idle listeners would take every connection of
 * the port, health checks included.
 */
final class StreamBudget {

    private final int perNode;
    private final int perTenant;
    private final int perKey;
    private final AtomicInteger open = new AtomicInteger();
    /** Open streams per tenant; a tenant with none has no entry. Changed only by compute (atomic per key). */
    private final ConcurrentHashMap<String, Integer> openByTenant = new ConcurrentHashMap<>();
    /** The same per API key. */
    private final ConcurrentHashMap<String, Integer> openByKey = new ConcurrentHashMap<>();

    StreamBudget(int perNode, int perTenant, int perKey) {
        if (perNode < 1 || perTenant < 1 || perKey < 1) {
            throw new IllegalArgumentException("stream budgets must be at least 1");
        }
        this.perNode = perNode;
        this.perTenant = perTenant;
        this.perKey = perKey;
    }

    /**
     * Takes a place for one stream of {@code tenant} opened with {@code key} (null on a node
     * without keys), or returns the refusal to answer: 429 when the key or the tenant has its
     * share, 503 when the node is full, all {@code overloaded} with Retry-After, and closing the
     * connection so that a refused client holds none. A place taken must be given back with
     * {@link #release} exactly once.
     */
    Optional<HttpResponse> acquire(String tenant, String key) {
        if (key != null && !take(openByKey, key, perKey)) {
            return Optional.of(refusal(StatusCodes.TOO_MANY_REQUESTS, "This key has " + perKey
                    + " live streams open, its limit on this node: close one or retry later."));
        }
        if (!take(openByTenant, tenant, perTenant)) {
            give(openByKey, key);
            return Optional.of(refusal(StatusCodes.TOO_MANY_REQUESTS, "This tenant has " + perTenant
                    + " live streams open, its limit on this node: close one or retry later."));
        }
        if (open.incrementAndGet() > perNode) {
            release(tenant, key);
            return Optional.of(refusal(StatusCodes.SERVICE_UNAVAILABLE, "This node serves " + perNode
                    + " live streams, its limit: retry later (another node may have room)."));
        }
        return Optional.empty();
    }

    /** Gives back the place of a stream that {@link #acquire} granted. */
    void release(String tenant, String key) {
        open.decrementAndGet();
        give(openByTenant, tenant);
        give(openByKey, key);
    }

    /** One more under {@code holder} unless it has {@code limit}; whether it was taken. */
    private static boolean take(ConcurrentHashMap<String, Integer> open, String holder, int limit) {
        boolean[] full = new boolean[1];
        open.compute(holder, (h, n) -> {
            int count = n == null ? 0 : n;
            full[0] = count >= limit;
            return full[0] ? n : count + 1;
        });
        return !full[0];
    }

    private static void give(ConcurrentHashMap<String, Integer> open, String holder) {
        if (holder != null) {
            open.compute(holder, (h, n) -> n == null || n <= 1 ? null : n - 1);
        }
    }

    int open() {
        return open.get();
    }

    private static HttpResponse refusal(StatusCode status, String message) {
        return ApiError.overloaded(message).withStatus(status).addHeader(Connection.create("close"));
    }
}

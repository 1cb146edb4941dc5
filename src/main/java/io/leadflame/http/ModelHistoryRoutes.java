package io.leadflame.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadflame.api.ModelDiff;
import io.leadflame.model.ModelHistory;
import io.leadflame.scoring.ScoringModel;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A tenant's model history under {@code /model/versions} (issue 16): every published version
 * with who published it and when, one version as {@code GET /model} shows it, and what changed
 * between two. Restoring one ({@code POST .../restore}) publishes it as a new version, through
 * {@link ApiRoutes}, which publishes every change. A version stored by an older release in a
 * form this one cannot read is listed, and answered 500 like {@code GET /model}.
 */
final class ModelHistoryRoutes extends AllDirectives {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ModelHistory history;

    ModelHistoryRoutes(ModelHistory history) {
        this.history = history;
    }

    /** Newest first, {@code limit} at a time; {@code before} continues where {@code next} says. */
    Route list(String tenant) {
        return parameterMap(params -> {
            List<ApiError.Detail> problems = new ArrayList<>();
            int limit = (int) LeadsRoutes.wholeNumber(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, problems);
            long before = LeadsRoutes.wholeNumber(params, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE, problems);
            if (!problems.isEmpty()) {
                return complete(LeadsRoutes.invalidQuery(problems));
            }
            return onSuccess(history.versions(tenant), all -> {
                ObjectNode out = F.objectNode();
                ArrayNode versions = out.putArray("versions");
                Long next = null;
                for (int i = all.size() - 1; i >= 0; i--) {
                    ModelHistory.Version v = all.get(i);
                    if (v.version() >= before) {
                        continue;
                    }
                    if (versions.size() == limit) {
                        next = all.get(i + 1).version();
                        break;
                    }
                    versions.add(summary(v));
                }
                out.put("next", next);
                return complete(JsonResponses.ok(out));
            });
        });
    }

    /** The version as {@code GET /model} showed it then, with who published it. */
    Route version(String tenant, long version) {
        return withVersion(tenant, version, v -> {
            ObjectNode json;
            try {
                json = ScoreJson.model(v.published(tenant));
            } catch (RuntimeException unreadable) {
                return complete(ApiError.unreadableModel(version));
            }
            putAuthor(json, v);
            return complete(JsonResponses.ok(json));
        });
    }

    /** What changed from {@code version} to {@code to} (the current version when absent). */
    Route diff(String tenant, long version) {
        return parameterOptional("to", to -> {
            Optional<Long> target = Optional.empty();
            if (to.isPresent()) {
                target = ApiRoutes.parseVersion(to.get()).filter(v -> v > 0);
                if (target.isEmpty()) {
                    return complete(ApiError.invalid("to must be a model version like 3"));
                }
            }
            Optional<Long> wanted = target;
            return onSuccess(history.versions(tenant), all -> {
                Optional<ModelHistory.Version> from = all.stream().filter(v -> v.version() == version).findFirst();
                Optional<ModelHistory.Version> into = wanted.isPresent()
                        ? all.stream().filter(v -> v.version() == wanted.get()).findFirst()
                        : all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
                if (from.isEmpty()) {
                    return complete(notPublished(version));
                }
                if (into.isEmpty()) {
                    return complete(notPublished(wanted.orElse(0L)));
                }
                ScoringModel before;
                ScoringModel after;
                try {
                    before = from.get().published(tenant).parse();
                } catch (RuntimeException unreadable) {
                    return complete(ApiError.unreadableModel(from.get().version()));
                }
                try {
                    after = into.get().published(tenant).parse();
                } catch (RuntimeException unreadable) {
                    return complete(ApiError.unreadableModel(into.get().version()));
                }
                ObjectNode out = F.objectNode();
                out.put("from", from.get().version());
                out.put("to", into.get().version());
                out.setAll(ModelDiff.between(before, after));
                return complete(JsonResponses.ok(out));
            });
        });
    }

    /** The version for {@code inner}, or 404 when the tenant never published it. */
    Route withVersion(String tenant, long version, Function<ModelHistory.Version, Route> inner) {
        return onSuccess(history.version(tenant, version),
                found -> found.map(inner).orElseGet(() -> complete(notPublished(version))));
    }

    private static org.apache.pekko.http.javadsl.model.HttpResponse notPublished(long version) {
        return ApiError.notFound("version " + version + " of this tenant's model was never published");
    }

    private static ObjectNode summary(ModelHistory.Version v) {
        ObjectNode o = F.objectNode();
        o.put("version", v.version());
        o.put("updatedAt", v.updatedAt().toString());
        return putAuthor(o, v);
    }

    /** Who published {@code v} and what it restored, as both the list and a version show it. */
    private static ObjectNode putAuthor(ObjectNode json, ModelHistory.Version v) {
        json.put("by", v.by().orElse(null));
        json.put("restoredFrom", v.restoredFrom().orElse(null));
        return json;
    }
}

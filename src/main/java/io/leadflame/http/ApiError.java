package io.leadflame.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

import java.util.List;
import java.util.Objects;

/**
 * The body of every 4xx/5xx answer of the API:
 * {@code {"error": CODE, "message": TEXT, "details": [{"path": ..., "message": ...}]}},
 * {@code details} only when there are some (validation). Never carries a stack trace.
 *
 * @param code    a stable machine-readable code, one of the constants below
 * @param message a human-readable explanation
 * @param details per-field problems, empty when the error is about the request as a whole
 */
public record ApiError(String code, String message, List<Detail> details) {

    public static final String INVALID = "invalid";
    public static final String UNAUTHORIZED = "unauthorized";
    public static final String FORBIDDEN = "forbidden";
    public static final String NOT_FOUND = "not_found";
    public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    public static final String NOT_ACCEPTABLE = "not_acceptable";
    public static final String CONFLICT = "conflict";
    public static final String TOO_LARGE = "too_large";
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
    public static final String OVERLOADED = "overloaded";
    public static final String NOT_READY = "not_ready";
    public static final String INTERNAL = "internal";

    /**
     * One problem with one part of the request.
     *
     * @param path    where in the request body, e.g. {@code rules[2].points}
     * @param message what is wrong there
     */
    public record Detail(String path, String message) {
        public Detail {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(message, "message");
        }
    }

    public ApiError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        details = List.copyOf(details);
    }

    public static ApiError of(String code, String message) {
        return new ApiError(code, message, List.of());
    }

    /** 400 {@code invalid}: a bad field or body; nothing was changed. */
    public static HttpResponse invalid(String message) {
        return of(INVALID, message).toResponse(StatusCodes.BAD_REQUEST);
    }

    /** 400 {@code invalid} with one {@link Detail} per problem (validation). */
    public static HttpResponse invalid(String message, List<Detail> details) {
        return new ApiError(INVALID, message, details).toResponse(StatusCodes.BAD_REQUEST);
    }

    /** 400 {@code invalid} with more fields beside error and message (the counts of a rejected batch). */
    public static HttpResponse invalid(String message, ObjectNode extraFields) {
        return HttpResponse.create().withStatus(StatusCodes.BAD_REQUEST)
                .withEntity(JsonResponses.entity(of(INVALID, message).toJson(extraFields)));
    }

    public static HttpResponse notFound(String message) {
        return of(NOT_FOUND, message).toResponse(StatusCodes.NOT_FOUND);
    }

    /** {@code conflict} with 409, or 412 for a failed {@code If-Match}. */
    public static HttpResponse conflict(StatusCode status, String message) {
        return of(CONFLICT, message).toResponse(status);
    }

    public static HttpResponse tooLarge(String message) {
        return of(TOO_LARGE, message).toResponse(StatusCodes.PAYLOAD_TOO_LARGE);
    }

    public static HttpResponse unsupportedMediaType(String message) {
        return of(UNSUPPORTED_MEDIA_TYPE, message).toResponse(StatusCodes.UNSUPPORTED_MEDIA_TYPE);
    }

    /** 503 {@code overloaded} with {@code Retry-After}, so clients back off instead of losing events. */
    public static HttpResponse overloaded(String message) {
        return of(OVERLOADED, message).toResponse(StatusCodes.SERVICE_UNAVAILABLE)
                .addHeader(RetryAfter.create(1L));
    }

    /**
     * 500 {@code internal} for a tenant whose stored model version this release cannot read
     * (listed by {@code /health/ready}); its next valid model replaces it.
     */
    public static HttpResponse unreadableModel(long version) {
        return of(INTERNAL, "Version " + version + " of this tenant's model is stored but cannot be read by this "
                + "release; publish a valid model to replace it.").toResponse(StatusCodes.INTERNAL_SERVER_ERROR);
    }

    /** The error code that goes with a status when nothing more specific is known. */
    public static String codeFor(StatusCode status) {
        return switch (status.intValue()) {
            case 400 -> INVALID;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409, 412 -> CONFLICT;
            case 413, 414, 431 -> TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 429, 503 -> OVERLOADED;
            default -> status.intValue() >= 500 ? INTERNAL : INVALID;
        };
    }

    /** The error body; {@code extraFields} (a batch's counts) stand beside error and message. */
    public ObjectNode toJson(ObjectNode extraFields) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", code);
        body.put("message", message);
        putDetails(body, details);
        body.setAll(extraFields);
        return body;
    }

    /** {@code details} as the API writes them, on {@code body}; nothing when there are none. */
    static void putDetails(ObjectNode body, List<Detail> details) {
        if (!details.isEmpty()) {
            ArrayNode list = body.putArray("details");
            for (Detail d : details) {
                list.addObject().put("path", d.path()).put("message", d.message());
            }
        }
    }

    public ResponseEntity toEntity() {
        return JsonResponses.entity(toJson(JsonNodeFactory.instance.objectNode()));
    }

    public HttpResponse toResponse(StatusCode status) {
        return HttpResponse.create().withStatus(status).withEntity(toEntity());
    }
}

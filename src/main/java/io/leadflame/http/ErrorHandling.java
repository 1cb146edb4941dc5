package io.leadflame.http;

import io.leadflame.contact.ContactService;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractMethod;
import static org.apache.pekko.http.javadsl.server.Directives.withRequestTimeoutResponse;

/**
 * The one place where failures become HTTP answers: every rejection, exception and request
 * timeout leaves the service as the {@link ApiError} JSON shape, and no stack trace ever
 * reaches a client (it goes to the log instead).
 */
public final class ErrorHandling {

    private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

    /** Rejections as JSON errors; {@link #seal} applies it to the whole API. */
    // Pekko's default handler already picks the right status (404, 405 with Allow, 415, ...)
    // and a sensible text for every rejection; only its plain-text body is replaced.
    public static final RejectionHandler REJECTIONS = RejectionHandler.defaultHandler()
            .mapRejectionResponse(ErrorHandling::asJsonError);

    /** Exceptions as JSON errors (timeouts 503, anything unexpected 500); {@link #seal} applies it. */
    public static final ExceptionHandler EXCEPTIONS = ExceptionHandler.newBuilder()
            .matchAny(e -> extractMethod(method -> complete(responseFor(unwrap(e), method))))
            .build();

    /**
     * What a 503 after a wait means for a write: the part already persisted stays (its contacts
     * answered in time, or answered late), so the client must resend, and a resend is safe
     * because events with ids are counted once (DECISIONS.md "A 503 may be partly applied").
     */
    private static final String PARTLY = "Part of a request that changes data may have been applied: "
            + "resending it is safe for events that carry an eventId, which are counted once.";

    private ErrorHandling() {
    }

    /** Wraps the complete API route; unmatched paths become 404 {@code not_found}. */
    public static Route seal(Route route) {
        return withRequestTimeoutResponse(request -> ApiError.overloaded("The request took too long; retry later."
                        + partly(request.method())),
                () -> route.seal(REJECTIONS, EXCEPTIONS));
    }

    private static HttpResponse asJsonError(HttpResponse response) {
        if (response.entity() instanceof HttpEntity.Strict strict
                && !strict.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
            String text = strict.getData().utf8String().strip();
            return response.withEntity(ApiError.of(ApiError.codeFor(response.status()), text).toEntity());
        }
        return response;
    }

    /** What a 503 after a wait adds for a request that changes data (nothing for a read). */
    private static String partly(HttpMethod method) {
        return method.isSafe() ? "" : " " + PARTLY;
    }

    private static HttpResponse responseFor(Throwable e, HttpMethod method) {
        if (e instanceof TimeoutException) {
            // Ask timeouts (AskTimeoutException is one) mean an actor or the journal is behind.
            return ApiError.overloaded("The service is busy; retry later." + partly(method));
        }
        if (e instanceof ContactService.JournalDown down) {
            return ApiError.overloaded("The journal (the database) does not answer; "
                    + (down.partlyApplied() ? PARTLY : "nothing of this request was applied.")
                    + " Send it again after Retry-After.");
        }
        if (e instanceof ContactService.NotStarted) {
            return ApiError.overloaded("This node is still starting (reading the tenants' models); nothing of "
                    + "this request was applied. Send it again after Retry-After.");
        }
        if (e instanceof ContactService.NotWritten) {
            return ApiError.overloaded("The journal did not take part of this request. " + PARTLY
                    + " Send it again after Retry-After.");
        }
        if (e instanceof IllegalRequestException bad) {
            StatusCode status = StatusCodes.get(bad.status().intValue());
            return ApiError.of(ApiError.codeFor(status), bad.info().summary()).toResponse(status);
        }
        if (e instanceof EntityStreamSizeException tooLarge) {
            return ApiError.of(ApiError.TOO_LARGE,
                            "The request body is larger than " + tooLarge.limit() + " bytes.")
                    .toResponse(StatusCodes.PAYLOAD_TOO_LARGE);
        }
        if (e instanceof EntityStreamException broken) {
            // The body's framing is broken (a chunk size that is no hex number, a truncated
            // chunk): the client's fault, nothing was read into the service.
            return ApiError.invalid("The request body is malformed: " + broken.info().summary());
        }
        log.error("Request failed with an unexpected error", e);
        return ApiError.of(ApiError.INTERNAL, "The request could not be processed.")
                .toResponse(StatusCodes.INTERNAL_SERVER_ERROR);
    }

    // Failed CompletionStages reach the handler wrapped; the cause is what tells what happened.
    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}

package io.leadflame.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too malformed to reach the routes (a URI longer than allowed: 414; headers
 * too large: 431; a bad escape, a missing Host, a broken request line: 400) in the API's error
 * shape instead of Pekko HTTP's plain text. Named in {@code pekko.http.server.parsing.error-handler};
 * Pekko HTTP creates it by reflection and closes the connection after the answer.
 */
public final class ParsingErrorAnswers extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        // A client's mistake, not the server's: one line, no stack trace.
        log.debug("Refused a malformed request with {}: {}", status.intValue(), info.formatPretty());
        String summary = info.summary().isBlank() ? status.reason() : info.summary();
        return ApiError.of(ApiError.codeFor(StatusCodes.get(status.intValue())), summary)
                .toResponse(StatusCodes.get(status.intValue()));
    }
}

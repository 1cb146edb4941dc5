package io.leadflame.http;

import io.leadflame.api.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

import java.io.UncheckedIOException;

/** JSON bodies of the API's answers, successes and errors alike. */
final class JsonResponses {

    private JsonResponses() {
    }

    static HttpResponse ok(JsonNode body) {
        return of(StatusCodes.OK, body);
    }

    static HttpResponse of(StatusCode status, JsonNode body) {
        return HttpResponse.create().withStatus(status).withEntity(entity(body));
    }

    static ResponseEntity entity(JsonNode body) {
        try {
            return HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            // A tree of strings and numbers always renders; this would be a Jackson bug.
            throw new UncheckedIOException(e);
        }
    }
}

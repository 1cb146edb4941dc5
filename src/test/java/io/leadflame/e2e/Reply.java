package io.leadflame.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;

/** One HTTP answer of the node: status, headers and body. */
record Reply(int status, HttpHeaders headers, String body) {

    JsonNode json() {
        try {
            return E2e.JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
        }
    }

    String header(String name) {
        return headers.firstValue(name).orElse("");
    }
}

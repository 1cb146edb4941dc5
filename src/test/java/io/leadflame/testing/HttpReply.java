package io.leadflame.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;
import java.util.Map;

/** One HTTP answer of a node, as every test that talks HTTP to one sees it. */
public record HttpReply(int status, HttpHeaders headers, String body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public HttpReply(int status, String body) {
        this(status, HttpHeaders.of(Map.of(), (name, value) -> true), body);
    }

    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
        }
    }

    public String header(String name) {
        return headers.firstValue(name).orElse("");
    }
}

package io.leadflame.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The service's one JSON mapper, for every body it reads or writes and every model it stores:
 * content after a value is an error, and non-integral numbers are read as big decimals, so that
 * a number is checked as it was written (1e400 is too large, not Infinity). Thread-safe once
 * configured, as Jackson's mappers are.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Json() {
    }
}

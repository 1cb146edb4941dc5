package io.leadflame.scoring;

/** One problem found in input, with the JSON path of the offending value (e.g. {@code rules[2].points}). */
public record ValidationProblem(String path, String message) {
}

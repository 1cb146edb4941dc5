package io.leadflame.scoring;

/** A named band of scores (e.g. cold, warm, hot) starting at {@code min}, with its display colour. */
public record ScoreRange(String name, long min, String color) {
}

package io.leadflame.scoring;

import java.util.List;
import java.util.Optional;

/** The result of reading input: the value, or every problem found in it (never both). */
public record Validated<T>(Optional<T> value, List<ValidationProblem> problems) {

    public Validated {
        problems = List.copyOf(problems);
    }

    public static <T> Validated<T> valid(T value) {
        return new Validated<>(Optional.of(value), List.of());
    }

    public static <T> Validated<T> invalid(List<ValidationProblem> problems) {
        return new Validated<>(Optional.empty(), problems);
    }

    public boolean isValid() {
        return value.isPresent();
    }
}

package dev.gatehouse.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration is invalid. Carries every problem found, not just the first, so an operator fixes
 * a file in one pass; the message is one {@code path: problem} line per problem.
 */
public class ConfigException extends RuntimeException {
    private final List<Problem> problems;

    public ConfigException(List<Problem> problems) {
        super(render(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String render(List<Problem> problems) {
        return problems.stream().map(Problem::toString).collect(Collectors.joining(System.lineSeparator()));
    }
}

package dev.gatehouse.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration: the absolute path of the offending key and what is wrong.
 *
 * @param path    e.g. {@code gatehouse.listeners.0.bind}; {@code <file>} when the file itself cannot be read
 * @param message the problem, phrased for the operator
 */
public record Problem(String path, String message) {
    public Problem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return path + ": " + message;
    }
}

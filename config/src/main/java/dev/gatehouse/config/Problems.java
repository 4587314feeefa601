package dev.gatehouse.config;

import dev.gatehouse.authn.spi.SettingsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Collects problems while a configuration is read, so that validation goes on after the first bad value
 * and reports everything at once.
 */
final class Problems {
    private final List<Problem> found = new ArrayList<>();

    void add(String path, String message) {
        found.add(new Problem(path, message));
    }

    /**
     * Run {@code step}; a {@link SettingsException} is recorded under its own path, anything else
     * under {@code path}. Returns the step's value when it succeeded.
     */
    <T> Optional<T> attempt(String path, Supplier<T> step) {
        try {
            return Optional.ofNullable(step.get());
        } catch (SettingsException e) {
            add(e.path(), e.problem());
        } catch (ConfigException e) {
            found.addAll(e.problems());
        } catch (com.typesafe.config.ConfigException e) {
            add(path, HoconSettings.describe(e));
        } catch (IllegalArgumentException | IllegalStateException e) {
            add(path, e.getMessage());
        }
        return Optional.empty();
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    List<Problem> list() {
        return List.copyOf(found);
    }

    /** Throw one {@link ConfigException} listing everything found, if anything was. */
    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new ConfigException(found);
        }
    }
}

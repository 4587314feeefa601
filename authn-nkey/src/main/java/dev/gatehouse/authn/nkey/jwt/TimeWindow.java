package dev.gatehouse.authn.nkey.jwt;

import java.time.LocalTime;
import java.time.format.DateTimeParseException;

/**
 * A daily connect window {@code start..end} ({@code HH:MM:SS}); when {@code end} is before
 * {@code start} the window spans midnight.
 */
public record TimeWindow(LocalTime start, LocalTime end) {
    static TimeWindow parse(String start, String end) {
        try {
            return new TimeWindow(LocalTime.parse(start), LocalTime.parse(end));
        } catch (DateTimeParseException e) {
            throw new JwtException("bad time window " + start + "-" + end + ": expected HH:MM:SS");
        }
    }

    /** Whether {@code t} lies inside the window. */
    public boolean contains(LocalTime t) {
        if (!end.isBefore(start)) {
            return !t.isBefore(start) && !t.isAfter(end);
        }
        return !t.isBefore(start) || !t.isAfter(end);
    }
}

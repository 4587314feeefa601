package dev.gatehouse.authn.spi.acl;

import java.util.Optional;

/**
 * The per-connection values that replace {@code ${clientid}}, {@code ${username}} and
 * {@code ${cert_cn}} when {@link Permissions#compile(PlaceholderValues) permissions are compiled}.
 * A missing value counts as unsafe, like an empty one.
 */
public record PlaceholderValues(Optional<String> clientId, Optional<String> username, Optional<String> certCommonName) {

    /** Values from nullable strings. */
    public static PlaceholderValues of(String clientId, String username, String certCommonName) {
        return new PlaceholderValues(Optional.ofNullable(clientId), Optional.ofNullable(username),
                Optional.ofNullable(certCommonName));
    }

    Optional<String> get(String name) {
        return switch (name) {
            case "clientid" -> clientId;
            case "username" -> username;
            case "cert_cn" -> certCommonName;
            default -> Optional.empty();
        };
    }

    /**
     * Whether a value may be substituted into a filter without widening it: not empty, no
     * {@code + # /}, no NUL, and not starting with {@code $} (which would reach system topics).
     */
    public static boolean isSafe(String value) {
        if (value == null || value.isEmpty() || value.charAt(0) == '$') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+' || c == '#' || c == '/' || c == 0) {
                return false;
            }
        }
        return true;
    }
}

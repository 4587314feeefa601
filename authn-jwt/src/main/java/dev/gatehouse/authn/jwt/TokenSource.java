package dev.gatehouse.authn.jwt;

import dev.gatehouse.authn.spi.AuthRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/** Which CONNECT field carries the token for clients that do not use the MQTT 5 {@code JWT} method. */
public enum TokenSource {
    /** The password field (the default, like EMQX). */
    PASSWORD,
    /** The user name field. */
    USERNAME;

    /** The token in {@code request}, if that field is present and not empty. */
    public Optional<String> extract(AuthRequest request) {
        Optional<String> v = this == PASSWORD
                ? request.password().map(p -> new String(p, StandardCharsets.UTF_8))
                : request.username();
        return v.map(String::trim).filter(s -> !s.isEmpty());
    }

    /** Parses {@code password} or {@code username}. */
    public static Optional<TokenSource> parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "password":
                return Optional.of(PASSWORD);
            case "username":
                return Optional.of(USERNAME);
            default:
                return Optional.empty();
        }
    }
}

package dev.gatehouse.authn.jwt.claims;

import dev.gatehouse.authn.spi.AuthRequest;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Replaces {@code ${clientid}}, {@code ${username}} and {@code ${cert_cn}} in expected claim values. */
public final class Placeholders {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
    /** The placeholder names verify-claims understands. */
    public static final Set<String> NAMES = Set.of("clientid", "username", "cert_cn");

    private Placeholders() {
    }

    /** The unknown placeholder in {@code template}, if any (for configuration errors). */
    public static Optional<String> unknownIn(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!NAMES.contains(m.group(1))) {
                return Optional.of(m.group(0));
            }
        }
        return Optional.empty();
    }

    /** The template with values of this request, or empty when a value it names is missing or empty. */
    public static Optional<String> resolve(String template, AuthRequest request) {
        if (template.indexOf("${") < 0) {
            return Optional.of(template);
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Optional<String> v = value(m.group(1), request);
            if (v.isEmpty() || v.get().isEmpty()) {
                return Optional.empty();
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v.get()));
        }
        m.appendTail(sb);
        return Optional.of(sb.toString());
    }

    private static Optional<String> value(String name, AuthRequest request) {
        switch (name) {
            case "clientid":
                return Optional.of(request.clientId());
            case "username":
                return request.username();
            case "cert_cn":
                return request.peerCommonName();
            default:
                return Optional.empty();
        }
    }
}

package dev.gatehouse.authn.jwt.acl;

import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.Rule;
import java.util.List;
import java.util.Objects;

/**
 * How a token's ACL claim becomes {@link Permissions}.
 *
 * @param claim          the claim's name ({@code acl} by default)
 * @param defaults       what a token without the claim may do
 * @param fallThrough    when the claim is present and no rule of it matches: {@code false} (default) denies,
 *                       {@code true} continues with the default permissions' rules and default
 */
public record AclPolicy(String claim, Permissions defaults, boolean fallThrough) {
    public static final String DEFAULT_CLAIM = "acl";

    public AclPolicy {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(defaults, "defaults");
    }

    /** Permissions for a token whose claim is {@code value} ({@code null} when the claim is absent). */
    public Permissions permissionsFor(Object value) throws MalformedAclException {
        if (value == null) {
            return defaults;
        }
        List<Rule> rules = AclParser.parse(value);
        Permissions fromClaim = Permissions.of(rules, Effect.DENY);
        return fallThrough ? fromClaim.then(defaults) : fromClaim;
    }

    /**
     * The {@code default-permissions} setting: {@code allow-all}, {@code deny-all}, or rules in either ACL
     * claim form.
     */
    public static Permissions parseDefaults(Object value) throws MalformedAclException {
        if (value instanceof String s) {
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "allow-all":
                case "allow":
                    return Permissions.allowAll();
                case "deny-all":
                case "deny":
                    return Permissions.denyAll();
                default:
                    throw new MalformedAclException("expected allow-all, deny-all or a list of rules, found \"" + s + "\"");
            }
        }
        return Permissions.of(AclParser.parse(value), Effect.DENY);
    }
}

package dev.gatehouse.authn.nkey.jwt;

import java.util.Optional;

/**
 * An account signing key; a scoped one ({@code kind: user_scope}) carries a permission template
 * that replaces the permissions of the users it signs.
 */
public record SigningKey(String key, Optional<String> role, Optional<NatsPermissions> template) {
    public boolean scoped() {
        return template.isPresent();
    }
}

package dev.gatehouse.authn.nkey.jwt;

import java.time.Instant;
import java.util.Optional;

/**
 * A user JWT whose chain up to a trusted operator holds.
 *
 * @param user        the user claims
 * @param account     the account claims
 * @param permissions what applies: a scoped signing key's template, else the user's lists, else the
 *                    account's default permissions; empty when none is set at all
 * @param expiresAt   the earliest of the user's and the account's {@code exp}
 */
public record VerifiedUser(UserClaims user, AccountClaims account, Optional<NatsPermissions> permissions,
                           Optional<Instant> expiresAt) {
}

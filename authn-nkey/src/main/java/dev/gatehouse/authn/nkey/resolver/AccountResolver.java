package dev.gatehouse.authn.nkey.resolver;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Finds the JWT of an account by its public key. Implementations never block the caller:
 * disk and network work runs on an executor. The returned JWT is verified by the caller.
 */
public interface AccountResolver extends AutoCloseable {

    /** The account JWT, or empty when the account is unknown; fails when the source is unavailable. */
    CompletionStage<Optional<String>> resolve(String accountPublicKey);

    /** A short description for logs, e.g. {@code directory /etc/gatehouse/accounts}. */
    String describe();

    /**
     * Whether the source answers now, for readiness checks: false while a remote source's last request failed.
     * Never blocks. The default (memory, directory): always.
     */
    default boolean ready() {
        return true;
    }

    @Override
    default void close() {
    }
}

package dev.gatehouse.config.passwd;

import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.acl.Permissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Checks CONNECT user name and password against a password file. A CONNECT without a user name is not for this
 * authenticator (abstain). A user name the file does not hold is refused with "bad credentials" exactly like a
 * wrong password — after the same amount of hashing — so clients cannot probe which users exist; set
 * {@code unknown-user = abstain} to hand such clients to the next authenticator instead.
 */
final class PasswordFileAuthenticator implements Authenticator {
    /** What to do with a user name the file does not hold. */
    enum UnknownUser { FAIL, ABSTAIN }

    private final String name;
    private final Map<String, PasswordHash> users;
    private final Map<String, Permissions> permissions;
    private final Permissions defaultPermissions;
    private final UnknownUser unknownUser;
    private final Executor blocking;
    private final PasswordHash decoy;

    PasswordFileAuthenticator(String name, Map<String, PasswordHash> users, Map<String, Permissions> permissions,
                              Permissions defaultPermissions, UnknownUser unknownUser, Executor blocking) {
        this.name = name;
        this.users = Map.copyOf(users);
        this.permissions = Map.copyOf(permissions);
        this.defaultPermissions = defaultPermissions;
        this.unknownUser = unknownUser;
        this.blocking = blocking;
        // Hashed for unknown users so that they cost as much as known ones; same iteration count as the file's
        // first user, so the timing matches the common case.
        int iterations = users.values().stream().findFirst().map(PasswordHash::iterations)
                .orElse(PasswordHash.DEFAULT_ITERATIONS);
        this.decoy = PasswordHash.create(new byte[] {0}, iterations, new SecureRandom());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
        Optional<String> username = request.username();
        if (username.isEmpty()) {
            return CompletableFuture.completedFuture(AuthDecision.abstain());
        }
        String user = username.get();
        PasswordHash hash = users.get(user);
        if (hash == null && unknownUser == UnknownUser.ABSTAIN) {
            return CompletableFuture.completedFuture(AuthDecision.abstain());
        }
        // Copied: the request's array belongs to the broker, and hashing happens on another thread.
        byte[] password = request.password().map(byte[]::clone).orElse(new byte[0]);
        try {
            // PBKDF2 is deliberately slow: never on the calling (network) thread.
            return CompletableFuture.supplyAsync(() -> decide(user, hash, password), blocking);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(AuthDecision.failure(FailureReason.SERVER_UNAVAILABLE,
                    "password check for user " + user + " not run: too many checks queued"));
        }
    }

    private AuthDecision decide(String user, PasswordHash hash, byte[] password) {
        try {
            if (hash == null) {
                decoy.matches(password);
                return AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "unknown user " + user);
            }
            if (!hash.matches(password)) {
                return AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "wrong password for user " + user);
            }
            return AuthDecision.success(user, permissions.getOrDefault(user, defaultPermissions));
        } finally {
            java.util.Arrays.fill(password, (byte) 0);
        }
    }
}
